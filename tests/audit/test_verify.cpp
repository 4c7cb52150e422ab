#include <doctest/doctest.h>

#include "audit/schema_check.h"
#include "audit/store.h"
#include "audit/verify.h"
#include "audit_fixtures.h"
#include "reviewer/core/error.h"
#include "support/testutil.h"

using namespace reviewer;
using reviewer::audit::AuditStore;
using reviewer::audit::Checkpoint;
using reviewer::audit::verify;

namespace {

// Three runs of six rows each: per run, the run row, the size agent's row,
// its one finding, the safety agent's row, its two findings. So run-b is seq
// 7 (run), 8 (agent), 9 (finding), 10 (agent), 11-12 (findings).
std::filesystem::path three_runs(const std::string& label) {
  auto path = test::scratch_dir(label) / "audit.db";
  auto store = AuditStore::open(path);
  for (const char* id : {"run-a", "run-b", "run-c"}) store->record_review(test::sample_review(id, 3));
  return path;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_SUITE("audit::verify") {
  TEST_CASE("an untouched log verifies and reports its row count and head") {
    auto path = three_runs("clean");
    auto r = verify(path);
    CHECK(r.ok);
    CHECK(r.exit_code() == 0);
    CHECK(r.rows == 18);
    CHECK(r.head_hash.size() == 64);
    CHECK(contains(r.message, "verified 18 rows"));
    auto cp = audit::checkpoint(path);
    CHECK(cp.rows == 18);
    CHECK(cp.head_hash == r.head_hash);
  }

  TEST_CASE("an empty log verifies with zero rows") {
    auto path = test::scratch_dir("empty") / "audit.db";
    AuditStore::open(path);
    auto r = verify(path);
    CHECK(r.ok);
    CHECK(r.rows == 0);
  }

  TEST_CASE("UPDATE and DELETE are rejected by the append-only triggers") {
    auto path = three_runs("triggers");
    auto db = test::raw_open(path);
    for (const char* sql : {"UPDATE findings SET message = 'x'", "DELETE FROM review_runs",
                            "DELETE FROM agent_results WHERE seq = 2"}) {
      CAPTURE(sql);
      try {
        db.exec(sql);
        FAIL("the write went through");
      } catch (const Error& e) {
        CHECK(contains(e.what(), "is append-only"));
      }
    }
    CHECK(verify(path).ok);
  }

  TEST_CASE("an edited finding is named as the first bad row") {
    auto path = three_runs("edited");
    test::tamper(path, "UPDATE findings SET message = 'nothing to see' WHERE seq = 11");
    auto r = verify(path);
    CHECK_FALSE(r.ok);
    CHECK(r.exit_code() == 2);
    CHECK(r.first_bad_seq == 11);
    CHECK(r.first_bad_table == "findings");
    CHECK(contains(r.message, "findings row seq 11 does not match its row_hash: the row was edited"));
  }

  TEST_CASE("a run whose decision was changed to approve is named") {
    auto path = three_runs("retyped");
    test::tamper(path, "UPDATE review_runs SET decision = 'approve' WHERE seq = 7");
    auto r = verify(path);
    CHECK(r.first_bad_seq == 7);
    CHECK(r.first_bad_table == "review_runs");
  }

  TEST_CASE("a removed row in the middle is named") {
    auto path = three_runs("removed");
    test::tamper(path, "DELETE FROM agent_results WHERE seq = 8");
    auto r = verify(path);
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad_seq == 8);
    CHECK(contains(r.message, "rows seq 8..8 are missing"));
  }

  TEST_CASE("an inserted row reusing a seq is named") {
    auto path = three_runs("dup-seq");
    test::tamper(path,
                 "INSERT INTO overrides (seq, prev_hash, row_hash, recorded_at, repository, pr_number, "
                 "kind, actor, comment_id, at) SELECT 5, prev_hash, row_hash, recorded_at, 'octo/widgets', 42, "
                 "'cancel', 'mallory', '1', recorded_at FROM findings WHERE seq = 5");
    auto r = verify(path);
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad_seq == 5);
    CHECK(contains(r.message, "a row was inserted"));
  }

