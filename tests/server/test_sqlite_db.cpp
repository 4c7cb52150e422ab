#include <doctest/doctest.h>

#include "reviewer/server/sqlite_db.h"
#include "support/testutil.h"

using namespace reviewer::server;

TEST_SUITE("server::sqlite statements") {
  TEST_CASE("a statement's text is prepared once per connection and comes back reset, its bindings cleared") {
    const auto dir = reviewer::test::scratch_dir("sqlite-stmt");
    Db db(dir / "q.db");
    db.exec("CREATE TABLE t(x INTEGER)");
    const char* insert = "INSERT INTO t VALUES(?1)";
    for (int i = 0; i < 5; ++i) Stmt(db, insert).bind(1, i).run();
    CHECK(db.kept_statements() == 1);
    {
      // Two at once of one text: the second is prepared anew, both kept.
      Stmt a(db, insert), b(db, insert);
      a.bind(1, 10).run();
      b.bind(1, 11).run();
    }
    CHECK(db.kept_statements() == 2);
    {
      Stmt count(db, "SELECT COUNT(*), SUM(x) FROM t");
      REQUIRE(count.step());
      CHECK(count.int64(0) == 7);
      CHECK(count.int64(1) == 0 + 1 + 2 + 3 + 4 + 10 + 11);
    }
    const char* probe = "SELECT ?1 IS NULL";
    {
      Stmt p(db, probe);
      p.bind(1, 7);
      REQUIRE(p.step());
      CHECK(p.int64(0) == 0);
    }
    Stmt again(db, probe);  // the kept one, its binding cleared
    REQUIRE(again.step());
    CHECK(again.int64(0) == 1);
    CHECK(db.kept_statements() == 3);  // two inserts and the count; the probe is in use
  }

  TEST_CASE("a read left unfinished ends when its statement is kept: a checkpoint is not held back") {
    const auto dir = reviewer::test::scratch_dir("sqlite-stmt-read");
    Db a(dir / "q.db");
    a.exec("CREATE TABLE t(x INTEGER)");
    for (int i = 0; i < 100; ++i) Stmt(a, "INSERT INTO t VALUES(?1)").bind(1, i).run();
    Db b(dir / "q.db");
    auto checkpoint_busy = [&] {
      Stmt c(b, "PRAGMA wal_checkpoint(TRUNCATE)");
      REQUIRE(c.step());
      return c.int64(0);
    };
    {
      Stmt read(a, "SELECT x FROM t");
      REQUIRE(read.step());  // one row of 100: the read is open
      CHECK(checkpoint_busy() == 1);
    }
    CHECK(checkpoint_busy() == 0);
  }
}
