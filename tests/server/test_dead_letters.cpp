#include <doctest/doctest.h>

#include <sqlite3.h>

#include <atomic>
#include <sstream>

#include <fmt/format.h>

#include "audit/query.h"
#include "audit/store.h"
#include "audit/verify.h"
#include "reviewer/core/error.h"
#include "reviewer/server/dead_letters.h"
#include "reviewer/server/queue.h"
#include "storage/sqlite.h"
#include "server_fixture.h"
#include "support/testutil.h"

using namespace reviewer;
using namespace reviewer::server;
using namespace std::chrono_literals;

namespace {

// Fails every attempt with a retryable error.
class FailingHandler : public JobHandler {
 public:
  JobResult handle(const Job&, std::stop_token) override {
    ++calls;
    return {JobResult::Status::retry, "handler error: mirror unreachable", {}};
  }
  std::atomic<int> calls{0};
};

IntakeItem item(const std::string& delivery_id, int pr) {
  IntakeItem it;
  it.delivery = {delivery_id, "pull_request", "synchronize", "o/r", "{}", "{\"x\":1}", "queued"};
  it.job = JobSpec{"review", "o/r", pr, "abc", true};
  return it;
}

std::string audit_csv(const std::filesystem::path& db, const std::string& sql) {
  std::ostringstream out;
  audit::query(db, sql, audit::Format::csv, out);  // what `reviewer audit query --format csv` prints
  return out.str();
}

}  // namespace

