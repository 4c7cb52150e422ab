// The job queue on PostgreSQL where it differs from SQLite: several
// instances on one database, LISTEN/NOTIFY, bodies in the row, a server
// that cannot be reached. The behaviour both backends share is tested
// through test::on_each_backend in test_queue.cpp.
#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "reviewer/core/error.h"
#include "reviewer/server/queue.h"
#include "storage/postgres.h"
#include "support/postgres.h"
#include "support/testutil.h"

using namespace reviewer;
using namespace reviewer::server;
using namespace std::chrono_literals;

namespace {

IntakeItem pg_item(const std::string& id, const std::string& repo, int pr, const std::string& sha) {
  IntakeItem it;
  it.delivery = {id, "pull_request", "synchronize", repo, "{}", "{\"body\":\"\\u00e9\\u0000\"}\x01\xff", "queued"};
  it.job = JobSpec{"review", repo, pr, sha, true};
  return it;
}

}  // namespace

TEST_SUITE("server::JobQueue on PostgreSQL") {
  // Two claims at once: claim A has leased the newest job of a head and not
  // committed yet; an older job of the same head is pending again (its
  // lease expired). Claim B's snapshot cannot see A's lease, so the rule
  // "a head under review waits" did not hold it back: B took the older job
  // and both ran the head. Now B takes neither.
  TEST_CASE("a claim while another claim of the same head is uncommitted does not run that head beside it") {
    auto s = test::PgSchema::create("pg-queue-claim-race");
    if (!s) return;
    auto q = JobQueue::open_postgres(s->url(), {});
    q->enqueue({pg_item("d-1", "o/r", 1, "a")});
    auto lost = q->claim(60s);
    REQUIRE(lost);
    q->enqueue({pg_item("d-2", "o/r", 1, "a")});  // waits for the running review
    test::log_scalar(s->url(), fmt::format("UPDATE queue_jobs SET lease_expires_ms=0 WHERE id={} RETURNING id", lost->id));
    const auto newer = test::log_scalar(s->url(), "SELECT max(id) FROM queue_jobs");
    auto a = reviewer::storage::PgConnection::open(s->url(), "claim A");
    a.exec("BEGIN");
    a.exec(fmt::format("SELECT id FROM queue_jobs WHERE id={} FOR UPDATE", newer));  // A's claim, in flight
    CHECK(!q->claim(60s));  // B: the expired job is requeued, but not run beside A's
    a.exec("ROLLBACK");
    auto next = q->claim(60s);
    REQUIRE(next);
    CHECK(std::to_string(next->id) == newer);
    CHECK(test::log_scalar(s->url(), fmt::format("SELECT state FROM queue_jobs WHERE id={}", lost->id)) == "superseded");
  }

  TEST_CASE("a delivery is stored once across instances, and its body comes back byte for byte") {
    auto s = test::PgSchema::create("pg-queue-dup");
    if (!s) return;
    auto a = JobQueue::open_postgres(s->url(), {});
    auto b = JobQueue::open_postgres(s->url(), {});
    auto it = pg_item("d-1", "o/r", 1, "a");
    CHECK(a->enqueue({it})[0] == IntakeOutcome::stored);
    CHECK(b->enqueue({it})[0] == IntakeOutcome::duplicate);  // GitHub's redelivery to another instance
    CHECK(test::log_scalar(s->url(), "SELECT count(*) FROM queue_jobs") == "1");
    auto j = b->claim(60s);
    REQUIRE(j);
    CHECK(j->payload == it.delivery.body);
  }

  TEST_CASE("instances claiming at once never lease a job twice") {
    auto s = test::PgSchema::create("pg-queue-claims");
    if (!s) return;
    {
      auto q = JobQueue::open_postgres(s->url(), {});
      std::vector<IntakeItem> items;
      for (int i = 0; i < 200; ++i) items.push_back(pg_item(fmt::format("d-{}", i), fmt::format("o/r{}", i % 7), i, "s"));
      q->enqueue(items);
    }
    std::mutex mu;
    std::multiset<std::int64_t> claimed;
    std::vector<std::thread> instances;
    for (int i = 0; i < 4; ++i) {
      instances.emplace_back([&] {
        auto q = JobQueue::open_postgres(s->url(), {});
        while (auto j = q->claim(60s)) {
          {
            std::lock_guard lock(mu);
            claimed.insert(j->id);
          }
          CHECK(q->finish(*j, {JobResult::Status::done, "", {}}) == "done");
        }
      });
    }
    for (auto& t : instances) t.join();
    CHECK(claimed.size() == 200);
    CHECK(std::set<std::int64_t>(claimed.begin(), claimed.end()).size() == 200);
    CHECK(test::log_scalar(s->url(), "SELECT count(*) FROM queue_jobs WHERE state = 'done'") == "200");
  }

  TEST_CASE("batches committed in parallel still supersede: one pending job per pull request is left") {
    auto s = test::PgSchema::create("pg-queue-parallel");
    if (!s) return;
    std::string url = s->url();
    // Where a role or the database makes REPEATABLE READ the default, a
    // batch's snapshot would predate its wait for the pull request's lock.
    SUBCASE("READ COMMITTED, the default") {}
    SUBCASE("REPEATABLE READ as the sessions' default") {
      url = test::with_repeatable_read_default(url);
      REQUIRE(test::log_scalar(url, "SHOW default_transaction_isolation") == "repeatable read");
    }
    auto a = JobQueue::open_postgres(url, {});
    auto b = JobQueue::open_postgres(url, {});
    CHECK(a->intake_writers() > 1);
    // Four writers (two per instance), each pushing new heads of the same
    // five pull requests, in small batches that interleave.
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back([&, w] {
        JobQueue& q = w % 2 ? *b : *a;
        for (int n = 0; n < 40; ++n) {
          std::vector<IntakeItem> batch;
          for (int pr = 1; pr <= 5; ++pr) {
            batch.push_back(pg_item(fmt::format("w{}-{}-{}", w, n, pr), "o/r", pr, fmt::format("{}-{}", w, n)));
          }
          q.enqueue(batch);
        }
      });
    }
    for (auto& t : writers) t.join();
    CHECK(test::log_scalar(s->url(), "SELECT count(*) FROM queue_jobs") == "800");
    // Without ordering, two jobs of one PR committed at once each miss the
    // other, and both stay pending.
    CHECK(test::log_scalar(s->url(), "SELECT count(*) FROM queue_jobs WHERE state='pending'") == "5");
    CHECK(test::log_scalar(s->url(),
                           "SELECT count(*) FROM queue_jobs j WHERE state='pending' AND id <> "
                           "(SELECT max(id) FROM queue_jobs k WHERE k.pr_number = j.pr_number)") == "0");
  }

  TEST_CASE("a pull request's lock held by another session fails intake within lock_timeout, never hangs it") {
    auto s = test::PgSchema::create("pg-queue-lock-timeout");
    if (!s) return;
    auto q = JobQueue::open_postgres(s->url(), {});
    // Intake's key for (o/r, 1, review): FNV-1a, computable by anyone.
    std::uint64_t h = 1469598103934665603ULL;
    for (char c : std::string("o/r#1#review")) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    auto held = reviewer::storage::PgConnection::open(s->url(), "another session");
    held.exec(fmt::format("SELECT pg_advisory_lock({})", static_cast<std::int64_t>(h)));
    auto intake = std::async(std::launch::async, [&] { q->enqueue({pg_item("d-1", "o/r", 1, "a")}); });
    const bool ended = intake.wait_for(20s) == std::future_status::ready;
    held.exec("SELECT pg_advisory_unlock_all()");  // lets a hung intake end, so the test can
    CHECK(ended);
    try {
      intake.get();
      FAIL("stored past a held lock");
    } catch (const Error& e) {
      CHECK(e.transient());  // 503: GitHub's delivery is not lost
    }
    CHECK(q->enqueue({pg_item("d-1", "o/r", 1, "a")})[0] == IntakeOutcome::stored);
  }

  TEST_CASE("one batch: a repeated delivery is a duplicate, and a newer head supersedes the one before it") {
    auto s = test::PgSchema::create("pg-queue-batch");
    if (!s) return;
    auto q = JobQueue::open_postgres(s->url(), {});
    auto out = q->enqueue({pg_item("d-1", "o/r", 1, "a"), pg_item("d-1", "o/r", 1, "a"), pg_item("d-2", "o/r", 1, "b"),
                           pg_item("d-3", "o/r", 2, "c")});
    REQUIRE(out.size() == 4);
    CHECK(out[0] == IntakeOutcome::stored);
    CHECK(out[1] == IntakeOutcome::duplicate);
    CHECK(out[2] == IntakeOutcome::stored);
    CHECK(out[3] == IntakeOutcome::stored);
    CHECK(test::log_scalar(s->url(), "SELECT string_agg(head_sha || ':' || state, ',' ORDER BY id) FROM queue_jobs") ==
          "a:superseded,b:pending,c:pending");
    CHECK(test::log_scalar(s->url(), "SELECT count(*) FROM queue_jobs a JOIN queue_jobs b ON a.superseded_by = b.id "
                                     "WHERE a.head_sha = 'a' AND b.head_sha = 'b'") == "1");
  }

  TEST_CASE("a batch the server refuses stores nothing, and the next batch on the same writer is stored") {
    auto s = test::PgSchema::create("pg-queue-refused");
    if (!s) return;
    auto q = JobQueue::open_postgres(s->url(), {});
    // Not UTF-8: PostgreSQL refuses the text in the middle of the batch,
    // after the statements before it have run.
    auto bad = pg_item("d-bad", "o/r", 2, "x");
    bad.delivery.headers_json = "{\"h\":\"\xff\xfe\"}";
    for (int round = 0; round < 3; ++round) {  // every writer of the pool meets it
      CHECK_THROWS_WITH_AS(q->enqueue({pg_item(fmt::format("d-{}", round), "o/r", 1, "a"), bad}),
                           doctest::Contains("UTF8"), Error);
    }
    CHECK(test::log_scalar(s->url(), "SELECT count(*) FROM queue_deliveries") == "0");
    CHECK(test::log_scalar(s->url(), "SELECT count(*) FROM queue_jobs") == "0");
    for (int round = 0; round < 5; ++round) {
      auto out = q->enqueue({pg_item(fmt::format("ok-{}", round), "o/r", 1, fmt::format("s{}", round))});
      CHECK(out.at(0) == IntakeOutcome::stored);
    }
    CHECK(test::log_scalar(s->url(), "SELECT count(*) FROM queue_jobs WHERE state = 'pending'") == "1");
  }

  TEST_CASE("bodies are stored lz4-compressed in the table's pages, also in a database of schema 1 once opened") {
    auto s = test::PgSchema::create("pg-queue-lz4");
    if (!s) return;
    const std::string column =
        "SELECT attcompression::text || attstorage::text FROM pg_attribute WHERE attrelid = 'queue_deliveries'::regclass "
        "AND attname = 'body'";
    {
      auto q = JobQueue::open_postgres(s->url(), {});
      CHECK(test::log_scalar(s->url(), column) == "lx");
      auto it = pg_item("d-1", "o/r", 1, "a");
      it.delivery.body = nlohmann::json{{"text", std::string(20000, 'z')}}.dump();
      q->enqueue({it});
      CHECK(test::log_scalar(s->url(), "SELECT pg_column_compression(body) FROM queue_deliveries") == "lz4");
      CHECK(q->claim(std::chrono::seconds(60))->payload == it.delivery.body);
      // A body still over 2 KB compressed (PostgreSQL's default target for
      // moving it to the TOAST table) stays in the table's pages.
      std::mt19937 rng(7);
      std::string text(16000, 'z');
      for (int i = 0; i < 4000; ++i) text.push_back(static_cast<char>('a' + rng() % 26));
      auto big = pg_item("d-2", "o/r", 2, "b");
      big.delivery.body = nlohmann::json{{"text", text}}.dump();
      q->enqueue({big});
      const auto stored = std::stol(
          test::log_scalar(s->url(), "SELECT pg_column_size(body) FROM queue_deliveries WHERE delivery_id = 'd-2'"));
      CHECK(stored > 2100);
      CHECK(stored < 8000);
      CHECK(test::log_scalar(s->url(), "SELECT pg_relation_size(reltoastrelid) FROM pg_class "
                                       "WHERE oid = 'queue_deliveries'::regclass") == "0");
      CHECK(q->claim(std::chrono::seconds(60))->payload == big.delivery.body);
    }
    // What schema 1 left: bodies stored uncompressed.
    test::log_scalar(s->url(), "ALTER TABLE queue_deliveries ALTER COLUMN body SET STORAGE EXTERNAL, "
                               "ALTER COLUMN body SET COMPRESSION pglz, RESET (toast_tuple_target)");
    test::log_scalar(s->url(), "UPDATE queue_meta SET value = 1 WHERE key = 'schema_version'");
    test::log_scalar(s->url(), "DROP TABLE queue_schema_migrations");  // as a build of schema 1 left it
    auto q = JobQueue::open_postgres(s->url(), {});
    CHECK(test::log_scalar(s->url(), column) == "lx");
    CHECK(test::log_scalar(s->url(), "SELECT value FROM queue_meta WHERE key = 'schema_version'") == "5");
    CHECK(test::log_scalar(s->url(), "SELECT reloptions::text FROM pg_class WHERE oid = 'queue_deliveries'::regclass") ==
          "{toast_tuple_target=8160}");
  }

  TEST_CASE("another instance's intake wakes this one's workers through LISTEN/NOTIFY") {
    auto s = test::PgSchema::create("pg-queue-notify");
    if (!s) return;
    auto worker_side = JobQueue::open_postgres(s->url(), {});
    std::atomic<int> wakes{0};
    worker_side->on_new_jobs([&] { ++wakes; });
    std::this_thread::sleep_for(300ms);  // the listener connects and LISTENs
    auto intake_side = JobQueue::open_postgres(s->url(), {});
    intake_side->enqueue({pg_item("d-1", "o/r", 1, "a")});
    for (int i = 0; i < 50 && wakes == 0; ++i) std::this_thread::sleep_for(20ms);
    CHECK(wakes >= 1);
    // The NOTIFY commits after the batch (in a transaction of its own, so
    // that batches do not wait for one another's flush): a woken worker
    // always finds the job.
    auto woken = worker_side->claim(std::chrono::seconds(60));
    REQUIRE(woken);
    CHECK(woken->delivery_id == "d-1");
    worker_side->on_new_jobs({});
    const int seen = wakes;
    intake_side->enqueue({pg_item("d-2", "o/r", 2, "b")});
    std::this_thread::sleep_for(300ms);
    CHECK(wakes == seen);  // stopped: no call after on_new_jobs({})
  }

  TEST_CASE("bodies of finished jobs are dropped after the retention, pending ones kept") {
    auto s = test::PgSchema::create("pg-queue-prune");
    if (!s) return;
    std::atomic<std::int64_t> now{1'000'000};
    QueueOptions o;
    o.now_ms = [&] { return now.load(); };
    auto q = JobQueue::open_postgres(s->url(), o);
    q->enqueue({pg_item("d-1", "o/r", 1, "a"), pg_item("d-2", "o/s", 2, "b")});
    auto j = q->claim(60s);
    REQUIRE(j);
    q->finish(*j, {JobResult::Status::done, "", {}});
    now += 10'000;
    CHECK(q->prune_bodies(60s) == 0);  // nothing that old
    CHECK(q->prune_bodies(5s) == 1);   // the finished one only
    CHECK(test::log_scalar(s->url(), "SELECT count(*) FROM queue_deliveries WHERE body IS NULL") == "1");
    auto k = q->claim(60s);
    REQUIRE(k);
    CHECK(k->payload == pg_item("d-2", "o/s", 2, "b").delivery.body);
  }

  TEST_CASE("a shutdown stops the prune of bodies between two batches") {
    auto s = test::PgSchema::create("pg-queue-prune-stop");
    if (!s) return;
    std::atomic<std::int64_t> now{1'000'000};
    QueueOptions o;
    o.now_ms = [&] { return now.load(); };
    o.prune_batch = 1;
    auto q = JobQueue::open_postgres(s->url(), o);
    for (int i = 0; i < 3; ++i) {
      q->enqueue({pg_item(fmt::format("d-{}", i), fmt::format("o/r{}", i), 1, "a")});
      auto j = q->claim(60s);
      REQUIRE(j);
      q->finish(*j, {JobResult::Status::done, "", {}});
    }
    now += 10'000;
    int asked = 0;
    // Asked after the first batch (one row): it was the whole prune before.
    CHECK(q->prune_bodies(5s, [&] { return ++asked > 0; }) == 1);
    CHECK(asked >= 1);
    CHECK(test::log_scalar(s->url(), "SELECT count(*) FROM queue_deliveries WHERE body IS NULL") == "1");
    CHECK(q->prune_bodies(5s) == 2);  // the next prune goes on
  }

  TEST_CASE("instances folding the totals while intake supersedes count each end once, and the counters never go down") {
    auto s = test::PgSchema::create("pg-queue-fold");
    if (!s) return;
    QueueOptions o;
    o.prune_batch = 7;  // small batches: folds of the two instances interleave
    auto a = JobQueue::open_postgres(s->url(), o);
    auto b = JobQueue::open_postgres(s->url(), o);
    std::atomic<bool> done{false};
    std::thread writer([&] {
      for (int n = 0; n < 100; ++n) {
        std::vector<IntakeItem> batch;
        for (int pr = 1; pr <= 3; ++pr) batch.push_back(pg_item(fmt::format("f{}-{}", n, pr), "o/r", pr, fmt::format("h{}", n)));
        (n % 2 ? *b : *a).enqueue(batch);
      }
      done = true;
    });
    std::vector<std::thread> folders;
    for (JobQueue* q : {a.get(), b.get()}) {
      folders.emplace_back([&, q] {
        while (!done) q->fold_totals();
      });
    }
    std::int64_t last = 0;
    bool monotonic = true;
    while (!done) {
      const auto st = a->stats();
      const auto it = st.ended_total.find("superseded");
      const std::int64_t now = it == st.ended_total.end() ? 0 : it->second;
      if (now < last) monotonic = false;
      last = now;
    }
    writer.join();
    for (auto& t : folders) t.join();
    CHECK(monotonic);
    a->fold_totals();
    b->fold_totals();
    // 300 jobs, the newest of each of 3 pull requests still pending.
    CHECK(test::log_scalar(s->url(), "SELECT count(*) FROM queue_jobs WHERE state='superseded'") == "297");
    CHECK(test::log_scalar(s->url(), "SELECT count(*) FROM queue_jobs WHERE uncounted AND state<>'pending'") == "0");
    CHECK(test::log_scalar(s->url(), "SELECT sum(n) FROM queue_job_totals WHERE state='superseded'") == "297");
    CHECK(a->stats().ended_total.at("superseded") == 297);
    CHECK(b->stats().ended_total.at("superseded") == 297);
  }

  TEST_CASE("a queue schema newer than this build is refused with both versions named") {
    auto s = test::PgSchema::create("pg-queue-newer");
    if (!s) return;
    JobQueue::open_postgres(s->url(), {});
    // As a build from before queue_schema_migrations recorded it.
    test::log_scalar(s->url(), "DROP TABLE queue_schema_migrations");
    test::log_scalar(s->url(), "UPDATE queue_meta SET value = 99 WHERE key = 'schema_version' RETURNING value");
    CHECK_THROWS_WITH_AS(JobQueue::open_postgres(s->url(), {}),
                         doctest::Contains("has schema version 99, newer than this reviewer"), Error);
  }

  // The queue's statements run through PgConnection::prepared and
  // pipeline: each text is prepared once per connection, under a name of
  // its own, and runs as itself.
  TEST_CASE("each statement text is prepared once per connection and runs as itself") {
    auto s = test::PgSchema::create("pg-queue-prepared");
    if (!s) return;
    auto db = reviewer::storage::PgConnection::open(s->url(), "test");
    CHECK(db.prepared("SELECT $1::bigint + 1", {std::int64_t{41}}).int64(0, 0) == 42);
    CHECK(db.prepared("SELECT $1::bigint + 1", {std::int64_t{1}}).int64(0, 0) == 2);
    auto r = db.pipeline({{"SELECT $1::bigint * 2", {std::int64_t{21}}}, {"SELECT $1::bigint + 1", {std::int64_t{9}}},
                          {"SELECT $1::text || 'b'", {std::string("a")}}});
    CHECK(r[0].int64(0, 0) == 42);
    CHECK(r[1].int64(0, 0) == 10);
    CHECK(r[2].text(0, 0) == "ab");
    CHECK(db.exec("SELECT count(*) FROM pg_prepared_statements").int64(0, 0) == 3);
  }

  TEST_CASE("an unreachable database is one line naming it") {
    auto dir = test::scratch_dir("pg-queue-unreachable");
    std::string url = "postgresql://queue:pw@/reviewer?host=" + dir.string();
    try {
      JobQueue::open_postgres(url, {});
      FAIL("connected to nothing");
    } catch (const Error& e) {
      std::string m = e.what();
      CHECK(m.starts_with("queue database postgresql://queue@/reviewer"));
      CHECK(m.find('\n') == std::string::npos);
      CHECK(m.find("pw") == std::string::npos);
    }
  }
}
