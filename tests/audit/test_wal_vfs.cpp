#include <doctest/doctest.h>

#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include <fmt/format.h>

#include "audit/db.h"
#include "audit/store.h"
#include "audit/verify.h"
#include "storage/wal_vfs.h"
#include "audit_fixtures.h"
#include "reviewer/core/error.h"
#include "support/testutil.h"

using namespace reviewer;
using reviewer::audit::AuditStore;
using reviewer::audit::Connection;

TEST_SUITE("audit combining WAL VFS") {
  TEST_CASE("commits of every size written through it are read whole by connections on the default VFS") {
    auto path = test::scratch_dir("wal-vfs") / "t.db";
    const char* vfs = storage::combining_wal_vfs();
    REQUIRE(vfs != nullptr);
    auto writer = Connection::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs);
    writer.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0;");
    // A small page cache makes the large transactions spill frames to the
    // WAL before their commit, and rewrite them: every path of the writer.
    writer.exec("PRAGMA cache_size = 20; CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL);");
    auto reader = Connection::open(path, SQLITE_OPEN_READONLY);
    std::int64_t rows = 0, bytes = 0;
    for (int rows_in_commit : {1, 3, 40, 400, 3000, 1, 12000, 2}) {
      writer.exec("BEGIN");
      auto ins = writer.prepare("INSERT INTO t (v) VALUES (?)");
      for (int i = 0; i < rows_in_commit; ++i) {
        std::size_t n = 100 + static_cast<std::size_t>(i * 37) % 900;
        ins.bind(1, std::string(n, static_cast<char>('a' + i % 26)));
        bytes += static_cast<std::int64_t>(n);
        ins.step();
        ins.reset();
      }
      ins = audit::Statement();
      writer.exec("COMMIT");
      rows += rows_in_commit;
      CHECK(test::scalar(reader, "SELECT count(*) FROM t") == rows);
    }
    // The data itself, read on the other VFS, is intact.
    auto ok = reader.prepare("PRAGMA integrity_check");
    REQUIRE(ok.step());
    CHECK(ok.column_text(0) == "ok");
    CHECK(test::scalar(reader, "SELECT sum(length(v)) FROM t") == bytes);
  }

  TEST_CASE("a write the file system refuses fails that run with a clear error and keeps every earlier run") {
    auto dir = test::scratch_dir("wal-vfs-fsize");
    auto path = dir / "audit.db";
    auto report = dir / "child.txt";
    AuditStore::open(path);  // created and migrated without a limit
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      // A file may grow to 2 MB: the WAL fills up after a few dozen runs,
      // as on a full disk (write() fails with EFBIG instead of ENOSPC).
      ::signal(SIGXFSZ, SIG_IGN);
      rlimit limit{2 * 1024 * 1024, 2 * 1024 * 1024};
      ::setrlimit(RLIMIT_FSIZE, &limit);
      int written = 0;
      std::string message = "(no error)";
      try {
        auto store = AuditStore::open(path).release();  // never closed: the process just ends
        for (; written < 10000; ++written) {
          store->record_review(test::sample_review(fmt::format("run-{}", written), 20, written));
        }
      } catch (const Error& e) {
        message = e.what();
      } catch (...) {
        message = "(not a reviewer::Error)";
      }
      std::ofstream(report) << written << "\n" << message << "\n";
      ::_exit(0);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    REQUIRE(WIFEXITED(status));
    std::ifstream in(report);
    int written = -1;
    std::string message;
    in >> written;
    std::getline(in >> std::ws, message);
    CAPTURE(message);
    CHECK(written > 0);
    CHECK(written < 10000);
    CHECK(message.find(path.string()) != std::string::npos);
    CHECK(message.find("I/O error") != std::string::npos);
    // Every run reported as written is there, whole; the chain verifies.
    auto r = audit::verify(path);
    CHECK(r.ok);
    CHECK(r.rows == written * 23);
    AuditStore::open(path)->record_review(test::sample_review("after", 20));
    CHECK(audit::verify(path).rows == (written + 1) * 23);
  }
}
