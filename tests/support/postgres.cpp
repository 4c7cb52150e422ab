#include "support/postgres.h"

#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "storage/postgres.h"
#include "storage/sqlite.h"
#include "support/testutil.h"

namespace reviewer::test {

std::optional<PgSchema> PgSchema::create(const std::string& label) {
  std::string server = env_or_empty("REVIEWER_TEST_DATABASE_URL");
  if (server.empty()) {
    if (env_or_empty("REVIEWER_TEST_REQUIRE_POSTGRES") == "1") {
      FAIL("REVIEWER_TEST_DATABASE_URL is not set but REVIEWER_TEST_REQUIRE_POSTGRES=1: the PostgreSQL tests "
           "cannot run");
    }
    MESSAGE("skipped the PostgreSQL part of '", label,
            "': no test server (run the tests through scripts/with-postgres.sh)");
    return std::nullopt;
  }
  static std::atomic<int> counter{0};
  PgSchema s;
  s.server_url_ = server;
  s.name_ = fmt::format("t{}_{}", ::getpid(), counter++);
  auto db = storage::PgConnection::open(server, "test database");
  db.exec(fmt::format("CREATE SCHEMA {}", s.name_));
  s.url_ = fmt::format("{}{}options=-csearch_path%3D{}", server, server.find('?') == std::string::npos ? "?" : "&",
                       s.name_);
  return s;
}

PgSchema::PgSchema(PgSchema&& o) noexcept
    : server_url_(std::move(o.server_url_)), name_(std::move(o.name_)), url_(std::move(o.url_)) {
  o.name_.clear();
}

PgSchema::~PgSchema() {
  if (name_.empty()) return;
  try {
    auto db = storage::PgConnection::open(server_url_, "test database");
    db.exec(fmt::format("DROP SCHEMA {} CASCADE", name_));
  } catch (...) {
    // The cluster is thrown away at the end of the run anyway.
  }
}

PgAuditor::PgAuditor(const std::string& schema_url, const std::string& schema_name)
    : admin_url_(schema_url), role_(schema_name + "_auditor") {
  auto admin = storage::PgConnection::open(admin_url_, "test database");
  admin.exec("CREATE ROLE " + role_ + " LOGIN");
  admin.exec("GRANT USAGE ON SCHEMA " + schema_name + " TO " + role_);
  admin.exec("GRANT SELECT ON ALL TABLES IN SCHEMA " + schema_name + " TO " + role_);
  url_ = admin_url_;
  url_.replace(url_.find("postgres@"), 9, role_ + "@");
}

PgAuditor::~PgAuditor() {
  try {
    auto admin = storage::PgConnection::open(admin_url_, "test database");
    admin.exec("DROP OWNED BY " + role_);
    admin.exec("DROP ROLE " + role_);
  } catch (...) {
    // The cluster is thrown away at the end of the run anyway.
  }
}

LogAuditor::LogAuditor(const std::string& location) : url_(location) {
  if (!storage::is_postgres_url(location)) return;
  // PgSchema::url() ends with its search_path.
  constexpr std::string_view kPath = "search_path%3D";
  const auto at = location.find(kPath);
  REQUIRE(at != std::string::npos);
  const auto from = at + kPath.size();
  pg_.emplace(location, location.substr(from, location.find_first_of("%&", from) - from));
  url_ = pg_->url();
}

std::string with_repeatable_read_default(const std::string& schema_url) {
  return schema_url + "%20-cdefault_transaction_isolation%3Drepeatable%5C%20read";  // libpq escapes the space
}

void on_each_backend(const std::string& label, const std::function<void(const std::string& location)>& body) {
  SUBCASE("sqlite") { body((scratch_dir(label) / "audit.db").string()); }
  SUBCASE("postgresql") {
    if (auto schema = PgSchema::create(label)) body(schema->url());
  }
}

std::string log_scalar(const std::string& location, const std::string& sql) {
  if (storage::is_postgres_url(location)) {
    auto db = storage::PgConnection::open(location, "test database");
    auto r = db.exec(sql);
    return r.rows() > 0 && r.columns() > 0 ? r.text(0, 0) : "";
  }
  auto db = storage::Connection::open(location, SQLITE_OPEN_READWRITE);
  // A test may read while another process writes (and checkpoints): wait
  // for its lock as a reader of the log would, instead of failing at once.
  db.set_busy_timeout(60000);
  auto st = db.prepare(sql);
  return st.step() ? st.column_text(0) : "";
}

}  // namespace reviewer::test
