#include "reviewer/core/private_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "reviewer/core/error.h"

namespace reviewer {

void create_private_directories(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> missing;
  std::error_code ec;
  for (auto p = dir; !p.empty() && !std::filesystem::exists(p, ec); p = p.parent_path()) {
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0700) != 0 && errno != EEXIST) {
      throw Error(Error::Code::io, fmt::format("cannot create folder '{}': {}", it->string(), std::strerror(errno)));
    }
  }
}

void create_private_file(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
  } else if (errno != EEXIST) {
    throw Error(Error::Code::io, fmt::format("cannot create '{}': {}", file.string(), std::strerror(errno)));
  }
}

void write_private_file(const std::filesystem::path& file, std::string_view bytes) {
  if (file.has_parent_path()) create_private_directories(file.parent_path());
  std::string tmp = file.string() + ".XXXXXX";
  const int fd = ::mkstemp(tmp.data());  // 0600, a name no other writer has
  if (fd < 0) throw Error(Error::Code::io, fmt::format("cannot write '{}': {}", file.string(), std::strerror(errno)));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw Error(Error::Code::io, fmt::format("cannot write '{}': {}", file.string(), std::strerror(err)));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0 || ::rename(tmp.c_str(), file.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw Error(Error::Code::io, fmt::format("cannot replace '{}': {}", file.string(), std::strerror(err)));
  }
}

}  // namespace reviewer
