#include <doctest/doctest.h>

#include <functional>

#include "audit/schema_check.h"
#include "audit/store.h"
#include "audit/verify.h"
#include "audit_fixtures.h"
#include "reviewer/core/error.h"
#include "storage/postgres.h"
#include "support/postgres.h"
#include "support/testutil.h"

using namespace reviewer;
using reviewer::audit::AuditStore;
using reviewer::audit::Checkpoint;
using reviewer::audit::verify;

namespace {

// Three runs of six rows each: per run, the run row, the size agent's row,
// its one finding, the safety agent's row, its two findings. So run-b is seq
// 7 (run), 8 (agent), 9 (finding), 10 (agent), 11-12 (findings).
void three_runs(const std::string& at) {
  auto store = AuditStore::open_location(at);
  for (const char* id : {"run-a", "run-b", "run-c"}) store->record_review(test::sample_review(id, 3));
}

// Runs `body` on each backend with three_runs() recorded.
void on_three_runs(const std::string& label, const std::function<void(const std::string& at)>& body) {
  test::on_each_backend(label, [&](const std::string& at) {
    three_runs(at);
    body(at);
  });
}

bool on_postgres(const std::string& at) { return storage::is_postgres_url(at); }

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_SUITE("audit::verify") {
  TEST_CASE("an untouched log verifies and reports its row count and head") {
    on_three_runs("clean", [](const std::string& at) {
      auto r = audit::verify_location(at);
      CHECK(r.ok);
      CHECK(r.exit_code() == 0);
      CHECK(r.rows == 18);
      CHECK(r.head_hash.size() == 64);
      CHECK(contains(r.message, "verified 18 rows"));
      auto cp = audit::checkpoint_location(at);
      CHECK(cp.rows == 18);
      CHECK(cp.head_hash == r.head_hash);
    });
  }

  TEST_CASE("an empty log verifies with zero rows") {
    test::on_each_backend("empty", [](const std::string& at) {
      AuditStore::open_location(at);
      auto r = audit::verify_location(at);
      CHECK(r.ok);
      CHECK(r.rows == 0);
    });
  }

  TEST_CASE("UPDATE and DELETE are rejected by the append-only triggers") {
    on_three_runs("triggers", [](const std::string& at) {
      for (const char* sql : {"UPDATE findings SET message = 'x'", "DELETE FROM review_runs",
                              "DELETE FROM agent_results WHERE seq = 2"}) {
        CAPTURE(sql);
        try {
          test::log_exec(at, sql);
          FAIL("the write went through");
        } catch (const Error& e) {
          CHECK(contains(e.what(), "is append-only"));
        }
      }
      CHECK(audit::verify_location(at).ok);
    });
  }

  TEST_CASE("an edited finding is named as the first bad row") {
    on_three_runs("edited", [](const std::string& at) {
      test::tamper(at, "UPDATE findings SET message = 'nothing to see' WHERE seq = 11");
      auto r = audit::verify_location(at);
      CHECK_FALSE(r.ok);
      CHECK(r.exit_code() == 2);
      CHECK(r.first_bad_seq == 11);
      CHECK(r.first_bad_table == "findings");
      CHECK(contains(r.message, "findings row seq 11 does not match its row_hash: the row was edited"));
    });
  }

  TEST_CASE("a run whose decision was changed to approve is named") {
    on_three_runs("retyped", [](const std::string& at) {
      test::tamper(at, "UPDATE review_runs SET decision = 'approve' WHERE seq = 7");
      auto r = audit::verify_location(at);
      CHECK(r.first_bad_seq == 7);
      CHECK(r.first_bad_table == "review_runs");
    });
  }

  TEST_CASE("a removed row in the middle is named") {
    on_three_runs("removed", [](const std::string& at) {
      test::tamper(at, "DELETE FROM agent_results WHERE seq = 8");
      auto r = audit::verify_location(at);
      CHECK_FALSE(r.ok);
      CHECK(r.first_bad_seq == 8);
      CHECK(contains(r.message, "rows seq 8..8 are missing"));
    });
  }

  TEST_CASE("an inserted row reusing a seq is named") {
    on_three_runs("dup-seq", [](const std::string& at) {
      test::tamper(at,
                   "INSERT INTO overrides (seq, prev_hash, row_hash, recorded_at, repository, pr_number, "
                   "kind, actor, comment_id, at) SELECT 5, prev_hash, row_hash, recorded_at, 'octo/widgets', 42, "
                   "'cancel', 'mallory', '1', recorded_at FROM findings WHERE seq = 5");
      auto r = audit::verify_location(at);
      CHECK_FALSE(r.ok);
      CHECK(r.first_bad_seq == 5);
      CHECK(contains(r.message, "a row was inserted"));
    });
  }

  TEST_CASE("a row inserted in the middle with the rows after it renumbered is named") {
    on_three_runs("inserted", [](const std::string& at) {
      // Shift rows 10..18 to 11..19 (through 100+ to keep seq unique), then
      // insert a forged row 10 and give it a valid hash chained from row 9.
      test::tamper(at, "UPDATE findings SET seq = seq + 100 WHERE seq >= 10;"
                       "UPDATE agent_results SET seq = seq + 100 WHERE seq >= 10;"
                       "UPDATE review_runs SET seq = seq + 100 WHERE seq >= 10;"
                       "UPDATE findings SET seq = seq - 99 WHERE seq >= 110;"
                       "UPDATE agent_results SET seq = seq - 99 WHERE seq >= 110;"
                       "UPDATE review_runs SET seq = seq - 99 WHERE seq >= 110;"
                       "INSERT INTO feedback (seq, prev_hash, row_hash, recorded_at, repository, pr_number, "
                       "finding_id, rule, actor, helpful, comment_id, at) VALUES (10, 'x', 'y', "
                       "'2026-01-01T00:00:00Z', 'octo/widgets', 42, 'f', 'r', 'mallory', 1, '', '')");
      test::rehash_range(at, 10, 10);
      auto r = audit::verify_location(at);
      CHECK_FALSE(r.ok);
      CHECK(r.first_bad_seq == 10);
      CHECK(r.first_bad_table == "feedback");
      CHECK(contains(r.message, "a row was inserted at seq 10"));
    });
  }

  TEST_CASE("an edit re-hashed in place is named at the next row") {
    on_three_runs("rehashed-one", [](const std::string& at) {
      test::tamper(at, "UPDATE findings SET evidence = 'changed' WHERE seq = 5");
      test::rehash_range(at, 5, 5);  // the attacker fixes row 5's own hash only
      auto r = audit::verify_location(at);
      CHECK_FALSE(r.ok);
      CHECK(r.first_bad_seq == 6);
      CHECK(contains(r.message, "findings row seq 6 does not chain to row seq 5"));
    });
  }

  TEST_CASE("a fully re-hashed chain passes alone: that is what checkpoints are for") {
    on_three_runs("rehashed-all", [](const std::string& at) {
      test::tamper(at, "UPDATE findings SET evidence = 'changed' WHERE seq = 5");
      test::rehash_range(at, 5);
      CHECK(audit::verify_location(at).ok);
    });
  }

  TEST_CASE("a rewritten chain is caught by an earlier checkpoint") {
    on_three_runs("rewritten", [](const std::string& at) {
      auto before = audit::checkpoint_location(at);
      test::tamper(at, "UPDATE review_runs SET decision = 'approve' WHERE seq = 1");
      test::rehash_range(at, 1);
      CHECK(audit::verify_location(at).ok);
      auto r = audit::verify_location(at, {before});
      CHECK_FALSE(r.ok);
      CHECK(r.first_bad_seq == 18);
      CHECK(contains(r.message, "checkpoint"));
    });
  }

  TEST_CASE("a cut tail is caught by an earlier checkpoint") {
    on_three_runs("cut", [](const std::string& at) {
      auto before = audit::checkpoint_location(at);
      test::tamper(at, "DELETE FROM findings WHERE seq >= 17");
      CHECK(audit::verify_location(at).ok);
      auto r = audit::verify_location(at, {before});
      CHECK_FALSE(r.ok);
      CHECK(contains(r.message, "the log has 16 rows but checkpoint"));
    });
  }

  TEST_CASE("a checkpoint taken earlier still matches after more rows are appended") {
    on_three_runs("grows", [](const std::string& at) {
      auto before = audit::checkpoint_location(at);
      AuditStore::open_location(at)->record_review(test::sample_review("run-d", 2));
      auto r = audit::verify_location(at, {before});
      CHECK(r.ok);
      CHECK(r.rows == 23);
    });
  }

  TEST_CASE("a dropped append-only trigger fails verification") {
    on_three_runs("no-trigger", [](const std::string& at) {
      test::log_exec(at, on_postgres(at) ? "DROP TRIGGER findings_no_delete ON findings"
                                         : "DROP TRIGGER findings_no_delete");
      auto r = audit::verify_location(at);
      CHECK_FALSE(r.ok);
      CHECK(contains(r.message, "findings_no_delete is missing"));
    });
  }

  TEST_CASE("a trigger defused with a condition fails verification, though it still raises") {
    on_three_runs("when-0", [](const std::string& at) {
      if (on_postgres(at)) {
        test::log_exec(at, "DROP TRIGGER findings_no_update ON findings;"
                           "CREATE TRIGGER findings_no_update BEFORE UPDATE ON findings FOR EACH ROW WHEN (false) "
                           "EXECUTE FUNCTION audit_append_only()");
        auto r = audit::verify_location(at);
        CHECK_FALSE(r.ok);
        CHECK(contains(r.message, "append-only trigger findings_no_update is missing or altered"));
        return;
      }
      test::log_exec(at, "DROP TRIGGER findings_no_update;"
                         "CREATE TRIGGER findings_no_update BEFORE UPDATE ON findings WHEN 0 "
                         "BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;");
      auto r = audit::verify_location(at);
      CHECK_FALSE(r.ok);
      CHECK(r.message.starts_with("trigger findings_no_update differs from the audit schema: it has `"));
      CHECK(contains(r.message, "when 0"));
    });
  }

  TEST_CASE("a table rebuilt without STRICT fails verification, rows and chain intact") {
    // SQLite only: PostgreSQL's column types are strict already.
    const auto path = (test::scratch_dir("not-strict") / "audit.db").string();
    three_runs(path);
    auto db = test::raw_open(path);
    std::string sql;
    {
      auto q = db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'findings'");
      REQUIRE(q.step());
      sql = q.column_text(0);
    }
    REQUIRE(sql.rfind(" STRICT") != std::string::npos);
    sql.erase(sql.rfind(" STRICT"));
    // The classic rebuild, with the triggers put back as they were.
    std::vector<std::string> triggers;
    {
      auto q = db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'findings'");
      while (q.step()) triggers.push_back(q.column_text(0));
    }
    db.exec("PRAGMA foreign_keys = OFF; BEGIN; ALTER TABLE findings RENAME TO findings_old;");
    db.exec(sql);
    db.exec("INSERT INTO findings SELECT * FROM findings_old; DROP TABLE findings_old;");
    for (const auto& t : triggers) db.exec(t);
    db.exec("COMMIT");
    auto r = verify(path);
    CHECK_FALSE(r.ok);
    CHECK(r.message.starts_with("table findings differs from the audit schema"));
  }

  TEST_CASE("an extra trigger that drops rows is named; an untouched log still verifies") {
    on_three_runs("extra", [](const std::string& at) {
      CHECK(audit::verify_location(at).ok);
      if (on_postgres(at)) {
        test::log_exec(at, "CREATE FUNCTION quiet() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;"
                           "CREATE TRIGGER quiet BEFORE INSERT ON findings FOR EACH ROW "
                           "WHEN (NEW.severity = 'critical') EXECUTE FUNCTION quiet()");
      } else {
        test::log_exec(at, "CREATE TRIGGER quiet BEFORE INSERT ON findings WHEN NEW.severity = 'critical' "
                           "BEGIN SELECT RAISE(IGNORE); END;");
      }
      auto r = audit::verify_location(at);
      CHECK_FALSE(r.ok);
      CHECK(r.message.starts_with("trigger quiet is not part of the audit schema"));
      if (!on_postgres(at)) return;
      // PostgreSQL's other way to drop rows as they are written.
      test::log_exec(at, "DROP TRIGGER quiet ON findings;"
                         "CREATE RULE quiet AS ON INSERT TO findings WHERE NEW.severity = 'critical' DO INSTEAD NOTHING");
      r = audit::verify_location(at);
      CHECK_FALSE(r.ok);
      CHECK(r.message.starts_with("rule quiet is not part of the audit schema"));
      test::log_exec(at, "DROP RULE quiet ON findings");
      CHECK(audit::verify_location(at).ok);
    });
  }

  TEST_CASE("the schema is compared token by token: comments, spacing and case do not matter") {
    CHECK(audit::sql_tokens("CREATE  TABLE \"T\" (a TEXT) -- x\n STRICT") ==
          audit::sql_tokens("create table t(a text)/* y */strict"));
    CHECK(audit::sql_tokens("SELECT 'It''s'") == std::vector<std::string>{"select", "'It's'"});
    CHECK(audit::sql_tokens("WHEN 0 BEGIN") != audit::sql_tokens("BEGIN"));
  }

  TEST_CASE("checkpoint lines round-trip and junk is refused") {
    Checkpoint c{1234, std::string(64, 'a'), "2026-01-01T00:00:00Z"};
    auto back = Checkpoint::parse(c.to_line());
    REQUIRE(back);
    CHECK(back->rows == 1234);
    CHECK(back->head_hash == c.head_hash);
    CHECK(back->at == c.at);
    CHECK_FALSE(Checkpoint::parse("reviewer-audit-checkpoint rows=x head=abc"));
    CHECK_FALSE(Checkpoint::parse(""));
  }

  TEST_CASE("verifying a missing file is an error, not a pass") {
    auto path = test::scratch_dir("missing") / "nope.db";
    CHECK_THROWS_WITH_AS(verify(path), doctest::Contains("does not exist"), Error);
    CHECK_FALSE(std::filesystem::exists(path));
  }
}
