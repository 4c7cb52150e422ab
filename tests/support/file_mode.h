// File modes for the tests of private data (0600 files, 0700 folders).
#pragma once

#include <sys/stat.h>

#include <filesystem>

namespace reviewer::test {

// The permission bits of `p` (e.g. 0600), or -1 when it does not exist.
inline int mode_of(const std::filesystem::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 07777);
}

// Sets the process umask for one scope: the data must be private whatever
// the umask the service was started with.
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t m) : old_(::umask(m)) {}
  ~ScopedUmask() { ::umask(old_); }
  ScopedUmask(const ScopedUmask&) = delete;
  ScopedUmask& operator=(const ScopedUmask&) = delete;

 private:
  mode_t old_;
};

}  // namespace reviewer::test
