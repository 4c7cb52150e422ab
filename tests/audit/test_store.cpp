#include <doctest/doctest.h>

#include <sqlite3.h>

#include "audit/chain.h"
#include "audit/sqlite.h"
#include "audit/verify.h"
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

  TEST_CASE("a table added by another process's migration joins the chain of an open store") {
    auto path = test::scratch_dir("schema-change") / "audit.db";
    auto store = AuditStore::open(path);
    store->record_review(test::sample_review("before", 1));
    {
      // A newer reviewer adds a chained table and appends a row to it.
      auto db = test::raw_open(path);
      db.exec("CREATE TABLE extra (seq INTEGER PRIMARY KEY, prev_hash TEXT NOT NULL, row_hash TEXT NOT NULL, "
              "recorded_at TEXT NOT NULL, note TEXT NOT NULL) STRICT;"
              "CREATE TRIGGER extra_no_update BEFORE UPDATE ON extra BEGIN SELECT RAISE(ABORT, 'no'); END;"
              "CREATE TRIGGER extra_no_delete BEFORE DELETE ON extra BEGIN SELECT RAISE(ABORT, 'no'); END;");
      audit::ChainWriter w(db);
      audit::Transaction tx(db);
      w.start("2026-01-01T00:00:00Z");
      auto row = w.row("extra");
      row.set("note", "from the future");
      w.append(row);
      tx.commit();
    }
    store->record_review(test::sample_review("after", 1));
    auto r = audit::verify(path);
    CAPTURE(r.message);
    // The chain holds every row, the new table's included; this build does
    // not know the table's definition, so it cannot vouch for it: no pass.
    CHECK(r.rows == 4 + 1 + 4);
    CHECK_FALSE(r.ok);
    CHECK(r.message.starts_with("table extra is not part of the audit schema"));
  }

  TEST_CASE("each lifecycle record lands in its table with the given fields, time defaulting to now") {
    auto path = test::scratch_dir("records") / "audit.db";
    auto store = AuditStore::open(path);
    store->record_delivery({"d-1", "pull_request", "opened", "octo/widgets", "", true, "queued"});
    store->record_pull_request({"octo/widgets", 5, "Title", "alice", "main", "abc", true, "2026-01-01T00:00:00Z"});
    store->record_action({"run-1", "octo/widgets", 5, "would_review_approve", "", 0, "dry-run", ""});
    store->record_override({"octo/widgets", 5, "human_review", "bob", "c-1", ""});
    store->record_feedback({"octo/widgets", 5, "fid", "size/split", "carol", true, "c-2", ""});
    store->record_pr_event({"octo/widgets", 5, "merged", "dave", "abc", "def", 0, "", ""});
    CHECK(store->row_count() == 6);
    auto db = test::raw_open(path);
    CHECK(count(db, "SELECT count(*) FROM deliveries WHERE delivery_id = 'd-1' AND signature_valid = 1 "
                    "AND outcome = 'queued' AND length(received_at) = 20") == 1);
    CHECK(count(db, "SELECT count(*) FROM pull_requests WHERE draft = 1 AND observed_at = '2026-01-01T00:00:00Z'") == 1);
    CHECK(count(db, "SELECT count(*) FROM actions WHERE kind = 'would_review_approve' AND http_status = 0") == 1);
    CHECK(count(db, "SELECT count(*) FROM overrides WHERE actor = 'bob' AND comment_id = 'c-1'") == 1);
    CHECK(count(db, "SELECT count(*) FROM feedback WHERE helpful = 1 AND rule = 'size/split'") == 1);
    CHECK(count(db, "SELECT count(*) FROM pr_events WHERE kind = 'merged' AND merge_sha = 'def'") == 1);
    // No column anywhere is meant to hold a secret.
    CHECK(count(db, "SELECT count(*) FROM pragma_table_info('deliveries') WHERE name LIKE '%secret%' "
                    "OR name LIKE '%signature' OR name LIKE '%token%'") == 0);
  }
}