TEST_SUITE("server dead letters") {
  TEST_CASE("the queue lists dead letters until they are marked reported, lease expiries included") {
    auto path = test::scratch_dir("dead-queue") / "queue.db";
    std::atomic<std::int64_t> now{1'000'000};
    QueueOptions o;
    o.max_attempts = 1;
    o.now_ms = [&] { return now.load(); };
    auto q = JobQueue::open_sqlite(path, o);
    q->enqueue({item("d-1", 1), item("d-2", 2)});
    auto a = q->claim(60s);
    REQUIRE(a);
    CHECK(q->finish(*a, {JobResult::Status::retry, "boom", {}}) == "dead");
    REQUIRE(q->claim(1s));
    now += 1000;  // the second job's lease expires on its last attempt
    CHECK_FALSE(q->claim(1s));
    auto dead = q->unreported_dead_letters(10);
    REQUIRE(dead.size() == 2);
    CHECK(dead[0].delivery_id == "d-1");
    CHECK(dead[0].reason == "boom");
    CHECK(dead[0].attempts == 1);
    CHECK(dead[0].parked_ms == 1'000'000);
    CHECK(dead[1].delivery_id == "d-2");
    CHECK(dead[1].reason.find("lease expired") != std::string::npos);
    q->mark_reported({dead[0].id});
    auto left = q->unreported_dead_letters(10);
    REQUIRE(left.size() == 1);
    CHECK(left[0].delivery_id == "d-2");
  }

  TEST_CASE("a queue database of schema 1 is migrated and keeps its jobs") {
    auto dir = test::scratch_dir("dead-queue-v1");
    auto path = dir / "queue.db";
    {
      auto q = JobQueue::open_sqlite(path, {});
      q->enqueue({item("d-1", 1)});
    }
    // Back to what a build before dead-letter reporting wrote.
    {
      auto db = storage::Connection::open(path, SQLITE_OPEN_READWRITE, nullptr, "test database");
      // The body was inline then.
      db.exec("UPDATE deliveries SET body='{\"old\":1}'; DROP TABLE body_segments; "
              "ALTER TABLE deliveries DROP COLUMN body_file; ALTER TABLE deliveries DROP COLUMN body_offset; "
              "ALTER TABLE deliveries DROP COLUMN body_length; "
              "ALTER TABLE jobs DROP COLUMN installation; DROP TABLE installation_turns; "
              "DROP INDEX jobs_unreported_dead; ALTER TABLE jobs DROP COLUMN reported_ms; "
              "DROP INDEX deliveries_inline_bodies; "
              "DROP INDEX jobs_uncounted; ALTER TABLE jobs DROP COLUMN uncounted; "
              "DROP TABLE job_totals; DROP INDEX jobs_by_delivery; "
              "DROP TABLE queue_schema_migrations; PRAGMA user_version=1");
    }
    auto q = JobQueue::open_sqlite(path, {});
    CHECK(test::query_one(path, "PRAGMA user_version") == "6");
    auto j = q->claim(60s);
    REQUIRE(j);
    CHECK(j->delivery_id == "d-1");
    CHECK(j->payload == "{\"old\":1}");
    // New deliveries go to the body log.
    q->enqueue({item("d-2", 2)});
    CHECK(test::query_one(path, "SELECT body IS NULL AND body_file IS NOT NULL FROM deliveries WHERE delivery_id='d-2'") ==
          "1");
  }

  TEST_CASE("a job parked dead by the server is visible through audit query, once, and the chain verifies") {
    auto dir = test::scratch_dir("dead-server");
    auto audit_db = dir / "audit.db";
    std::shared_ptr<audit::AuditStore> store = audit::AuditStore::open(audit_db);
    auto handler = std::make_shared<FailingHandler>();
    const Environment env = {{"REVIEWER_MAX_ATTEMPTS", "2"}, {"REVIEWER_RETRY_BASE_MS", "10"}};
    {
      test::LiveServer s(dir, 1, handler, env, audit_dead_letter_sink(store));
      test::WebhookOptions o;
      o.delivery_id = "dead-delivery-1";
      auto r = test::post_webhook(s.port, test::pull_request_payload("octo/widgets", 7, std::string(40, 'a')), o);
      CHECK(r.status == 202);
      CHECK(test::wait_until(
          [&] { return audit_csv(audit_db, "SELECT count(*) AS n FROM dead_letters") == "n\r\n1\r\n"; }, 10s));
    }
    CHECK(handler->calls == 2);
    CHECK(audit_csv(audit_db, "SELECT delivery_id, kind, repository, pr_number, attempts, reason FROM dead_letters") ==
          "delivery_id,kind,repository,pr_number,attempts,reason\r\n"
          "dead-delivery-1,review,octo/widgets,7,2,handler error: mirror unreachable\r\n");
    CHECK(test::query_one(dir / "queue.db", "SELECT count(*) FROM jobs WHERE state='dead' AND reported_ms IS NULL") ==
          "0");
    // A restart reports nothing twice.
    { test::LiveServer again(dir, 1, handler, env, audit_dead_letter_sink(store)); }
    CHECK(audit_csv(audit_db, "SELECT count(*) AS n FROM dead_letters") == "n\r\n1\r\n");
    CHECK(audit::verify(audit_db, {}).ok);
  }

  TEST_CASE("a dead letter the audit log could not take is reported after a restart") {
    auto dir = test::scratch_dir("dead-retry");
    auto handler = std::make_shared<FailingHandler>();
    const Environment env = {{"REVIEWER_MAX_ATTEMPTS", "1"}};
    {
      std::atomic<int> tries{0};
      test::LiveServer s(dir, 1, handler, env, [&](const DeadLetter&) {
        ++tries;
        throw Error(Error::Code::io, "audit database is locked");
      });
      test::WebhookOptions o;
      o.delivery_id = "dead-delivery-2";
      CHECK(test::post_webhook(s.port, test::pull_request_payload("octo/widgets", 8, std::string(40, 'b')), o).status ==
            202);
      CHECK(test::wait_until([&] { return tries > 0; }, 10s));
      // The sink throws before the log line is written: wait for the line, not just the try.
      CHECK(test::wait_until(
          [&] { return s.log_text().find("dead_letter_report_failed") != std::string::npos; }, 10s));
    }
    CHECK(test::query_one(dir / "queue.db", "SELECT count(*) FROM jobs WHERE state='dead' AND reported_ms IS NULL") ==
          "1");
    auto store = std::shared_ptr<audit::AuditStore>(audit::AuditStore::open(dir / "audit.db"));
    { test::LiveServer again(dir, 1, handler, env, audit_dead_letter_sink(store)); }
    CHECK(audit_csv(dir / "audit.db", "SELECT delivery_id FROM dead_letters") == "delivery_id\r\ndead-delivery-2\r\n");
  }
}
