// Append-only by role (issue 20): the GRANTs of the README's PostgreSQL
// section, applied to roles of a test schema. `serve`'s role may only
// SELECT and INSERT the audit tables, the auditors' role only SELECT with
// default_transaction_read_only; both are refused UPDATE, DELETE and
// TRUNCATE by their privileges, even with the append-only triggers gone.
#include <doctest/doctest.h>

#include <chrono>
#include <sstream>
#include <utility>

#include <fmt/format.h>

#include "audit/migrate.h"
#include "audit/query.h"
#include "audit/store.h"
#include "audit/verify.h"
#include "audit_fixtures.h"
#include "reviewer/core/error.h"
#include "reviewer/server/job.h"
#include "reviewer/server/queue.h"
#include "storage/postgres.h"
#include "support/postgres.h"
#include "support/testutil.h"

using namespace reviewer;
using reviewer::audit::AuditStore;

namespace pg_roles_test {

constexpr std::string_view kPermissionDenied = "42501";

// A login role for the schema's tables, dropped with its grants at the end.
class Role {
 public:
  Role(const test::PgSchema& s, const std::string& suffix)
      : admin_(storage::PgConnection::open(s.url(), "test")), name_(s.name() + "_" + suffix), url_(s.url()) {
    admin_.exec("CREATE ROLE " + name_ + " LOGIN");
    url_.replace(url_.find("postgres@"), 9, name_ + "@");
  }
  ~Role() {
    try {
      admin_.exec("DROP OWNED BY " + name_);
      admin_.exec("DROP ROLE " + name_);
    } catch (...) {
      // The cluster is thrown away at the end of the run anyway.
    }
  }
  Role(const Role&) = delete;
  Role& operator=(const Role&) = delete;
  // Runs the README's GRANTs, with `reviewer` and `auditor` standing for this role.
  void grant(const std::string& sql) { admin_.exec(sql); }
  const std::string& url() const { return url_; }

 private:
  storage::PgConnection admin_;
  std::string name_, url_;
};

// The SQLSTATE of running `sql` as the role's connection; "" when it ran.
std::string refusal(storage::PgConnection& db, const std::string& sql) {
  try {
    db.exec(sql);
  } catch (const storage::PgError& e) {
    return e.sqlstate();
  }
  return "";
}

// The README's grants for serve's role, before and after the owner creates
// the tables (the test schema stands for `public`, the superuser for the
// owner).
void readme_grants_before(const test::PgSchema& s, Role& role, const std::string& name) {
  role.grant("ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA " + s.name() + " GRANT SELECT, INSERT ON TABLES TO " +
             name);
  role.grant("ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA " + s.name() + " GRANT USAGE ON SEQUENCES TO " +
             name);
  role.grant("GRANT USAGE ON SCHEMA " + s.name() + " TO " + name);
}
void readme_grants_after(Role& role, const std::string& name) {
  role.grant("GRANT UPDATE, DELETE ON queue_meta, queue_deliveries, queue_jobs, queue_repo_turns, "
             "queue_installation_turns TO " + name);
  role.grant("GRANT UPDATE ON audit_chain_lock TO " + name);
}

// The README's set-up step, as the owner: `reviewer audit migrate --to URL`.
void owner_migrates(const test::PgSchema& s) {
  std::string out;
  CHECK(test::run_command(std::string(REVIEWER_BINARY) + " audit migrate --to '" + s.url() + "' 2>&1", &out) == 0);
  CHECK(out.find("at this build's schema") != std::string::npos);
}

void drop_triggers(const test::PgSchema& s, const std::string& table) {
  auto db = storage::PgConnection::open(s.url(), "test");
  for (const char* what : {"update", "delete", "truncate"}) {
    db.exec("DROP TRIGGER " + table + "_no_" + what + " ON " + table);
  }
}

}  // namespace pg_roles_test

