#pragma once
// An error with the HTTP status it should produce; the server turns it (and every other exception) into a
// JSON body {"error": message, "status": code}, so no request can crash the viewer.
#include <fmt/format.h>

#include "core/error.hpp"

namespace saerad::serve {

class HttpError : public InputError {
 public:
  HttpError(int status, const std::string& message) : InputError(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

template <class... Args>
[[noreturn]] void fail_http(int status, fmt::format_string<Args...> format, Args&&... args) {
  throw HttpError(status, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace saerad::serve
