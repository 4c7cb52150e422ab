#include <doctest/doctest.h>

#include <sqlite3.h>

#include "reviewer/core/error.h"
#include "storage/sqlite.h"
#include "support/testutil.h"

using reviewer::storage::Connection;

namespace {

// A database in WAL mode, as both the audit log and the queue open theirs.
Connection open_wal(const std::filesystem::path& path) {
  auto db = Connection::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr, "test database");
  db.exec("PRAGMA journal_mode=WAL");
  return db;
}

}  // namespace

TEST_SUITE("storage::sqlite statements") {
  TEST_CASE("a statement's text is prepared once per connection and comes back reset, its bindings cleared") {
    const auto dir = reviewer::test::scratch_dir("sqlite-stmt");
    auto db = open_wal(dir / "q.db");
    db.exec("CREATE TABLE t(x INTEGER)");
    const char* insert = "INSERT INTO t VALUES(?1)";
    for (int i = 0; i < 5; ++i) db.cached(insert).bind(1, i).run();
    CHECK(db.kept_statements() == 1);
    {
      // Two at once of one text: the second is prepared anew, both kept.
      auto a = db.cached(insert);
      auto b = db.cached(insert);
      a.bind(1, 10).run();
      b.bind(1, 11).run();
    }
    CHECK(db.kept_statements() == 2);
    {
      auto count = db.cached("SELECT COUNT(*), SUM(x) FROM t");
      REQUIRE(count.step());
      CHECK(count.column_int64(0) == 7);
      CHECK(count.column_int64(1) == 0 + 1 + 2 + 3 + 4 + 10 + 11);
    }
    const char* probe = "SELECT ?1 IS NULL";
    {
      auto p = db.cached(probe);
      p.bind(1, 7);
      REQUIRE(p.step());
      CHECK(p.column_int64(0) == 0);
    }
    auto again = db.cached(probe);  // the kept one, its binding cleared
    REQUIRE(again.step());
    CHECK(again.column_int64(0) == 1);
    CHECK(db.kept_statements() == 3);  // two inserts and the count; the probe is in use
  }

  TEST_CASE("a read left unfinished ends when its statement is kept: a checkpoint is not held back") {
    const auto dir = reviewer::test::scratch_dir("sqlite-stmt-read");
    auto a = open_wal(dir / "q.db");
    a.exec("CREATE TABLE t(x INTEGER)");
    for (int i = 0; i < 100; ++i) a.cached("INSERT INTO t VALUES(?1)").bind(1, i).run();
    auto b = open_wal(dir / "q.db");
    auto checkpoint_busy = [&] {
      auto c = b.cached("PRAGMA wal_checkpoint(TRUNCATE)");
      REQUIRE(c.step());
      return c.column_int64(0);
    };
    {
      auto read = a.cached("SELECT x FROM t");
      REQUIRE(read.step());  // one row of 100: the read is open
      CHECK(checkpoint_busy() == 1);
    }
    CHECK(checkpoint_busy() == 0);
  }

  TEST_CASE("prepare() gives a statement of its own, finalized and not kept") {
    const auto dir = reviewer::test::scratch_dir("sqlite-stmt-own");
    auto db = open_wal(dir / "q.db");
    for (int i = 0; i < 3; ++i) {
      auto q = db.prepare("SELECT 1");
      REQUIRE(q.step());
    }
    CHECK(db.kept_statements() == 0);
  }

  TEST_CASE("a statement may outlive its Connection object: the handle closes once the statement is gone") {
    const auto dir = reviewer::test::scratch_dir("sqlite-stmt-outlive");
    reviewer::storage::Statement held;
    {
      auto db = open_wal(dir / "q.db");
      db.exec("CREATE TABLE t(x INTEGER); INSERT INTO t VALUES(42)");
      held = db.cached("SELECT x FROM t");
    }
    // The connection object is gone; its handle stays open for the statement.
    REQUIRE(held.step());
    CHECK(held.column_int64(0) == 42);
  }

  TEST_CASE("errors name the file with the connection's label; a lock held elsewhere is transient") {
    const auto dir = reviewer::test::scratch_dir("sqlite-errors");
    auto a = open_wal(dir / "q.db");
    a.exec("CREATE TABLE t(x INTEGER)");
    auto b = open_wal(dir / "q.db");
    b.set_busy_timeout(10);
    CHECK(b.busy_timeout() == 10);
    a.exec("BEGIN IMMEDIATE");
    try {
      b.cached("INSERT INTO t VALUES(1)").run();
      FAIL("wrote past another writer's lock");
    } catch (const reviewer::Error& e) {
      CHECK(std::string(e.what()).find("test database '" + (dir / "q.db").string() + "' is locked") !=
            std::string::npos);
      CHECK(e.transient());
    }
    a.exec("ROLLBACK");
    b.cached("INSERT INTO t VALUES(1)").run();  // the kept statement is usable after the error
    CHECK(b.changes() == 1);
    CHECK(b.last_insert_id() == 1);
  }
}
