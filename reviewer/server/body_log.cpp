#include "reviewer/server/body_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "reviewer/core/private_files.h"
#include "reviewer/core/random.h"

namespace reviewer::server {

namespace {

[[noreturn]] void fail_io(const std::filesystem::path& p, const char* what) {
  throw Error(Error::Code::io, fmt::format("delivery body log '{}': {}: {}", p.string(), what, std::strerror(errno)));
}


// Names come from queue.db, which only we write; still, never let one
// leave the directory.
bool plain_name(const std::string& f) {
  return !f.empty() && f.size() < 128 && f.find('/') == std::string::npos && f != "." && f != "..";
}

}  // namespace

BodyLog::BodyLog(std::filesystem::path dir, std::int64_t segment_bytes, std::int64_t cached_bytes)
    : dir_(std::move(dir)), segment_bytes_(segment_bytes), cached_bytes_(std::max<std::int64_t>(0, cached_bytes)),
      writer_(random_hex(6)) {
  try {
    create_private_directories(dir_);  // segments hold webhook payloads
  } catch (const Error& e) {
    throw Error(Error::Code::io, fmt::format("delivery body log '{}': {}", dir_.string(), e.what()));
  }
}

BodyLog::~BodyLog() {
  try {
    sync();
  } catch (const Error&) {
    // A failed fdatasync: reported by the sync() that met it; nothing more to do here.
  }
  if (fd_ >= 0) ::close(fd_);
}

void BodyLog::open_next() {
  const std::string name = fmt::format("{}-{:06}.seg", writer_, ++seq_);
  const auto path = dir_ / name;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) fail_io(path, "cannot create");
  std::lock_guard lock(sync_mu_);
  if (fd_ >= 0) to_sync_.push_back(fd_);  // closed by the next sync()
  fd_ = fd;
  size_ = 0;
  appended_ = 0;
  segment_no_ = seq_;
  current_ = name;
  new_segment_ = true;
}

BodyLog::Ref BodyLog::append(std::string_view body) {
  if (failed_.load()) {
    errno = EIO;
    fail_io(dir_, "an earlier fdatasync of the body log failed; restart the server");
  }
  // A segment another process pruned while we were idle has no links left:
  // writing on would put bodies into a deleted file.
  struct stat st {};
  if (fd_ < 0 || size_ >= segment_bytes_ || ::fstat(fd_, &st) != 0 || st.st_nlink == 0) open_next();
  Ref r{current_, size_, static_cast<std::int64_t>(body.size())};
  std::size_t done = 0;
  while (done < body.size()) {
    ssize_t n = ::pwrite(fd_, body.data() + done, body.size() - done, static_cast<off_t>(size_ + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int saved = errno;
      if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0) {}  // best effort: drop the partial body
      errno = saved ? saved : EIO;
      fail_io(dir_ / current_, "cannot write");
    }
    done += static_cast<std::size_t>(n);
  }
  size_ += r.length;
  std::lock_guard lock(sync_mu_);
  unsynced_ = true;
  appended_ = size_;
  return r;
}

std::string BodyLog::read(const Ref& r) const {
  const auto path = dir_ / r.file;
  if (!plain_name(r.file) || r.offset < 0 || r.length < 0 || r.length > (std::int64_t{1} << 30)) {
    throw Error(Error::Code::io, fmt::format("delivery body log '{}': invalid reference ({}, {}, {})",
                                             dir_.string(), r.file, r.offset, r.length));
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail_io(path, "cannot open the delivery's body (pruned?)");
  std::string out(static_cast<std::size_t>(r.length), '\0');
  std::size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(r.offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      if (n == 0) errno = EIO;
      fail_io(path, "the delivery's body is shorter than recorded");
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return out;
}

void BodyLog::sync() {
  std::vector<int> closed;
  int current = -1;
  int seq = 0;
  std::int64_t synced = 0;
  bool new_names = false;
  bool dup_failed = false;
  {
    std::lock_guard lock(sync_mu_);
    closed.swap(to_sync_);
    if (fd_ >= 0 && unsynced_) {
      current = ::dup(fd_);
      dup_failed = current < 0;
    }
    seq = segment_no_;
    synced = appended_;
    unsynced_ = dup_failed;
    new_names = std::exchange(new_segment_, false);
  }
  // Synced pages are clean, so dropping them loses nothing: a later read
  // finds the bytes on disk. After a failed fdatasync they may be the only
  // copy (the kernel marks them clean all the same): nothing is dropped.
  bool failed = dup_failed;
  for (int fd : closed) {
    if (datasync_(fd) != 0) failed = true;
    if (!failed && !failed_.load()) ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
  }
  if (current >= 0) {
    if (datasync_(current) != 0) failed = true;
    if (!failed && !failed_.load()) {
      std::lock_guard lock(drop_mu_);
      if (dropped_seq_ != seq) {
        dropped_seq_ = seq;
        dropped_ = 0;
      }
      // fadvise drops only the folios (one page or several) wholly inside
      // the range, so each range reaches back over the end of the last one:
      // a folio across that end goes now.
      constexpr std::int64_t kOverlap = std::int64_t{2} << 20;  // the largest folio (a huge page)
      const std::int64_t upto = synced - cached_bytes_;
      if (upto > dropped_) {
        const std::int64_t from = std::max<std::int64_t>(0, dropped_ - kOverlap);
        ::posix_fadvise(current, static_cast<off_t>(from), static_cast<off_t>(upto - from), POSIX_FADV_DONTNEED);
        dropped_ = upto;
      }
    }
    ::close(current);
  }
  if (failed) failed_.store(true);
  if (failed_.load()) {
    errno = EIO;
    fail_io(dir_, "fdatasync of the body log failed; bodies since are kept in memory only");
  }
  if (!new_names) return;
  // New segment names must be durable too.
  int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

bool BodyLog::remove(const std::string& file) {
  if (!plain_name(file) || file == current_) return false;
  std::error_code ec;
  return std::filesystem::remove(dir_ / file, ec);
}

}  // namespace reviewer::server
