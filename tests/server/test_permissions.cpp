#include <doctest/doctest.h>

#include "reviewer/server/queue.h"
#include "support/file_mode.h"
#include "support/testutil.h"

using namespace reviewer;
using namespace reviewer::server;

TEST_SUITE("server::file permissions") {
  TEST_CASE("the queue database and the delivery bodies are private, whatever the umask") {
    test::ScopedUmask open_umask(0);
    auto dir = test::scratch_dir("queue-perms");
    auto path = dir / "queue.db";
    {
      auto q = JobQueue::open_sqlite(path, {});
      IntakeItem it;
      it.delivery = {"d-1", "pull_request", "opened", "o/r", "{}", "{\"secret\":\"payload\"}", "queued"};
      it.job = JobSpec{"review", "o/r", 1, "abc", true};
      q->enqueue({it});
      CHECK(test::mode_of(path) == 0600);
      CHECK(test::mode_of(path.string() + "-wal") == 0600);
    }
    CHECK(test::mode_of(dir / "bodies") == 0700);
    for (const auto& e : std::filesystem::directory_iterator(dir / "bodies")) {
      CHECK(test::mode_of(e.path()) == 0600);
    }
  }
}
