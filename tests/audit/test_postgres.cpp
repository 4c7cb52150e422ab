// The audit log on PostgreSQL: what differs from SQLite (the server, its
// roles and triggers, several instances on one database). The tests every
// backend shares run through test::on_each_backend in the other files.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "audit/copy.h"
#include "audit/migrate.h"
#include "audit/pg_log.h"
#include "audit/query.h"
#include "audit/store.h"
#include "audit/verify.h"
#include "audit_fixtures.h"
#include "reviewer/core/error.h"
#include "storage/postgres.h"
#include "support/postgres.h"
#include "support/testutil.h"

using namespace reviewer;
using reviewer::audit::AuditStore;

namespace {

// Runs `sql` as the superuser with the append-only triggers of `table`
// switched off: an edit only the chain can tell.
void pg_tamper(const test::PgSchema& s, const std::string& table, const std::string& sql) {
  auto db = storage::PgConnection::open(s.url(), "test database");
  db.exec("ALTER TABLE " + table + " DISABLE TRIGGER USER");
  db.exec(sql);
  db.exec("ALTER TABLE " + table + " ENABLE TRIGGER USER");
}

// Each table as "name: column,column…".
std::string layouts(const std::vector<audit::TableLayout>& tables) {
  std::string out;
  for (const auto& t : tables) {
    out += t.name + ":";
    for (const auto& c : t.columns) out += " " + c;
    out += "\n";
  }
  return out;
}

// The chained tables as information_schema lists them (what
// pg_chained_tables read until it read the catalog), in layouts()' form.
std::string chained_per_information_schema(storage::PgConnection& db) {
  auto r = db.exec(
      "SELECT c.table_name::text, string_agg(' ' || c.column_name::text, '' ORDER BY c.ordinal_position) "
      "FILTER (WHERE c.column_name <> 'row_hash') "
      "FROM information_schema.columns c JOIN information_schema.tables t "
      "ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
      "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' GROUP BY c.table_name "
      "HAVING bool_or(c.column_name = 'seq') AND bool_or(c.column_name = 'prev_hash') "
      "AND bool_or(c.column_name = 'row_hash') ORDER BY c.table_name");
  std::string out;
  for (int i = 0; i < r.rows(); ++i) out += r.text(i, 0) + ":" + r.text(i, 1) + "\n";
  return out;
}

// Four instances (a connection each, as processes have) each recording `n`
// reviews and as many deliveries at once, after one migrated the log; the
// number of calls that failed (each is printed).
int append_from_four_instances(const std::string& url, int n) {
  AuditStore::open_url(url);  // migrated once, before the race
  std::vector<std::thread> instances;
  std::atomic<int> failures{0};
  for (int i = 0; i < 4; ++i) {
    instances.emplace_back([&, i] {
      auto store = AuditStore::open_url(url);
      for (int k = 0; k < n; ++k) {
        const auto id = std::to_string(i) + "-" + std::to_string(k);
        try {
          store->record_review(test::sample_review("i" + id, 1));
          store->record_delivery({"d" + id, "ping", "", "o/r", "", true, "ok"});
        } catch (const std::exception& e) {
          MESSAGE(e.what());
          ++failures;
        }
      }
    });
  }
  for (auto& t : instances) t.join();
  return failures;
}

}  // namespace

