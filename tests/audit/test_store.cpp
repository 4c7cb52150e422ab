#include <doctest/doctest.h>

#include <sqlite3.h>

#include "audit/sqlite.h"
#include "audit/store.h"
#include "reviewer/core/error.h"
#include "audit_fixtures.h"
#include "support/testutil.h"

using namespace reviewer;
using reviewer::audit::AuditStore;
using reviewer::audit::Connection;

namespace {

std::int64_t count(Connection& db, const std::string& sql) {
  auto q = db.prepare(sql);
  REQUIRE(q.step());
  return q.column_int64(0);
}

}  // namespace

TEST_SUITE("audit::AuditStore") {
  TEST_CASE("a recorded review has its run, agent and finding rows") {
    auto path = test::scratch_dir("store") / "audit.db";
    auto store = AuditStore::open(path);
    auto review = test::sample_review("run-1", 3);
    store->record_review(review);
    CHECK(store->row_count() == 1 + 2 + 3);

    auto db = Connection::open(path, SQLITE_OPEN_READONLY);
    CHECK(count(db, "SELECT count(*) FROM review_runs WHERE run_id = 'run-1'") == 1);
    CHECK(count(db, "SELECT count(*) FROM agent_results WHERE run_id = 'run-1'") == 2);
    CHECK(count(db, "SELECT count(*) FROM findings WHERE run_id = 'run-1'") == 3);
    auto q = db.prepare("SELECT decision, reasons, repository, pr_number, head_sha, mode FROM review_runs");
    REQUIRE(q.step());
    CHECK(q.column_text(0) == "comment");
    CHECK(q.column_text(1) == R"(["a warning was found","second reason"])");
    CHECK(q.column_text(2) == "octo/widgets");
    CHECK(q.column_int64(3) == 42);
    CHECK(q.column_text(4) == std::string(40, 'b'));
    CHECK(q.column_text(5) == "dry-run");
    auto f = db.prepare("SELECT rule, severity, path, line, evidence FROM findings WHERE agent = 'safety' ORDER BY seq LIMIT 1");
    REQUIRE(f.step());
    CHECK(f.column_text(0) == "test/rule-0");
    CHECK(f.column_text(1) == "warning");
    CHECK(f.column_text(2) == "src/file0.cc");
    CHECK(f.column_int64(3) == 10);
    CHECK(f.column_text(4) == "key=****");
  }

  TEST_CASE("recording the same run twice fails and adds nothing") {
    auto path = test::scratch_dir("dup") / "audit.db";
    auto store = AuditStore::open(path);
    store->record_review(test::sample_review("run-dup", 2));
    auto before = store->row_count();
    try {
      store->record_review(test::sample_review("run-dup", 2));
      FAIL("a duplicate run id was accepted");
    } catch (const Error& e) {
      CHECK(std::string(e.what()).find("run run-dup was already recorded") != std::string::npos);
    }
    CHECK(store->row_count() == before);
    store->record_review(test::sample_review("run-next", 1));
    CHECK(store->row_count() == before + 1 + 2 + 1);
  }

  TEST_CASE("a reopened database keeps its rows and continues the chain") {
    auto path = test::scratch_dir("reopen") / "nested" / "audit.db";
    AuditStore::open(path)->record_review(test::sample_review("r1", 1));
    auto store = AuditStore::open(path);
    store->record_review(test::sample_review("r2", 1));
    CHECK(store->row_count() == 8);
  }
}
