#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <vector>

#include "reviewer/core/error.h"
#include "reviewer/server/body_log.h"
#include "support/testutil.h"

using namespace reviewer;
using namespace reviewer::server;

namespace {

// How many of the pages of `path` in [from, to) are in the page cache.
std::size_t cached_pages(const std::filesystem::path& path, std::size_t from, std::size_t to) {
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  const std::size_t size = std::filesystem::file_size(path);
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);  // mapping reads nothing
  ::close(fd);
  REQUIRE(map != MAP_FAILED);
  std::vector<unsigned char> in((size + page - 1) / page);
  REQUIRE(::mincore(map, size, in.data()) == 0);
  ::munmap(map, size);
  std::size_t n = 0;
  for (std::size_t p = from / page; p < (std::min(to, size) + page - 1) / page; ++p) n += in[p] & 1;
  return n;
}

// tmpfs keeps a file's pages in memory whatever fadvise asks: there the
// page-cache checks below say nothing.
bool on_tmpfs(const std::filesystem::path& dir) {
  struct statfs fs {};
  return ::statfs(dir.c_str(), &fs) == 0 && fs.f_type == 0x01021994;  // TMPFS_MAGIC
}

int failing_datasync(int) {
  errno = EIO;
  return -1;
}

}  // namespace

TEST_SUITE("server::BodyLog") {
  TEST_CASE("synced bodies leave the page cache, but the newest of the segment being written, and read back") {
    const auto dir = test::scratch_dir("body-log-cache") / "bodies";
    constexpr std::size_t kCached = 64 * 1024;
    BodyLog log(dir, 1 << 20, kCached);  // 1 MB segments, the newest 64 KB kept
    if (on_tmpfs(dir)) {
      MESSAGE("skipped: the scratch directory is on tmpfs");
      return;
    }
    std::vector<std::pair<BodyLog::Ref, std::string>> bodies;
    for (int i = 0; i < 60; ++i) {  // 60 x 24 KB: one segment closed, the second one 440 KB long
      std::string body(24 * 1024, static_cast<char>('a' + i % 26));
      bodies.emplace_back(log.append(body), body);
    }
    const std::string first = bodies.front().first.file, second = bodies.back().first.file;
    REQUIRE(first != second);
    const std::size_t written = std::filesystem::file_size(dir / second);
    const auto page_below = [](std::size_t n) { return n / 4096 * 4096; };
    // Written, not yet synced: in the page cache (nothing can drop dirty pages).
    CHECK(cached_pages(dir / second, 0, written) > 0);
    log.sync();
    CHECK(cached_pages(dir / first, 0, std::filesystem::file_size(dir / first)) == 0);  // closed: all of it
    // A folio across the end of the range stays until the next sync (a few
    // pages at most); before, every page written stayed.
    const std::size_t dropped = page_below(written - kCached) / 4096;
    REQUIRE(dropped > 80);
    CHECK(cached_pages(dir / second, 0, page_below(written - kCached)) <= 4);
    CHECK(cached_pages(dir / second, written - kCached + 4096, written) > 0);  // the newest bytes stay
    // Dropped bytes are on disk: every body reads back whole.
    for (const auto& [ref, body] : bodies) CHECK(log.read(ref) == body);
    // The next sync drops what is new since the last one (the reads above
    // brought it back), and still leaves the newest bytes.
    for (int i = 0; i < 4; ++i) log.append(std::string(24 * 1024, 'z'));
    log.sync();
    const std::size_t now = std::filesystem::file_size(dir / second);
    CHECK(cached_pages(dir / second, page_below(written - kCached), page_below(now - kCached)) <= 4);
    CHECK(cached_pages(dir / second, now - kCached + 4096, now) > 0);
  }

  TEST_CASE("after a failed fdatasync nothing leaves the page cache, sync and append throw, bodies read back") {
    const auto dir = test::scratch_dir("body-log-fsync-error") / "bodies";
    BodyLog log(dir, 1 << 20, 0);  // nothing kept: a good sync would drop every synced page
    std::vector<std::pair<BodyLog::Ref, std::string>> bodies;
    for (int i = 0; i < 50; ++i) {  // 50 x 24 KB: one segment closed, a second one open
      std::string body(24 * 1024, static_cast<char>('a' + i % 26));
      bodies.emplace_back(log.append(body), body);
    }
    log.set_datasync_for_test(failing_datasync);
    CHECK_THROWS_AS(log.sync(), Error);
    if (!on_tmpfs(dir)) {
      const auto& last = bodies.back().first.file;
      CHECK(cached_pages(dir / bodies.front().first.file, 0, 1 << 20) > 0);  // closed segment: kept
      CHECK(cached_pages(dir / last, 0, std::filesystem::file_size(dir / last)) > 0);
    }
    CHECK_THROWS_AS(log.append("more"), Error);  // intake refuses (503): GitHub redelivers
    log.set_datasync_for_test(::fdatasync);
    CHECK_THROWS_AS(log.sync(), Error);  // sticky: the lost write cannot be known to be on disk
    for (const auto& [ref, body] : bodies) CHECK(log.read(ref) == body);
  }
}
