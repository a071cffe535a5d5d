// tl::Error: the one exception type of tl, carrying context (what, where, which file).
//
// Library code throws; the command line catches once, prints one line and exits non-zero.
//   TL_CHECK(cond, "message " << value)   throws tl::Error with file:line when cond is false.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace tl {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

namespace detail {
[[noreturn]] inline void throw_error(const std::string& message, const char* file, int line) {
  std::ostringstream out;
  out << message << " [" << file << ":" << line << "]";
  throw Error(out.str());
}
}  // namespace detail

}  // namespace tl

// Streams `message` (which may use <<) into a tl::Error when `cond` does not hold.
#define TL_CHECK(cond, message)                                                 \
  do {                                                                          \
    if (!(cond)) {                                                              \
      std::ostringstream tl_check_stream_;                                      \
      tl_check_stream_ << message;                                              \
      ::tl::detail::throw_error(tl_check_stream_.str(), __FILE__, __LINE__);    \
    }                                                                           \
  } while (0)

// Throws a tl::Error unconditionally (message may use <<).
#define TL_FAIL(message) TL_CHECK(false, message)