TEST_SUITE("audit PostgreSQL") {
  TEST_CASE("UPDATE, DELETE and TRUNCATE are rejected by the append-only triggers") {
    auto s = test::PgSchema::create("pg-append-only");
    if (!s) return;
    AuditStore::open_url(s->url())->record_review(test::sample_review("run-1", 1));
    auto db = storage::PgConnection::open(s->url(), "test database");
    for (const char* sql : {"UPDATE review_runs SET decision = 'approve'", "DELETE FROM findings",
                            "TRUNCATE agent_results"}) {
      CAPTURE(sql);
      CHECK_THROWS_WITH_AS(db.exec(sql), doctest::Contains("is append-only"), Error);
    }
    CHECK(audit::verify_location(s->url()).ok);
  }

  TEST_CASE("an edited row is named by verify, and so is a switched-off trigger") {
    auto s = test::PgSchema::create("pg-tamper");
    if (!s) return;
    auto store = AuditStore::open_url(s->url());
    store->record_review(test::sample_review("run-1", 2));
    store->record_review(test::sample_review("run-2", 2));
    pg_tamper(*s, "review_runs", "UPDATE review_runs SET decision = 'approve' WHERE run_id = 'run-2'");
    auto r = audit::verify_location(s->url());
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad_table == "review_runs");
    CHECK(r.first_bad_seq == 6);
    CHECK(r.message.find("the row was edited") != std::string::npos);

    auto clean = test::PgSchema::create("pg-trigger-off");
    REQUIRE(clean);
    AuditStore::open_url(clean->url())->record_review(test::sample_review("run-1", 1));
    storage::PgConnection::open(clean->url(), "test").exec("ALTER TABLE findings DISABLE TRIGGER findings_no_delete");
    r = audit::verify_location(clean->url());
    CHECK_FALSE(r.ok);
    CHECK(r.message.find("findings_no_delete is missing or altered") != std::string::npos);
  }

  TEST_CASE("four instances appending at once keep one linear chain") {
    auto s = test::PgSchema::create("pg-instances");
    if (!s) return;
    CHECK(append_from_four_instances(s->url(), 20) == 0);
    auto r = audit::verify_location(s->url());
    CAPTURE(r.message);
    CHECK(r.ok);
    CHECK(r.rows == 4 * 20 * (4 + 1));
  }

  TEST_CASE("where transactions default to REPEATABLE READ, instances appending at once still keep one chain") {
    auto s = test::PgSchema::create("pg-repeatable-read");
    if (!s) return;
    const std::string url = test::with_repeatable_read_default(s->url());
    REQUIRE(test::log_scalar(url, "SHOW default_transaction_isolation") == "repeatable read");
    // A stale head: a seq taken twice, or a run "already recorded".
    CHECK(append_from_four_instances(url, 15) == 0);
    auto r = audit::verify_location(url);
    CAPTURE(r.message);
    CHECK(r.ok);
    CHECK(r.rows == 4 * 15 * (4 + 1));
  }

  TEST_CASE("an auditor's session cannot stall the writers, and a held chain lock fails a write within lock_timeout") {
    auto s = test::PgSchema::create("pg-chain-lock");
    if (!s) return;
    auto store = AuditStore::open_url(s->url());
    const test::PgAuditor auditor(*s);
    // The key that serialized appends until they took a row lock: any role
    // may hold an advisory lock.
    auto held = storage::PgConnection::open(auditor.url(), "test database");
    held.exec("SELECT pg_advisory_lock(hashtext('reviewer-audit'), 2)");
    auto write = std::async(std::launch::async, [&] { store->record_review(test::sample_review("run-1", 1)); });
    const bool written = write.wait_for(std::chrono::seconds(20)) == std::future_status::ready;
    held.exec("SELECT pg_advisory_unlock_all()");  // lets a stalled write finish, so the test can end
    CHECK(written);
    write.get();
    // The auditor may not take the row lock itself: FOR UPDATE needs UPDATE.
    CHECK_THROWS_WITH_AS(held.exec("SELECT 1 FROM audit_chain_lock FOR UPDATE"), doctest::Contains("permission denied"),
                         Error);
    CHECK_THROWS_WITH_AS(held.exec("SELECT 1 FROM audit_chain_lock FOR KEY SHARE"),
                         doctest::Contains("permission denied"), Error);

    // A session of the owner's left holding the lock: the write gives up as
    // transient (serve retries it), never hangs.
    auto owner = storage::PgConnection::open(s->url(), "test database");
    owner.exec("BEGIN; SELECT 1 FROM audit_chain_lock FOR UPDATE");
    const auto start = std::chrono::steady_clock::now();
    try {
      store->record_review(test::sample_review("run-2", 1));
      FAIL("wrote past a held chain lock");
    } catch (const Error& e) {
      CHECK(e.transient());
      CHECK(std::string(e.what()).find("held the audit chain's lock longer than lock_timeout") != std::string::npos);
    }
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(15));
    owner.exec("ROLLBACK");
    store->record_review(test::sample_review("run-2", 1));
    CHECK(audit::verify_location(s->url()).ok);
  }

  TEST_CASE("instances starting together migrate the database once") {
    auto s = test::PgSchema::create("pg-migrate-race");
    if (!s) return;
    std::vector<std::thread> starts;
    std::atomic<int> failures{0};
    for (int i = 0; i < 4; ++i) {
      starts.emplace_back([&] {
        try {
          AuditStore::open_url(s->url());
        } catch (const std::exception& e) {
          MESSAGE(e.what());
          ++failures;
        }
      });
    }
    for (auto& t : starts) t.join();
    CHECK(failures == 0);
    CHECK(test::log_scalar(s->url(), "SELECT count(*) FROM schema_migrations") ==
          std::to_string(audit::latest_schema_version()));
  }

  TEST_CASE("a database from a newer reviewer is refused with both versions named") {
    auto s = test::PgSchema::create("pg-newer");
    if (!s) return;
    AuditStore::open_url(s->url());
    const int latest = audit::latest_schema_version();
    storage::PgConnection::open(s->url(), "test").exec(
        "INSERT INTO schema_migrations VALUES (" + std::to_string(latest + 1) + ", '999_future.sql', 'x')");
    try {
      AuditStore::open_url(s->url());
      FAIL("a newer schema was accepted");
    } catch (const Error& e) {
      std::string m = e.what();
      CHECK(m.find("schema version " + std::to_string(latest + 1)) != std::string::npos);
      CHECK(m.find("(up to " + std::to_string(latest) + ")") != std::string::npos);
    }
  }

  TEST_CASE("an unreachable server is one line naming it, without its password") {
    auto dir = test::scratch_dir("pg-unreachable");
    std::string url = "postgresql://auditor:s3cret@/audit?host=" + dir.string() + "&connect_timeout=2";
    try {
      AuditStore::open_url(url);
      FAIL("connected to nothing");
    } catch (const Error& e) {
      std::string m = e.what();
      CHECK(e.transient());
      CHECK(m.starts_with("audit database postgresql://auditor@/audit?host="));
      CHECK(m.find("cannot connect") != std::string::npos);
      CHECK(m.find("s3cret") == std::string::npos);
      CHECK(m.find('\n') == std::string::npos);
    }
    CHECK(storage::redact_url("postgres://u:p@h/db?password=x&sslmode=require") ==
          "postgres://u@h/db?password=[redacted]&sslmode=require");
  }

  TEST_CASE("a copied log keeps its chain, and exports the same bytes from both backends") {
    auto s = test::PgSchema::create("pg-copy");
    if (!s) return;
    auto path = test::scratch_dir("pg-copy") / "audit.db";
    {
      auto store = AuditStore::open(path);
      store->record_review(test::sample_review("run-1", 3));
      store->record_pr_event({"octo/widgets", 42, "merged", "dave", "abc", "def", 0, "line\nbreak, \"quoted\"", ""});
      store->record_delivery({"d-1", "pull_request", "opened", "octo/widgets", "", true, "=cmd()"});
    }
    auto copied = audit::copy_log(path, s->url());
    auto original = audit::verify(path);
    CHECK(copied.rows == original.rows);
    CHECK(copied.head_hash == original.head_hash);
    auto r = audit::verify_location(s->url());
    CHECK(r.ok);
    CHECK(r.head_hash == original.head_hash);
    // A second copy into the same database is refused.
    CHECK_THROWS_WITH_AS(audit::copy_log(path, s->url()), doctest::Contains("already holds"), Error);

    auto without_time = [](std::string text) {
      auto at = text.find(" at=");
      if (at != std::string::npos) text.erase(at, text.find('"', at) - at);
      return text;
    };
    for (auto format : {audit::Format::json, audit::Format::csv, audit::Format::table}) {
      std::ostringstream sqlite_out, pg_out;
      audit::export_location(path.string(), "2000-01-01", "", format, sqlite_out);
      audit::export_location(s->url(), "2000-01-01", "", format, pg_out);
      CHECK(without_time(sqlite_out.str()) == without_time(pg_out.str()));
      CHECK(sqlite_out.str().find("octo/widgets") != std::string::npos);
    }
  }

  TEST_CASE("audit query runs read-only as an auditor role, and refuses a role that can reach files") {
    auto s = test::PgSchema::create("pg-query");
    if (!s) return;
    AuditStore::open_url(s->url())->record_review(test::sample_review("run-1", 2));
    const test::PgAuditor auditor(*s);
    const std::string& url = auditor.url();

    std::ostringstream out;
    audit::query_location(url, "SELECT run_id, decision, findings FROM v_decisions", audit::Format::csv, out);
    CHECK(out.str() == "run_id,decision,findings\r\nrun-1,comment,2\r\n");
    for (const char* sql : {"INSERT INTO deliveries SELECT * FROM deliveries", "CREATE TABLE t(x int)",
                            "SELECT 1; DELETE FROM findings", "SELECT pg_read_file('/etc/passwd')"}) {
      CAPTURE(sql);
      std::ostringstream ignored;
      CHECK_THROWS_AS(audit::query_location(url, sql, audit::Format::csv, ignored), Error);
    }
    std::ostringstream slow;
    audit::QueryOptions quick;
    quick.timeout_ms = 200;
    CHECK_THROWS_WITH_AS(audit::query_location(url, "SELECT pg_sleep(5)", audit::Format::csv, slow, quick),
                         doctest::Contains("was stopped"), Error);
    CHECK_THROWS_WITH_AS(audit::query_location(s->url(), "SELECT 1", audit::Format::csv, slow),
                         doctest::Contains("refuses to run as role 'postgres'"), Error);
    CHECK(test::log_scalar(s->url(), "SELECT count(*) FROM findings") == "2");
  }

  TEST_CASE("audit query refuses a role granted EXECUTE on one function that reaches the server's files") {
    auto s = test::PgSchema::create("pg-query-functions");
    if (!s) return;
    AuditStore::open_url(s->url());
    const test::PgAuditor auditor(*s);
    auto admin = storage::PgConnection::open(s->url(), "test database");
    std::ostringstream out;
    audit::query_location(auditor.url(), "SELECT 1", audit::Format::csv, out);  // none granted: runs
    // As regprocedure names them in the message.
    for (const char* function : {"pg_read_file(text)", "lo_export(oid,text)"}) {
      CAPTURE(function);
      admin.exec(fmt::format("GRANT EXECUTE ON FUNCTION {} TO {}", function, auditor.role()));
      CHECK_THROWS_WITH_AS(audit::query_location(auditor.url(), "SELECT 1", audit::Format::csv, out),
                           doctest::Contains(fmt::format("which may execute {}:", function).c_str()), Error);
      admin.exec(fmt::format("REVOKE EXECUTE ON FUNCTION {} FROM {}", function, auditor.role()));
    }
  }

  TEST_CASE("the chained tables read from the catalog are those information_schema lists, for the owner and an auditor") {
    auto s = test::PgSchema::create("pg-chained-tables");
    if (!s) return;
    AuditStore::open_url(s->url())->record_review(test::sample_review("run-1", 1));
    auto owner = storage::PgConnection::open(s->url(), "test database");
    // A chained table with a dropped column, and a view with a chain's columns.
    owner.exec("CREATE TABLE extra_chain (seq BIGINT, gone TEXT, prev_hash TEXT, body TEXT, row_hash TEXT);"
               "ALTER TABLE extra_chain DROP COLUMN gone;"
               "CREATE VIEW chain_view AS SELECT seq, prev_hash, row_hash FROM review_runs");
    const test::PgAuditor auditor(*s);
    // Created after the auditor's grants: the auditor cannot read it.
    owner.exec("CREATE TABLE hidden_chain (seq BIGINT, prev_hash TEXT, row_hash TEXT)");
    auto as_auditor = storage::PgConnection::open(auditor.url(), "test database");
    const auto mine = layouts(audit::pg_chained_tables(owner)), theirs = layouts(audit::pg_chained_tables(as_auditor));
    CHECK(mine == chained_per_information_schema(owner));
    CHECK(theirs == chained_per_information_schema(as_auditor));
    CHECK(mine.find("extra_chain: seq prev_hash body\n") != std::string::npos);
    CHECK(mine.find("hidden_chain:") != std::string::npos);
    CHECK(theirs.find("hidden_chain:") == std::string::npos);
    CHECK(mine.find("chain_view") == std::string::npos);
    CHECK(mine.find("review_runs: seq prev_hash") != std::string::npos);
  }

  TEST_CASE("a schema whose name needs quoting: its own tables are chained and verified, not a lower-case twin's") {
    auto base = test::PgSchema::create("pg-quoted-schema");  // only for the server and a clean-up
    if (!base) return;
    const std::string name = fmt::format("Audit-{}", base->name()), twin = fmt::format("audit-{}", base->name());
    auto admin = storage::PgConnection::open(base->server_url(), "test database");
    admin.exec(fmt::format("CREATE SCHEMA \"{}\"; CREATE SCHEMA \"{}\"; "
                           "CREATE TABLE \"{}\".decoy_chain (seq BIGINT, prev_hash TEXT, row_hash TEXT)",
                           name, twin, twin));
    const std::string url = fmt::format("{}{}options=-csearch_path%3D%22{}%22", base->server_url(),
                                        base->server_url().find('?') == std::string::npos ? "?" : "&", name);
    try {
      AuditStore::open_url(url)->record_review(test::sample_review("run-1", 1));
      auto db = storage::PgConnection::open(url, "test database");
      const auto tables = layouts(audit::pg_chained_tables(db));
      CHECK(tables.find("review_runs: seq prev_hash") != std::string::npos);
      CHECK(tables.find("decoy_chain") == std::string::npos);
      CHECK(audit::verify_location(url).ok);
    } catch (...) {
      admin.exec(fmt::format("DROP SCHEMA \"{}\" CASCADE; DROP SCHEMA \"{}\" CASCADE", name, twin));
      throw;
    }
    admin.exec(fmt::format("DROP SCHEMA \"{}\" CASCADE; DROP SCHEMA \"{}\" CASCADE", name, twin));
  }

  TEST_CASE("text PostgreSQL cannot store is refused, not cut") {
    auto s = test::PgSchema::create("pg-nul");
    if (!s) return;
    auto store = AuditStore::open_url(s->url());
    CHECK_THROWS_WITH_AS(store->record_delivery({std::string("d\0x", 3), "ping", "", "o/r", "", true, "ok"}),
                         doctest::Contains("NUL byte"), Error);
    CHECK(store->row_count() == 0);
  }

  TEST_CASE("rows read one at a time: all of them, and a connection still usable after a throw or an error") {
    auto s = test::PgSchema::create("pg-each-row");
    if (!s) return;
    auto db = storage::PgConnection::open(s->url(), "test database");
    const std::string sql = "SELECT g, 'r' || g FROM generate_series(1, $1::int) g";
    std::vector<std::string> seen;
    db.each_row(sql, {std::int64_t{1000}}, [&](const storage::PgResult& r, int i) {
      CHECK(r.int64(i, 0) == static_cast<std::int64_t>(seen.size()) + 1);
      seen.push_back(r.text(i, 1));
    });
    REQUIRE(seen.size() == 1000);
    CHECK(seen.back() == "r1000");
    int calls = 0;
    db.each_row(sql, {std::int64_t{0}}, [&](const storage::PgResult&, int) { ++calls; });
    CHECK(calls == 0);
    // A callback's throw after a few rows: the rest is drained, the
    // exception passed on, and the transaction around it not aborted.
    db.exec("BEGIN");
    CHECK_THROWS_WITH_AS(db.each_row(sql, {std::int64_t{100000}},
                                     [&](const storage::PgResult&, int) {
                                       if (++calls == 3) throw std::runtime_error("enough");
                                     }),
                         "enough", std::runtime_error);
    CHECK(calls == 3);
    CHECK(db.exec("SELECT 41 + 1").int64(0, 0) == 42);
    db.exec("ROLLBACK");
    // An error after some rows were sent (a division by zero at row 500).
    calls = 0;
    CHECK_THROWS_WITH_AS(db.each_row("SELECT 1 / (500 - g) FROM generate_series(1, 1000) g", {},
                                     [&](const storage::PgResult&, int) { ++calls; }),
                         doctest::Contains("division by zero"), Error);
    CHECK(calls < 500);
    CHECK(db.exec("SELECT 2").int64(0, 0) == 2);
  }
}
