// transformers' BitImageProcessor.preprocess, step by step (see hf_preprocess.hpp for the rules).
#include "vision/hf_preprocess.hpp"

#include <cmath>
#include <cstring>

#include "core/error.hpp"
#include "core/progress.hpp"

namespace saerad {
namespace {

int positive_int(const Json& object, const char* key, const std::filesystem::path& path) {
  const Json& v = object.at(key);
  if (!v.is_number_integer() || v.get<int64_t>() <= 0 || v.get<int64_t>() > 65536)
    fail_input("{}: '{}' must be a positive integer (got {})", path, key, v.dump());
  return v.get<int>();
}

std::array<float, 3> three_floats(const Json& config, const char* key, const std::filesystem::path& path,
                                  std::array<float, 3> fallback) {
  if (!config.contains(key)) return fallback;
  const Json& v = config.at(key);
  if (v.is_number()) return {v.get<float>(), v.get<float>(), v.get<float>()};
  if (!v.is_array() || v.size() != 3 || !v[0].is_number() || !v[1].is_number() || !v[2].is_number())
    fail_input("{}: '{}' must be a number or a list of 3 numbers (got {})", path, key, v.dump());
  return {v[0].get<float>(), v[1].get<float>(), v[2].get<float>()};
}

// float → the double with the float's shortest decimal spelling (0.5307f → 0.5307, not 0.53070002794…).
Json shortest(const std::array<float, 3>& values) {
  Json out = Json::array();
  for (float v : values) out.push_back(std::stod(fmt::format("{}", v)));
  return out;
}

}  // namespace

Json ImageProcessorConfig::to_json() const {
  Json j = {{"processor", "BitImageProcessor"},
            {"resample", resample == PillowFilter::kBicubic ? "bicubic" : "bilinear"},
            {"do_resize", do_resize},
            {"do_center_crop", do_center_crop},
            {"do_rescale", do_rescale},
            {"do_normalize", do_normalize},
            {"rescale_factor", rescale_factor},
            {"image_mean", shortest(mean)},
            {"image_std", shortest(std)},
            {"gray_to_rgb", "copy"},
            {"high_bit_depth", "min-max stretch to 8-bit"}};
  if (shortest_edge > 0) j["shortest_edge"] = shortest_edge;
  else j["size"] = {resize_height, resize_width};
  if (do_center_crop) j["crop_size"] = {crop_height, crop_width};
  return j;
}

ImageProcessorConfig read_image_processor_config(const std::filesystem::path& path) {
  const Json config = read_json_file(path);
  if (!config.is_object()) fail_input("{}: not a JSON object", path);
  ImageProcessorConfig out;
  auto flag = [&](const char* key, bool fallback) {
    if (!config.contains(key)) return fallback;
    if (!config[key].is_boolean()) fail_input("{}: '{}' must be true or false", path, key);
    return config[key].get<bool>();
  };
  out.do_resize = flag("do_resize", true);
  out.do_center_crop = flag("do_center_crop", true);
  out.do_rescale = flag("do_rescale", true);
  out.do_normalize = flag("do_normalize", true);
  if (config.contains("image_processor_type")) {
    const std::string type = config["image_processor_type"].get<std::string>();
    if (type != "BitImageProcessor" && type != "BitImageProcessorFast")
      log_warning(fmt::format("{}: image_processor_type {} treated as BitImageProcessor", path.string(), type));
  }
  if (out.do_resize) {
    if (!config.contains("size") || !config["size"].is_object()) fail_input("{}: missing 'size'", path);
    const Json& size = config["size"];
    if (size.contains("shortest_edge")) {
      out.shortest_edge = positive_int(size, "shortest_edge", path);
    } else if (size.contains("height") && size.contains("width")) {
      out.resize_height = positive_int(size, "height", path);
      out.resize_width = positive_int(size, "width", path);
    } else {
      fail_input("{}: 'size' must have shortest_edge or height+width (got {})", path, size.dump());
    }
    const int resample = config.value("resample", 3);
    if (resample == 3) out.resample = PillowFilter::kBicubic;
    else if (resample == 2) out.resample = PillowFilter::kBilinear;
    else fail_input("{}: 'resample' {} is not supported (2 bilinear or 3 bicubic)", path, resample);
  }
  if (out.do_center_crop) {
    if (!config.contains("crop_size")) fail_input("{}: do_center_crop without 'crop_size'", path);
    const Json& crop = config["crop_size"];
    if (crop.is_number_integer()) {
      out.crop_height = out.crop_width = crop.get<int>();
    } else {
      out.crop_height = positive_int(crop, "height", path);
      out.crop_width = positive_int(crop, "width", path);
    }
  }
  if (config.contains("rescale_factor")) out.rescale_factor = config["rescale_factor"].get<double>();
  out.mean = three_floats(config, "image_mean", path, {0.5f, 0.5f, 0.5f});
  out.std = three_floats(config, "image_std", path, {0.5f, 0.5f, 0.5f});
  for (float s : out.std)
    if (!(s > 0)) fail_input("{}: image_std must be positive", path);
  return out;
}

std::pair<int, int> shortest_edge_size(int height, int width, int shortest_edge) {
  const bool portrait = width <= height;
  const int short_side = portrait ? width : height, long_side = portrait ? height : width;
  // int(requested · long / short): Python float division, then truncation.
  const int new_long = int(double(shortest_edge) * double(long_side) / double(short_side));
  return portrait ? std::pair{new_long, shortest_edge} : std::pair{shortest_edge, new_long};
}

Image resize_and_crop(const Image& image, const ImageProcessorConfig& config) {
  if (image.channels != 1 && image.channels != 3) fail("preprocess: images must be gray or RGB");
  Image resized = image;
  if (config.do_resize) {
    auto [h, w] = config.shortest_edge > 0 ? shortest_edge_size(image.height, image.width, config.shortest_edge)
                                           : std::pair{config.resize_height, config.resize_width};
    resized = pillow_resize(image, w, h, config.resample);
  }
  if (!config.do_center_crop) return resized;
  // transformers' center_crop: top = (H − h)//2 (floor division), and when the image is smaller it is first
  // zero-padded to max(h, H) with the padding split ceil-first.
  const int ch = config.crop_height, cw = config.crop_width, H = resized.height, W = resized.width;
  auto floor_half = [](int v) { return v >= 0 ? v / 2 : -((-v + 1) / 2); };
  const int pad_top = ch > H ? (ch - H + 1) / 2 : 0, pad_left = cw > W ? (cw - W + 1) / 2 : 0;
  const int top = floor_half(H - ch) + pad_top, left = floor_half(W - cw) + pad_left;
  Image out(cw, ch, resized.channels, 0);
  const int c = resized.channels;
  for (int y = 0; y < ch; ++y) {
    const int sy = y + top - pad_top;  // row in `resized`
    if (sy < 0 || sy >= H) continue;
    for (int x = 0; x < cw; ++x) {
      const int sx = x + left - pad_left;
      if (sx < 0 || sx >= W) continue;
      std::memcpy(out.row(y) + x * c, resized.row(sy) + sx * c, size_t(c));
    }
  }
  return out;
}

PixelValues preprocess_image(const Image& image, const ImageProcessorConfig& config) {
  const Image ready = resize_and_crop(image.channels == 4 ? to_rgb(image) : image, config);
  PixelValues out;
  out.height = ready.height;
  out.width = ready.width;
  const size_t plane = size_t(out.height) * size_t(out.width);
  out.data.resize(3 * plane);
  for (int channel = 0; channel < 3; ++channel) {
    // Every uint8 level maps to one float: a 256-entry table with numpy's exact operation order.
    float table[256];
    for (int level = 0; level < 256; ++level) {
      float x = config.do_rescale ? float(double(level) * config.rescale_factor) : float(level);
      if (config.do_normalize) x = (x - config.mean[size_t(channel)]) / config.std[size_t(channel)];
      table[level] = x;
    }
    const int source_channel = ready.channels == 1 ? 0 : channel;
    float* dst = out.data.data() + size_t(channel) * plane;
    const uint8_t* src = ready.pixels.data() + source_channel;
    for (size_t i = 0; i < plane; ++i) dst[i] = table[src[i * size_t(ready.channels)]];
  }
  return out;
}

}  // namespace saerad
