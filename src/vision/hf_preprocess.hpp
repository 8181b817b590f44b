#pragma once
// HF image-processor preprocessing (BitImageProcessor, as Rad-DINO's preprocessor_config.json selects),
// reproducing transformers + Pillow bit for bit on 8-bit images:
//   gray → RGB by copying; resize so the shortest edge is `shortest_edge` (long edge = int(s·long/short))
//   with Pillow's resampler (pillow_resample.hpp); centre crop (top = (H − h)//2, zero padding when smaller);
//   ×rescale_factor in float64 then float32; (x − mean)/std in float32.
#include <array>
#include <filesystem>
#include <vector>

#include "core/json_io.hpp"
#include "vision/image.hpp"
#include "vision/pillow_resample.hpp"

namespace saerad {

struct ImageProcessorConfig {
  bool do_resize = true, do_center_crop = true, do_rescale = true, do_normalize = true;
  int shortest_edge = 0;                 // size = {"shortest_edge": n}
  int resize_height = 0, resize_width = 0;  // size = {"height": h, "width": w} (exact size) instead
  int crop_height = 0, crop_width = 0;
  PillowFilter resample = PillowFilter::kBicubic;
  double rescale_factor = 1.0 / 255.0;
  std::array<float, 3> mean{0.5f, 0.5f, 0.5f}, std{0.5f, 0.5f, 0.5f};

  Json to_json() const;  // the `preprocess` metadata of embeddings files
};

// Reads preprocessor_config.json (HF keys). Unsupported settings (other resample filters, processors that
// are not BitImageProcessor-like) give an error naming the file and the key.
ImageProcessorConfig read_image_processor_config(const std::filesystem::path& path);

// pixel_values of one image: [3, height, width] float32, channel-major (the model's input layout).
struct PixelValues {
  int height = 0, width = 0;
  std::vector<float> data;
};

// The resized + cropped 8-bit image (gray stays 1 channel: RGB copies are identical per channel).
Image resize_and_crop(const Image& image, const ImageProcessorConfig& config);
PixelValues preprocess_image(const Image& image, const ImageProcessorConfig& config);

// The (height, width) transformers' get_resize_output_image_size gives for a shortest-edge resize.
std::pair<int, int> shortest_edge_size(int height, int width, int shortest_edge);

}  // namespace saerad
