// `audit verify` on PostgreSQL compares the log's catalog with what this
// build's migrations create (audit/pg_schema_check.h): each tamper here
// leaves every row and its chain intact, so only that comparison sees it.
#include <doctest/doctest.h>

#include <string>

#include "audit/store.h"
#include "audit/verify.h"
#include "audit_fixtures.h"
#include "support/postgres.h"
#include "support/testutil.h"

using namespace reviewer;
using reviewer::audit::AuditStore;

namespace {

// Verifies `url`, expecting a failure whose message starts with `prefix`.
void catalog_check_fails(const std::string& url, const std::string& prefix) {
  const auto r = audit::verify_location(url);
  CHECK_FALSE(r.ok);
  CHECK_MESSAGE(r.message.starts_with(prefix), r.message);
}

}  // namespace

TEST_SUITE("audit::verify") {
  TEST_CASE(
      "on PostgreSQL, a column type, an extra column, a dropped index, a view hiding rows, a narrowed "
      "trigger are named") {
    auto s = test::PgSchema::create("verify-catalog");
    if (!s) return;
    const std::string at = s->url();
    {
      auto store = AuditStore::open_location(at);
      for (const char* id : {"run-a", "run-b"}) store->record_review(test::sample_review(id, 3));
    }
    REQUIRE(audit::verify_location(at).ok);

    // Values still fit, rows and chain read back the same.
    test::log_exec(at, "ALTER TABLE findings ALTER COLUMN end_line TYPE integer");
    catalog_check_fails(at,
                        "column findings.end_line differs from the audit schema: it has `integer not null");
    test::log_exec(at, "ALTER TABLE findings ALTER COLUMN end_line TYPE bigint");

    test::log_exec(at, "ALTER TABLE dead_letters ADD COLUMN note text");
    catalog_check_fails(at, "column dead_letters.note is not part of the audit schema");
    test::log_exec(at, "ALTER TABLE dead_letters DROP COLUMN note");

    const std::string index = test::log_scalar(at, "SELECT pg_get_indexdef('findings_run'::regclass)");
    test::log_exec(at, "DROP INDEX findings_run");
    catalog_check_fails(at, "index findings_run of the audit schema is missing");
    test::log_exec(at, index);

    // The same columns, no rows: what an auditor's query of it would say.
    const std::string view = test::log_scalar(at, "SELECT pg_get_viewdef('v_decisions'::regclass)");
    test::log_exec(at, "CREATE OR REPLACE VIEW v_decisions AS SELECT * FROM (" +
                           view.substr(0, view.rfind(';')) + ") AS v WHERE false");
    catalog_check_fails(at, "view v_decisions differs from the audit schema: it has `");
    test::log_exec(at, "CREATE OR REPLACE VIEW v_decisions AS " + view);

    // A trigger that still raises, but only for an UPDATE of one column.
    test::log_exec(
        at,
        "DROP TRIGGER findings_no_update ON findings; CREATE TRIGGER findings_no_update BEFORE UPDATE "
        "OF message ON findings FOR EACH ROW EXECUTE FUNCTION audit_append_only()");
    catalog_check_fails(at, "trigger findings.findings_no_update differs from the audit schema: it has `");
    // Another table's append-only trigger name on this one, dropping rows
    // as they are written: the name is ours, the table is not.
    test::log_exec(at,
                   "CREATE FUNCTION drop_rows() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$; "
                   "CREATE TRIGGER review_runs_no_update BEFORE INSERT ON findings FOR EACH ROW "
                   "EXECUTE FUNCTION drop_rows()");
    {
      const auto r = audit::verify_location(at);
      CHECK_FALSE(r.ok);
      CHECK_MESSAGE(r.message.find("review_runs_no_update") != std::string::npos, r.message);
    }
    test::log_exec(at, "DROP TRIGGER review_runs_no_update ON findings; DROP FUNCTION drop_rows()");
    // Each tamper undone (each message above named its own object): the log passes again.
    test::log_exec(
        at,
        "DROP TRIGGER findings_no_update ON findings; CREATE TRIGGER findings_no_update BEFORE UPDATE "
        "ON findings FOR EACH ROW EXECUTE FUNCTION audit_append_only()");
    CHECK(audit::verify_location(at).ok);
  }

  TEST_CASE("on PostgreSQL, the auditor's read-only SELECT-only role compares the schema too") {
    auto s = test::PgSchema::create("verify-catalog-auditor");
    if (!s) return;
    AuditStore::open_location(s->url())->record_review(test::sample_review("run-a", 2));
    test::PgAuditor auditor(*s);
    test::log_exec(s->url(), "ALTER ROLE " + auditor.role() + " SET default_transaction_read_only = on");
    const auto clean = audit::verify_location(auditor.url());
    CHECK_MESSAGE(clean.ok, clean.message);
    test::log_exec(s->url(), "ALTER TABLE findings ALTER COLUMN suggestion TYPE varchar(4000)");
    catalog_check_fails(auditor.url(), "column findings.suggestion differs from the audit schema");
    // Its session stayed read-only: the comparison wrote nothing lasting.
    CHECK(test::log_scalar(s->url(),
                           "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                           "WHERE n.nspname LIKE 'pg_temp%' AND c.relname = 'findings'") == "0");
  }
}
