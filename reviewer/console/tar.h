// A minimal writer of POSIX ustar archives (regular files only), enough for
// the evidence pack: `tar -xf` and every archive tool read it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace reviewer::console {

class TarWriter {
 public:
  // Adds a regular file (mode 0644) at `path` (at most 100 bytes, no "..",
  // relative), modified at `mtime` (seconds since the epoch). Throws
  // Error(internal) for a path that does not fit.
  void add(std::string_view path, std::string_view bytes, std::int64_t mtime);
  // The archive, ended with its two zero blocks.
  std::string finish();

 private:
  std::string out_;
};

}  // namespace reviewer::console
