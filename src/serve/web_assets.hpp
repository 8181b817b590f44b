#pragma once
// The viewer's static front-end (web/: HTML, CSS, JS), compiled into the binary by a CMake step
// (src/serve/embed_web_assets.cmake) so `saerad serve` needs no files beside it and works offline.
#include <cstddef>
#include <string_view>

namespace saerad::serve {

struct WebAsset {
  std::string_view name;          // path under web/, e.g. "app.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view bytes;
};

const WebAsset* find_web_asset(std::string_view name);  // nullptr when there is no such file

}  // namespace saerad::serve
