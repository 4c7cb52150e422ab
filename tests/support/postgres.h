// The PostgreSQL test server, for tests of the storage backends.
//
// scripts/with-postgres.sh (which scripts/test.sh and so CI use) starts a
// throw-away cluster and sets REVIEWER_TEST_DATABASE_URL. Each test gets a
// schema of its own in it (dropped at the end), so tests run in parallel
// without seeing each other's tables. Without the URL, a test that needs it
// fails when REVIEWER_TEST_REQUIRE_POSTGRES=1 (CI) and is otherwise
// skipped with a message saying how to run it.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace reviewer::test {

class PgSchema {
 public:
  // A fresh empty schema named after `label`; nullopt when there is no
  // test server (after failing or warning as said above).
  static std::optional<PgSchema> create(const std::string& label);
  ~PgSchema();
  PgSchema(PgSchema&& other) noexcept;
  PgSchema(const PgSchema&) = delete;
  PgSchema& operator=(const PgSchema&) = delete;
  PgSchema& operator=(PgSchema&&) = delete;

  // A libpq URL whose connections use this schema (search_path).
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }
  // The server's URL without the schema (a superuser connection).
  const std::string& server_url() const { return server_url_; }

 private:
  PgSchema() = default;
  std::string server_url_, name_, url_;
};

// A login role that may only read `schema`'s tables (the README's
// auditor), created now (after the tables: grants cover those present) and
// dropped with this object.
class PgAuditor {
 public:
  explicit PgAuditor(const PgSchema& schema) : PgAuditor(schema.url(), schema.name()) {}
  PgAuditor(const std::string& schema_url, const std::string& schema_name);
  ~PgAuditor();
  PgAuditor(const PgAuditor&) = delete;
  PgAuditor& operator=(const PgAuditor&) = delete;
  // The schema's URL, connecting as the auditor.
  const std::string& url() const { return url_; }
  const std::string& role() const { return role_; }

 private:
  std::string admin_url_, role_, url_;
};

// Where an auditor reads the log at `location` (either backend): the
// SQLite file itself, or a PgAuditor of the schema, made now (after the
// tables) and dropped with this object; audit query refuses the test
// server's superuser.
class LogAuditor {
 public:
  explicit LogAuditor(const std::string& location);
  const std::string& url() const { return url_; }

 private:
  std::optional<PgAuditor> pg_;
  std::string url_;
};

// `schema_url` (a PgSchema's url(), whose options end with its search_path)
// with REPEATABLE READ as its sessions' default_transaction_isolation, as
// a role's or a database's setting would make it.
std::string with_repeatable_read_default(const std::string& schema_url);

// Runs `body` once per audit backend, in doctest subcases "sqlite" (a file
// in a scratch folder) and "postgresql" (a fresh schema), passing the
// location AuditStore::open_location and verify_location take. Call it
// once per test case.
void on_each_backend(const std::string& label, const std::function<void(const std::string& location)>& body);

// The first column of the first row of `sql` run on the log at `location`
// (either backend), bypassing the store: for checks and tampering.
std::string log_scalar(const std::string& location, const std::string& sql);

}  // namespace reviewer::test
