#include "reviewer/console/tar.h"

#include <array>
#include <cstring>

#include <fmt/format.h>

#include "reviewer/core/error.h"

namespace reviewer::console {

namespace {

constexpr std::size_t kBlock = 512;

// An octal field of `width` bytes: digits, then a NUL.
void octal(char* field, std::size_t width, std::uint64_t value) {
  const std::string digits = fmt::format("{:0{}o}", value, width - 1);
  std::memcpy(field, digits.data(), width - 1);
  field[width - 1] = '\0';
}

}  // namespace

void TarWriter::add(std::string_view path, std::string_view bytes, std::int64_t mtime) {
  if (path.empty() || path.size() > 100 || path.front() == '/' || path.find("..") != std::string_view::npos) {
    throw Error(Error::Code::internal, fmt::format("tar path '{}' does not fit the archive", path));
  }
  std::array<char, kBlock> h{};
  std::memcpy(h.data(), path.data(), path.size());           // name
  octal(h.data() + 100, 8, 0644);                            // mode
  octal(h.data() + 108, 8, 0);                               // uid
  octal(h.data() + 116, 8, 0);                               // gid
  octal(h.data() + 124, 12, bytes.size());                   // size
  octal(h.data() + 136, 12, static_cast<std::uint64_t>(std::max<std::int64_t>(mtime, 0)));
  std::memset(h.data() + 148, ' ', 8);                       // checksum, as spaces while summing
  h[156] = '0';                                              // a regular file
  std::memcpy(h.data() + 257, "ustar\0" "00", 8);            // magic and version
  std::memcpy(h.data() + 265, "reviewer", 8);                // uname
  std::memcpy(h.data() + 297, "reviewer", 8);                // gname
  unsigned sum = 0;
  for (char c : h) sum += static_cast<unsigned char>(c);
  const std::string check = fmt::format("{:06o}", sum);
  std::memcpy(h.data() + 148, check.data(), 6);
  h[154] = '\0';
  h[155] = ' ';
  out_.append(h.data(), h.size());
  out_.append(bytes);
  out_.append((kBlock - bytes.size() % kBlock) % kBlock, '\0');
}

std::string TarWriter::finish() {
  out_.append(2 * kBlock, '\0');
  return std::move(out_);
}

}  // namespace reviewer::console
