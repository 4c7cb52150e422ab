#include <doctest/doctest.h>

#include "audit/store.h"
#include "audit_fixtures.h"
#include "support/file_mode.h"
#include "support/testutil.h"

using namespace reviewer;

TEST_SUITE("audit::file permissions") {
  TEST_CASE("the audit log and the folders made for it are private, whatever the umask") {
    test::ScopedUmask open_umask(0);
    auto dir = test::scratch_dir("audit-perms");
    auto path = dir / "data" / "logs" / "audit.db";
    {
      auto store = audit::AuditStore::open(path);
      store->record_review(test::sample_review("run-1", 2));
      CHECK(test::mode_of(path) == 0600);
      if (std::filesystem::exists(path.string() + "-wal")) CHECK(test::mode_of(path.string() + "-wal") == 0600);
      if (std::filesystem::exists(path.string() + "-shm")) CHECK(test::mode_of(path.string() + "-shm") == 0600);
    }
    CHECK(test::mode_of(dir / "data") == 0700);
    CHECK(test::mode_of(dir / "data" / "logs") == 0700);
  }
}
