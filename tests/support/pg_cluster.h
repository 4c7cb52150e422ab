// A PostgreSQL cluster of one test's own, for tests that stop the server or
// cut its connections: doing that to the run's shared cluster
// (scripts/with-postgres.sh) would break the tests running beside them.
// initdb into a fresh folder under /tmp (a Unix socket path must stay
// short), a Unix socket only, run as REVIEWER_TEST_PG_USER when set (the
// script sets it when it runs as root); stopped and deleted by the
// destructor, so a failing test leaves no server behind.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace reviewer::test {

class PgCluster {
 public:
  // A running cluster with an empty database `reviewer`; nullopt when the
  // tests run without PostgreSQL (failing the test when they must have it,
  // as PgSchema::create does).
  static std::optional<PgCluster> create(const std::string& label);
  ~PgCluster();
  PgCluster(PgCluster&& other) noexcept;
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;
  PgCluster& operator=(PgCluster&&) = delete;

  // postgresql://postgres@/reviewer?host=<socket folder> (a superuser).
  std::string url() const;
  // pg_ctl stop -m fast: connections are cut, the socket goes away.
  void stop();
  void start();
  // Ends every other session on the database, as an administrator or a
  // fail-over would; returns how many.
  int terminate_backends();

 private:
  PgCluster() = default;
  int pg_ctl(const std::string& args) const;
  std::string bindir_, run_as_;
  std::filesystem::path dir_;
};

}  // namespace reviewer::test
