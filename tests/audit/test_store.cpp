#include <doctest/doctest.h>

#include <sqlite3.h>

#include "audit/chain.h"
#include "audit/db.h"
#include "audit/verify.h"
#include "audit/store.h"
#include "reviewer/core/error.h"
#include "audit_fixtures.h"
#include "support/postgres.h"
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
    test::on_each_backend("store", [](const std::string& at) {
      auto store = AuditStore::open_location(at);
      auto review = test::sample_review("run-1", 3);
      store->record_review(review);
      CHECK(store->row_count() == 1 + 2 + 3);

      auto q = [&](const std::string& sql) { return test::log_scalar(at, sql); };
      CHECK(q("SELECT count(*) FROM review_runs WHERE run_id = 'run-1'") == "1");
      CHECK(q("SELECT count(*) FROM agent_results WHERE run_id = 'run-1'") == "2");
      CHECK(q("SELECT count(*) FROM findings WHERE run_id = 'run-1'") == "3");
      CHECK(q("SELECT decision || '|' || reasons || '|' || repository || '|' || pr_number || '|' || mode "
              "FROM review_runs") == R"(comment|["a warning was found","second reason"]|octo/widgets|42|dry-run)");
      CHECK(q("SELECT head_sha FROM review_runs") == std::string(40, 'b'));
      CHECK(q("SELECT rule || '|' || severity || '|' || path || '|' || line || '|' || evidence FROM findings "
              "WHERE agent = 'safety' ORDER BY seq LIMIT 1") == "test/rule-0|warning|src/file0.cc|10|key=****");
      CHECK(audit::verify_location(at).ok);
    });
  }

  TEST_CASE("recording the same run twice fails and adds nothing") {
    test::on_each_backend("dup", [](const std::string& at) {
      auto store = AuditStore::open_location(at);
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
      CHECK(audit::verify_location(at).ok);
    });
  }

  TEST_CASE("a reopened database keeps its rows and continues the chain") {
    test::on_each_backend("reopen", [](const std::string& at) {
      AuditStore::open_location(at)->record_review(test::sample_review("r1", 1));
      auto store = AuditStore::open_location(at);
      store->record_review(test::sample_review("r2", 1));
      CHECK(store->row_count() == 8);
      auto r = audit::verify_location(at);
      CAPTURE(r.message);
      CHECK(r.ok);
      CHECK(r.rows == 8);
    });
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
    test::on_each_backend("records", [](const std::string& at) {
      auto store = AuditStore::open_location(at);
      store->record_delivery({"d-1", "pull_request", "opened", "octo/widgets", "", true, "queued"});
      store->record_pull_request({"octo/widgets", 5, "Title", "alice", "main", "abc", true, "2026-01-01T00:00:00Z"});
      store->record_action({"run-1", "octo/widgets", 5, "would_review_approve", "", 0, "dry-run", ""});
      store->record_override({"octo/widgets", 5, "human_review", "bob", "c-1", ""});
      store->record_feedback({"octo/widgets", 5, "fid", "size/split", "carol", true, "c-2", ""});
      store->record_pr_event({"octo/widgets", 5, "merged", "dave", "abc", "def", 0, "", ""});
      CHECK(store->row_count() == 6);
      auto q = [&](const std::string& sql) { return test::log_scalar(at, sql); };
      CHECK(q("SELECT count(*) FROM deliveries WHERE delivery_id = 'd-1' AND signature_valid = 1 "
              "AND outcome = 'queued' AND length(received_at) = 20") == "1");
      CHECK(q("SELECT count(*) FROM pull_requests WHERE draft = 1 AND observed_at = '2026-01-01T00:00:00Z'") == "1");
      CHECK(q("SELECT count(*) FROM actions WHERE kind = 'would_review_approve' AND http_status = 0") == "1");
      CHECK(q("SELECT count(*) FROM overrides WHERE actor = 'bob' AND comment_id = 'c-1'") == "1");
      CHECK(q("SELECT count(*) FROM feedback WHERE helpful = 1 AND rule = 'size/split'") == "1");
      CHECK(q("SELECT count(*) FROM pr_events WHERE kind = 'merged' AND merge_sha = 'def'") == "1");
      auto h = store->history("octo/widgets", 5);
      CHECK(h.overrides.size() == 1);
      CHECK(h.feedback.size() == 1);
      CHECK(h.actions.size() == 1);
      REQUIRE(h.events.size() == 1);
      CHECK(h.events[0].record.merge_sha == "def");
      CHECK(h.events[0].seq == 6);
      CHECK(audit::verify_location(at).ok);
    });
  }

  TEST_CASE("no column of the deliveries is meant to hold a secret") {
    auto path = test::scratch_dir("records") / "audit.db";
    auto store = AuditStore::open(path);
    auto db = test::raw_open(path);
    CHECK(count(db, "SELECT count(*) FROM pragma_table_info('deliveries') WHERE name LIKE '%secret%' "
                    "OR name LIKE '%signature' OR name LIKE '%token%'") == 0);
  }
}
