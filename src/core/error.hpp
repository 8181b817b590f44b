#pragma once
// Errors are exceptions, caught once in main() and printed as one line with a non-zero exit.
// Messages name the file (or row, tensor, URL) and the fault, so a user can act on them.
#include <fmt/format.h>
#include <fmt/std.h>

#include <stdexcept>
#include <string>

namespace saerad {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bad user input (a file, a flag, a row): exit status 2 instead of 1, so scripts can tell them apart.
class InputError : public Error {
 public:
  using Error::Error;
};

template <class... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

template <class... Args>
[[noreturn]] void fail_input(fmt::format_string<Args...> format, Args&&... args) {
  throw InputError(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace saerad
