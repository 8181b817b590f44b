// saerad preprocess — one image → the model's pixel_values (.npy [1, 3, H, W]), as HF's processor computes them.
#include <fmt/format.h>

#include "cli/command.hpp"
#include "core/json_io.hpp"
#include "core/npy.hpp"
#include "core/progress.hpp"
#include "vision/hf_preprocess.hpp"

namespace saerad::cli {
namespace {

struct PreprocessArgs {
  std::filesystem::path model, image, out, png;
};

Registration reg{{
    .name = "preprocess",
    .summary = "Show what the model sees: an image → pixel_values .npy (and the resized 8-bit PNG)",
    .group = Group::Embed,
    .setup = [](CLI::App& cmd) -> Runner {
      auto args = std::make_shared<PreprocessArgs>();
      cmd.add_option("--model", args->model, "HF model folder (its preprocessor_config.json is used)")->required();
      cmd.add_option("--image", args->image, "PNG, JPEG or DICOM")->required();
      cmd.add_option("--out", args->out, "Output .npy [1, 3, H, W] float32")->required();
      cmd.add_option("--png", args->png, "Also write the resized + cropped 8-bit image");
      return [args] {
        const auto config = read_image_processor_config(args->model / "preprocessor_config.json");
        const Image image = read_image(args->image);
        const PixelValues pixels = preprocess_image(image, config);
        write_npy(args->out, DType::F32, {1, 3, pixels.height, pixels.width}, pixels.data.data());
        if (!args->png.empty()) write_png(args->png, resize_and_crop(image, config));
        if (json_output())
          print_json({{"out", args->out.string()}, {"shape", {1, 3, pixels.height, pixels.width}},
                      {"source_size", {image.height, image.width}}});
        log_info(fmt::format("preprocess: {}x{} → [1, 3, {}, {}] → {}", image.width, image.height, pixels.height,
                             pixels.width, args->out.string()));
      };
    },
}};

}  // namespace
}  // namespace saerad::cli