TEST_SUITE("audit PostgreSQL roles") {
  TEST_CASE("serve's role records reviews with SELECT and INSERT only; UPDATE, DELETE, TRUNCATE are not its to do") {
    auto s = test::PgSchema::create("pg-role-writer");
    if (!s) return;
    pg_roles_test::Role writer(*s, "writer");
    pg_roles_test::readme_grants_before(*s, writer, s->name() + "_writer");
    pg_roles_test::owner_migrates(*s);
    pg_roles_test::readme_grants_after(writer, s->name() + "_writer");

    auto store = AuditStore::open_url(writer.url());
    store->record_review(test::sample_review("run-1", 2));
    store->record_review(test::sample_review("run-2", 0, 43));
    CHECK(store->row_count() > 0);
    CHECK(audit::verify_location(writer.url()).exit_code() == 0);

    // The owner removes the triggers of one table: only the privileges stand.
    pg_roles_test::drop_triggers(*s, "review_runs");
    auto db = storage::PgConnection::open(writer.url(), "test");
    CHECK(pg_roles_test::refusal(db, "UPDATE review_runs SET decision = 'approve'") == pg_roles_test::kPermissionDenied);
    CHECK(pg_roles_test::refusal(db, "DELETE FROM review_runs") == pg_roles_test::kPermissionDenied);
    CHECK(pg_roles_test::refusal(db, "TRUNCATE review_runs") == pg_roles_test::kPermissionDenied);
    CHECK(pg_roles_test::refusal(db, "DROP TABLE review_runs") == pg_roles_test::kPermissionDenied);
    CHECK(test::log_scalar(s->url(), "SELECT count(*) FROM review_runs") == "2");
    CHECK(pg_roles_test::refusal(db, "SELECT count(*) FROM review_runs").empty());

    // Through `audit query`, a role that may INSERT (and take ids) writes
    // nothing: the transaction is read-only whatever the role's privileges.
    const std::string sequence_before =
        test::log_scalar(s->url(), "SELECT last_value FROM " + s->name() + ".queue_jobs_id_seq");
    const std::pair<const char*, const char*> refused[] = {
        {"INSERT INTO deliveries SELECT * FROM deliveries", "cannot execute INSERT in a read-only transaction"},
        {"WITH w AS (INSERT INTO deliveries SELECT * FROM deliveries RETURNING 1) SELECT * FROM w",
         "cannot execute SELECT in a read-only transaction"},  // PostgreSQL names the outer statement
        {"SELECT nextval(pg_get_serial_sequence('queue_jobs', 'id'))", "in a read-only transaction"},
        {"SELECT set_config('transaction_read_only', 'off', true)", "read-write mode must be set before any query"}};
    for (const auto& [sql, why] : refused) {
      CAPTURE(sql);
      std::ostringstream ignored;
      CHECK_THROWS_WITH_AS(audit::query_location(writer.url(), sql, audit::Format::csv, ignored),
                           doctest::Contains(why), Error);
    }
    CHECK(test::log_scalar(s->url(), "SELECT count(*) FROM deliveries") == "0");
    CHECK(test::log_scalar(s->url(), "SELECT last_value FROM " + s->name() + ".queue_jobs_id_seq") == sequence_before);
  }

  TEST_CASE("serve's role, which may not CREATE, hears that the schema is newer, or that the owner must migrate") {
    auto s = test::PgSchema::create("pg-role-versions");
    if (!s) return;
    pg_roles_test::Role writer(*s, "versions");
    pg_roles_test::readme_grants_before(*s, writer, s->name() + "_versions");
    const int latest = audit::latest_schema_version();
    // Not migrated yet: the message says who must run what.
    try {
      AuditStore::open_url(writer.url());
      FAIL("a role without CREATE migrated the schema");
    } catch (const Error& e) {
      const std::string m = e.what();
      CHECK(m.find(fmt::format("schema version 0, this build needs {}", latest)) != std::string::npos);
      CHECK(m.find("run `reviewer audit migrate --to URL` as the database's owner") != std::string::npos);
    }
    pg_roles_test::owner_migrates(*s);
    pg_roles_test::readme_grants_after(writer, s->name() + "_versions");
    const std::string views = test::log_scalar(s->url(), "SELECT value FROM schema_meta WHERE key = 'views_sha256'");
    // A newer reviewer migrated since (its views differ too): both versions
    // named, and nothing of the newer schema touched.
    auto owner = storage::PgConnection::open(s->url(), "test");
    owner.exec(fmt::format("INSERT INTO schema_migrations VALUES ({}, '999_future.sql', 'x')", latest + 1));
    owner.exec("UPDATE schema_meta SET value = 'newer' WHERE key = 'views_sha256'");
    try {
      AuditStore::open_url(writer.url());
      FAIL("a newer schema was accepted");
    } catch (const Error& e) {
      const std::string m = e.what();
      CHECK(m.find(fmt::format("schema version {}, newer", latest + 1)) != std::string::npos);
      CHECK(m.find(fmt::format("(up to {})", latest)) != std::string::npos);
    }
    // Nor by its owner: an older binary never downgrades the views.
    CHECK_THROWS_WITH_AS(AuditStore::open_url(s->url()), doctest::Contains("newer"), Error);
    CHECK(test::log_scalar(s->url(), "SELECT value FROM schema_meta WHERE key = 'views_sha256'") == "newer");
    CHECK_FALSE(views.empty());
  }

  TEST_CASE("serve's role on a queue from before queue_schema_migrations hears that the owner must migrate") {
    auto s = test::PgSchema::create("pg-role-queue-versions");
    if (!s) return;
    pg_roles_test::Role writer(*s, "queue");
    pg_roles_test::readme_grants_before(*s, writer, s->name() + "_queue");
    pg_roles_test::owner_migrates(*s);
    pg_roles_test::readme_grants_after(writer, s->name() + "_queue");
    // What an older build's `audit migrate --to` left: the version in queue_meta only.
    test::log_scalar(s->url(), "DROP TABLE queue_schema_migrations");
    try {
      server::JobQueue::open_postgres(writer.url(), {});
      FAIL("a role without CREATE migrated the queue");
    } catch (const Error& e) {
      const std::string m = e.what();
      CHECK(m.find("has queue schema version 5, this build needs 5") != std::string::npos);
      CHECK(m.find("run `reviewer audit migrate --to URL` as the database's owner") != std::string::npos);
    }
    pg_roles_test::owner_migrates(*s);  // the README's step after an upgrade
    CHECK(test::log_scalar(s->url(), "SELECT count(*) FROM queue_schema_migrations") == "5");
    server::JobQueue::open_postgres(writer.url(), {});
  }

  TEST_CASE("the auditors' role reads with default_transaction_read_only and SELECT only") {
    auto s = test::PgSchema::create("pg-role-auditor");
    if (!s) return;
    pg_roles_test::Role auditor(*s, "auditor");
    const std::string role = s->name() + "_auditor";
    auditor.grant("ALTER ROLE " + role + " SET default_transaction_read_only = on");
    auditor.grant("ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA " + s->name() + " GRANT SELECT ON TABLES TO " +
                  role);
    auditor.grant("GRANT USAGE ON SCHEMA " + s->name() + " TO " + role);
    pg_roles_test::owner_migrates(*s);
    AuditStore::open_url(s->url())->record_review(test::sample_review("run-1", 1));

    std::ostringstream out;
    audit::query_location(auditor.url(), "SELECT run_id FROM review_runs", audit::Format::csv, out);
    CHECK(out.str() == "run_id\r\nrun-1\r\n");
    pg_roles_test::drop_triggers(*s, "review_runs");
    auto db = storage::PgConnection::open(auditor.url(), "test");
    CHECK(db.exec("SHOW default_transaction_read_only").text(0, 0) == "on");
    // Even a session that switches read-only off is refused by privileges.
    db.exec("SET default_transaction_read_only = off");
    CHECK(pg_roles_test::refusal(db, "UPDATE review_runs SET decision = 'approve'") == pg_roles_test::kPermissionDenied);
    CHECK(pg_roles_test::refusal(db, "DELETE FROM review_runs") == pg_roles_test::kPermissionDenied);
    CHECK(pg_roles_test::refusal(db, "TRUNCATE review_runs") == pg_roles_test::kPermissionDenied);
    CHECK(pg_roles_test::refusal(db, "INSERT INTO review_runs SELECT * FROM review_runs") ==
          pg_roles_test::kPermissionDenied);
    CHECK(test::log_scalar(s->url(), "SELECT count(*) FROM review_runs") == "1");
  }

  TEST_CASE("serve's queue works with the README's grants on the queue tables") {
    auto s = test::PgSchema::create("pg-role-queue");
    if (!s) return;
    pg_roles_test::Role writer(*s, "queue");
    pg_roles_test::readme_grants_before(*s, writer, s->name() + "_queue");
    pg_roles_test::owner_migrates(*s);
    pg_roles_test::readme_grants_after(writer, s->name() + "_queue");

    auto q = server::JobQueue::open_postgres(writer.url(), {});
    server::IntakeItem item;
    item.delivery = {"d-1", "pull_request", "opened", "o/r", "{}", "{\"x\":1}", "queued"};
    item.job = server::JobSpec{"review", "o/r", 7, "abc", true};
    CHECK(q->enqueue({item}) == std::vector<server::IntakeOutcome>{server::IntakeOutcome::stored});
    CHECK(q->writable());
    auto job = q->claim(std::chrono::seconds(60));
    REQUIRE(job);
    CHECK(q->finish(*job, {JobResult::Status::done, "", {}}) == "done");
    // The totals are folded through the owner's function: the role may not
    // write them itself.
    CHECK(q->fold_totals() == 1);
    CHECK(q->stats().ended_total.at("done") == 1);
    // Its role cannot rewrite the schema the owner keeps.
    auto db = storage::PgConnection::open(writer.url(), "test");
    CHECK(pg_roles_test::refusal(db, "DROP TABLE queue_jobs") == pg_roles_test::kPermissionDenied);
    CHECK(pg_roles_test::refusal(db, "UPDATE queue_job_totals SET n = 0") == pg_roles_test::kPermissionDenied);
  }
}
