#include "support/pg_cluster.h"

#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "storage/postgres.h"
#include "support/testutil.h"

namespace reviewer::test {

std::optional<PgCluster> PgCluster::create(const std::string& label) {
  PgCluster c;
  c.bindir_ = env_or_empty("REVIEWER_TEST_PG_BINDIR");
  if (c.bindir_.empty()) {
    if (env_or_empty("REVIEWER_TEST_REQUIRE_POSTGRES") == "1") {
      FAIL("REVIEWER_TEST_PG_BINDIR is not set but REVIEWER_TEST_REQUIRE_POSTGRES=1: '", label, "' cannot run");
    }
    MESSAGE("skipped '", label, "': no PostgreSQL (run the tests through scripts/with-postgres.sh)");
    return std::nullopt;
  }
  c.run_as_ = env_or_empty("REVIEWER_TEST_PG_USER");
  char tmpl[] = "/tmp/rvpg.XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  c.dir_ = tmpl;
  std::filesystem::permissions(c.dir_, std::filesystem::perms(0755));
  std::filesystem::create_directories(c.dir_ / "data");
  std::filesystem::create_directories(c.dir_ / "socket");
  if (!c.run_as_.empty()) {
    const passwd* pw = ::getpwnam(c.run_as_.c_str());
    if (!pw) throw std::runtime_error("no user " + c.run_as_);
    for (const char* sub : {"data", "socket"}) {
      if (::chown((c.dir_ / sub).c_str(), pw->pw_uid, pw->pw_gid) != 0) throw std::runtime_error("chown failed");
    }
  }
  std::string out;
  std::string prefix = c.run_as_.empty() ? "" : "runuser -u " + c.run_as_ + " -- ";
  if (run_command(fmt::format("{}{}/initdb -D {} -U postgres --auth=trust -E UTF8 --locale=C.UTF-8", prefix,
                              c.bindir_, (c.dir_ / "data").string()),
                  &out, true) != 0) {
    throw std::runtime_error("initdb failed: " + out);
  }
  c.start();
  auto db = storage::PgConnection::open(fmt::format("postgresql://postgres@/postgres?host={}", (c.dir_ / "socket").string()),
                                        "test cluster");
  db.exec("CREATE DATABASE reviewer");
  return c;
}

PgCluster::PgCluster(PgCluster&& o) noexcept
    : bindir_(std::move(o.bindir_)), run_as_(std::move(o.run_as_)), dir_(std::move(o.dir_)) {
  o.dir_.clear();
}

PgCluster::~PgCluster() {
  if (dir_.empty()) return;
  pg_ctl("-m immediate stop");
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string PgCluster::url() const {
  return fmt::format("postgresql://postgres@/reviewer?host={}", (dir_ / "socket").string());
}

int PgCluster::pg_ctl(const std::string& args) const {
  std::string prefix = run_as_.empty() ? "" : "runuser -u " + run_as_ + " -- ";
  std::string out;
  return run_command(fmt::format("{}{}/pg_ctl -D {} -l {} -w -t 30 -o \"-c listen_addresses='' -c "
                                 "unix_socket_directories='{}'\" {}",
                                 prefix, bindir_, (dir_ / "data").string(), (dir_ / "socket" / "server.log").string(),
                                 (dir_ / "socket").string(), args),
                     &out, true);
}

void PgCluster::stop() {
  if (pg_ctl("-m fast stop") != 0) throw std::runtime_error("pg_ctl stop failed");
}

void PgCluster::start() {
  if (pg_ctl("start") != 0) throw std::runtime_error("pg_ctl start failed");
}

int PgCluster::terminate_backends() {
  auto db = storage::PgConnection::open(url(), "test cluster");
  auto r = db.exec(
      "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
      "WHERE datname = current_database() AND pid <> pg_backend_pid()) t");
  return static_cast<int>(r.int64(0, 0));
}

}  // namespace reviewer::test