  TEST_CASE("a row inserted in the middle with the rows after it renumbered is named") {
    auto path = three_runs("inserted");
    // Shift rows 10..18 to 11..19 (through 100+ to keep seq unique), then
    // insert a forged row 10 and give it a valid hash chained from row 9.
    test::tamper(path, "UPDATE findings SET seq = seq + 100 WHERE seq >= 10;"
                       "UPDATE agent_results SET seq = seq + 100 WHERE seq >= 10;"
                       "UPDATE review_runs SET seq = seq + 100 WHERE seq >= 10;"
                       "UPDATE findings SET seq = seq - 99 WHERE seq >= 110;"
                       "UPDATE agent_results SET seq = seq - 99 WHERE seq >= 110;"
                       "UPDATE review_runs SET seq = seq - 99 WHERE seq >= 110;"
                       "INSERT INTO feedback (seq, prev_hash, row_hash, recorded_at, repository, pr_number, "
                       "finding_id, rule, actor, helpful, comment_id, at) VALUES (10, 'x', 'y', "
                       "'2026-01-01T00:00:00Z', 'octo/widgets', 42, 'f', 'r', 'mallory', 1, '', '')");
    test::rehash_range(path, 10, 10);
    auto r = verify(path);
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad_seq == 10);
    CHECK(r.first_bad_table == "feedback");
    CHECK(contains(r.message, "a row was inserted at seq 10"));
  }

  TEST_CASE("an edit re-hashed in place is named at the next row") {
    auto path = three_runs("rehashed-one");
    test::tamper(path, "UPDATE findings SET evidence = 'changed' WHERE seq = 5");
    test::rehash_range(path, 5, 5);  // the attacker fixes row 5's own hash only
    auto r = verify(path);
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad_seq == 6);
    CHECK(contains(r.message, "findings row seq 6 does not chain to row seq 5"));
  }

  TEST_CASE("a fully re-hashed chain passes alone: that is what checkpoints are for") {
    auto path = three_runs("rehashed-all");
    test::tamper(path, "UPDATE findings SET evidence = 'changed' WHERE seq = 5");
    test::rehash_range(path, 5);
    CHECK(verify(path).ok);
  }

  TEST_CASE("a rewritten chain is caught by an earlier checkpoint") {
    auto path = three_runs("rewritten");
    auto before = audit::checkpoint(path);
    test::tamper(path, "UPDATE review_runs SET decision = 'approve' WHERE seq = 1");
    test::rehash_range(path, 1);
    CHECK(verify(path).ok);
    auto r = verify(path, {before});
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad_seq == 18);
    CHECK(contains(r.message, "checkpoint"));
  }

  TEST_CASE("a cut tail is caught by an earlier checkpoint") {
    auto path = three_runs("cut");
    auto before = audit::checkpoint(path);
    test::tamper(path, "DELETE FROM findings WHERE seq >= 17");
    CHECK(verify(path).ok);
    auto r = verify(path, {before});
    CHECK_FALSE(r.ok);
    CHECK(contains(r.message, "the log has 16 rows but checkpoint"));
  }

  TEST_CASE("a checkpoint taken earlier still matches after more rows are appended") {
    auto path = three_runs("grows");
    auto before = audit::checkpoint(path);
    AuditStore::open(path)->record_review(test::sample_review("run-d", 2));
    auto r = verify(path, {before});
    CHECK(r.ok);
    CHECK(r.rows == 23);
  }

  TEST_CASE("a dropped append-only trigger fails verification") {
    auto path = three_runs("no-trigger");
    test::raw_open(path).exec("DROP TRIGGER findings_no_delete");
    auto r = verify(path);
    CHECK_FALSE(r.ok);
    CHECK(contains(r.message, "findings_no_delete is missing"));
  }

  TEST_CASE("a trigger defused with WHEN 0 fails verification, though it still says RAISE(ABORT") {
    auto path = three_runs("when-0");
    test::raw_open(path).exec(
        "DROP TRIGGER findings_no_update;"
        "CREATE TRIGGER findings_no_update BEFORE UPDATE ON findings WHEN 0 "
        "BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;");
    auto r = verify(path);
    CHECK_FALSE(r.ok);
    CHECK(r.message.starts_with("trigger findings_no_update differs from the audit schema: it has `"));
    CHECK(contains(r.message, "when 0"));
  }

  TEST_CASE("a table rebuilt without STRICT fails verification, rows and chain intact") {
    auto path = three_runs("not-strict");
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

  TEST_CASE("an extra trigger or index is named; an untouched log still verifies") {
    auto path = three_runs("extra");
    CHECK(verify(path).ok);
    test::raw_open(path).exec(
        "CREATE TRIGGER quiet BEFORE INSERT ON findings WHEN NEW.severity = 'critical' "
        "BEGIN SELECT RAISE(IGNORE); END;");
    auto r = verify(path);
    CHECK_FALSE(r.ok);
    CHECK(r.message.starts_with("trigger quiet is not part of the audit schema"));
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
