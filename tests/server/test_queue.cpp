#include <doctest/doctest.h>

#include <atomic>
#include <set>

#include <fmt/format.h>

#include "reviewer/server/queue.h"
#include "reviewer/server/queue_policy.h"
#include "server_fixture.h"
#include "storage/postgres.h"
#include "storage/sqlite.h"
#include "support/postgres.h"
#include "support/testutil.h"

using namespace reviewer;
using namespace reviewer::server;
using namespace std::chrono_literals;

namespace {

// A queue with a clock the test moves by hand: on a fresh file, or, with
// a postgresql:// `location` (test::on_each_backend), in a fresh schema.
struct QueueContext {
  explicit QueueContext(const std::string& label, int max_attempts = 3, std::int64_t segment_bytes = 64 << 20,
                        const std::string& location = "", int prune_batch = 1000) {
    QueueOptions o;
    o.prune_batch = prune_batch;
    o.max_attempts = max_attempts;
    o.body_segment_bytes = segment_bytes;
    o.retry_base_ms = 1000;
    o.now_ms = [this] { return now.load(); };
    options = o;
    if (storage::is_postgres_url(location)) url = location;
    else path = test::scratch_dir(label) / "queue.db";
    reopen();
  }
  // Closes the queue and opens its database again (a restart).
  void reopen() {
    q.reset();
    q = url.empty() ? JobQueue::open_sqlite(path, options) : JobQueue::open_postgres(url, options);
  }
  // The ended-jobs totals as stored, without the ends not yet folded in.
  std::string stored_totals() {
    return url.empty() ? test::query_one(path, "SELECT SUM(n) FROM job_totals")
                       : test::log_scalar(url, "SELECT SUM(n) FROM queue_job_totals");
  }
  // The first column of the first row of `sql`, written for the SQLite
  // queue's tables (PostgreSQL's are the same, prefixed queue_).
  std::string query(std::string sql) {
    if (url.empty()) return test::query_one(path, sql);
    for (const char* t : {"jobs", "deliveries"}) {
      for (auto at = sql.find(std::string("FROM ") + t); at != std::string::npos;
           at = sql.find(std::string("FROM ") + t, at + 11)) {
        sql.insert(at + 5, "queue_");
      }
    }
    return test::log_scalar(url, sql);
  }
  IntakeItem item(const std::string& repo, int pr, const std::string& sha, bool supersedes = true) {
    IntakeItem it;
    it.delivery = {fmt::format("d-{}", next++), "pull_request", "synchronize", repo, "{}", "{\"x\":1}", "queued"};
    it.job = JobSpec{"review", repo, pr, sha, supersedes};
    return it;
  }
  std::string state(std::int64_t id) { return query(fmt::format("SELECT state FROM jobs WHERE id={}", id)); }
  std::atomic<std::int64_t> now{1'000'000};
  QueueOptions options;
  int next = 0;
  std::filesystem::path path;  // SQLite
  std::string url;             // PostgreSQL
  std::unique_ptr<JobQueue> q;
};

}  // namespace

TEST_SUITE("server::JobQueue") {
  TEST_CASE("a delivery and its job are stored together, and a repeated delivery id adds nothing") {
    QueueContext c("dup");
    auto a = c.item("o/r", 1, "a");
    auto out = c.q->enqueue({a});
    REQUIRE(out.size() == 1);
    CHECK(out[0] == IntakeOutcome::stored);
    out = c.q->enqueue({a, c.item("o/r", 2, "b")});
    CHECK(out[0] == IntakeOutcome::duplicate);
    CHECK(out[1] == IntakeOutcome::stored);
    CHECK(test::query_one(c.path, "SELECT COUNT(*) FROM deliveries") == "2");
    CHECK(test::query_one(c.path, "SELECT COUNT(*) FROM jobs") == "2");
    // Bodies live in the body log next to queue.db; the row names them.
    CHECK(test::query_one(c.path, "SELECT body IS NULL AND body_length=7 FROM deliveries WHERE delivery_id='d-0'") ==
          "1");
    auto j = c.q->claim(60s);
    REQUIRE(j);
    CHECK(j->payload == "{\"x\":1}");
  }

  TEST_CASE("bodies are read back after the queue is reopened, as a restarted server would") {
    QueueContext c("reopen");
    c.q->enqueue({c.item("o/r", 1, "a"), c.item("o/s", 2, "b")});
    c.q.reset();
    QueueOptions o;
    o.now_ms = [&c] { return c.now.load(); };
    c.q = JobQueue::open_sqlite(c.path, o);
    c.q->enqueue({c.item("o/t", 3, "c")});  // a new writer: a segment of its own
    int seen = 0;
    while (auto j = c.q->claim(60s)) {
      CHECK(j->payload == "{\"x\":1}");
      ++seen;
    }
    CHECK(seen == 3);
    CHECK(test::query_one(c.path, "SELECT COUNT(DISTINCT body_file) FROM deliveries") == "2");
  }

  TEST_CASE("a job whose body segment is gone fails with a clear reason and the next job is claimed") {
    QueueContext c("lostbody", 3, 7);  // one body per segment
    c.q->enqueue({c.item("o/r", 1, "a"), c.item("o/r", 2, "b")});
    const auto file = test::query_one(c.path, "SELECT body_file FROM deliveries WHERE delivery_id='d-0'");
    // Cut the first body short, as a disk error or a hand edit would.
    std::filesystem::resize_file(c.path.parent_path() / "bodies" / file, 3);
    auto j = c.q->claim(60s);
    REQUIRE(j);
    CHECK(j->delivery_id == "d-1");
    CHECK(c.state(1) == "failed");
    CHECK(test::query_one(c.path, "SELECT result FROM jobs WHERE id=1").find("shorter than recorded") !=
          std::string::npos);
  }

  TEST_CASE("one busy repository cannot delay another repository's job beyond one turn") {
    test::on_each_backend("fair", [](const std::string& at) {
      QueueContext c("fair", 3, 64 << 20, at);
      std::vector<IntakeItem> flood;
      for (int i = 0; i < 1000; ++i) flood.push_back(c.item("busy/repo", i + 1, "s", false));
      c.q->enqueue(flood);
      auto first = c.q->claim(60s);
      REQUIRE(first);
      CHECK(first->repository == "busy/repo");
      c.q->enqueue({c.item("quiet/repo", 7, "q")});
      // With 999 busy jobs still pending, the quiet repository is next.
      auto second = c.q->claim(60s);
      REQUIRE(second);
      CHECK(second->repository == "quiet/repo");
      CHECK(second->pr_number == 7);
      // Then service alternates among repositories that have work.
      c.q->enqueue({c.item("third/repo", 1, "t"), c.item("quiet/repo", 8, "q2")});
      std::vector<std::string> order;
      for (int i = 0; i < 5; ++i) {
        auto j = c.q->claim(60s);
        REQUIRE(j);
        order.push_back(j->repository);
      }
      CHECK(order == std::vector<std::string>{"third/repo", "busy/repo", "quiet/repo", "busy/repo", "busy/repo"});
    });
  }

  TEST_CASE("one installation with many busy repositories cannot crowd out another installation") {
    test::on_each_backend("fair-installations", [](const std::string& at) {
      QueueContext c("fair-installations", 3, 64 << 20, at);
      std::vector<IntakeItem> flood;
      for (int r = 0; r < 50; ++r) {
        for (int pr = 1; pr <= 4; ++pr) {
          auto it = c.item(fmt::format("big-org/repo{}", r), pr, "s", false);
          it.job->installation = 1;
          flood.push_back(std::move(it));
        }
      }
      c.q->enqueue(flood);
      auto first = c.q->claim(60s);
      REQUIRE(first);
      CHECK(first->repository.starts_with("big-org/"));
      auto small = c.item("small-org/app", 3, "x");
      small.job->installation = 2;
      c.q->enqueue({small});
      // Round-robin over repositories alone would serve the 49 other big-org
      // repositories first; over installations, small-org is next.
      auto second = c.q->claim(60s);
      REQUIRE(second);
      CHECK(second->repository == "small-org/app");
      auto third = c.q->claim(60s);
      REQUIRE(third);
      CHECK(third->repository.starts_with("big-org/"));
      CHECK(third->repository != first->repository);  // and within big-org, repositories still take turns
    });
  }

  TEST_CASE("a newer head supersedes pending jobs of the same pull request only") {
    test::on_each_backend("supersede", [](const std::string& at) {
      QueueContext c("supersede", 3, 64 << 20, at);
      c.q->enqueue({c.item("o/r", 1, "old"), c.item("o/r", 2, "other-pr")});
      auto running = c.q->claim(60s);  // PR 1 at "old" is now running
      REQUIRE(running);
      CHECK(!c.q->superseded(running->id));
      c.q->enqueue({c.item("o/r", 1, "mid")});
      CHECK(c.q->superseded(running->id));  // the running review must not publish
      CHECK(c.state(running->id) == "leased");
      c.q->enqueue({c.item("o/r", 1, "new")});
      CHECK(c.query("SELECT state FROM jobs WHERE head_sha='mid'") == "superseded");
      CHECK(c.query("SELECT state FROM jobs WHERE head_sha='other-pr'") == "pending");
      std::set<std::string> shas;
      while (auto j = c.q->claim(60s)) shas.insert(j->head_sha);
      CHECK(shas == std::set<std::string>{"other-pr", "new"});
    });
  }

  // Edits, re-runs and redeliveries name the head under review. If each
  // stopped the running review, a PR edited faster than a review takes
  // would never be reviewed: the running one finishes, and the newest
  // same-head job waits for it (then reviews the edited description).
  TEST_CASE("the same head queued again does not stop its running review: the newer job waits for it") {
    test::on_each_backend("same-head", [](const std::string& at) {
      QueueContext c("same-head", 3, 64 << 20, at);
      c.q->enqueue({c.item("o/r", 1, "a")});
      auto running = c.q->claim(60s);
      REQUIRE(running);
      for (int i = 0; i < 5; ++i) {  // a steady stream of edits
        c.q->enqueue({c.item("o/r", 1, "a")});
        CHECK(!c.q->superseded(running->id));
      }
      CHECK(c.query("SELECT count(*) FROM jobs WHERE state='pending'") == "1");  // only the newest is left
      CHECK(!c.q->claim(60s));  // it waits: the same head is under review
      c.q->enqueue({c.item("o/r", 2, "a")});
      auto other = c.q->claim(60s);  // another pull request is not held up
      REQUIRE(other);
      CHECK(other->pr_number == 2);
      CHECK(c.q->finish(*running, {JobResult::Status::done, "ok", {}}) == "done");
      auto next = c.q->claim(60s);  // the review of the edited description
      REQUIRE(next);
      CHECK(next->pr_number == 1);
      CHECK(next->id > running->id);
      // A new head still stops it, and does not wait for the stopped one.
      c.q->enqueue({c.item("o/r", 1, "b")});
      CHECK(c.q->superseded(next->id));
      auto newest = c.q->claim(60s);
      REQUIRE(newest);
      CHECK(newest->head_sha == "b");
    });
  }

  // A job pending again under a newer one of its pull request (its lease
  // expired while the newer one waited) used to run first, then the newer
  // one ran the same head again; on PostgreSQL two claims at once could run
  // both side by side (test_pg_queue.cpp).
  TEST_CASE("only the newest job of a pull request runs: an older one pending again is covered by it") {
    test::on_each_backend("newest", [](const std::string& at) {
      QueueContext c("newest", 3, 64 << 20, at);
      c.q->enqueue({c.item("o/r", 1, "a")});
      auto lost = c.q->claim(10s);  // its worker dies
      REQUIRE(lost);
      c.q->enqueue({c.item("o/r", 1, "a")});  // an edit: waits for the running review
      c.now += 11000;                         // the lease expires
      auto next = c.q->claim(10s);
      REQUIRE(next);
      CHECK(next->id > lost->id);  // the newer job, not the expired one
      CHECK(c.state(lost->id) == "superseded");
      CHECK(!c.q->claim(10s));
      CHECK(c.q->finish(*next, {JobResult::Status::done, "ok", {}}) == "done");
      CHECK(!c.q->claim(10s));  // nothing runs that head again

      // A lease that expires after a newer head stopped its job: the job
      // ends, it is not queued again (nor parked as a dead letter).
      c.q->enqueue({c.item("o/r", 2, "a")});
      auto old_head = c.q->claim(10s);
      REQUIRE(old_head);
      c.q->enqueue({c.item("o/r", 2, "b")});
      CHECK(c.q->superseded(old_head->id));
      auto new_head = c.q->claim(10s);
      REQUIRE(new_head);
      CHECK(new_head->head_sha == "b");
      CHECK(c.q->finish(*new_head, {JobResult::Status::done, "ok", {}}) == "done");
      c.now += 11000;
      CHECK(!c.q->claim(10s));
      CHECK(c.state(old_head->id) == "superseded");

      // A job stopped by a newer head that fails with a retry ends too.
      c.q->enqueue({c.item("o/r", 3, "a")});
      auto failing = c.q->claim(60s);
      REQUIRE(failing);
      c.q->enqueue({c.item("o/r", 3, "b")});
      CHECK(c.q->finish(*failing, {JobResult::Status::retry, "timeout", {}}) == "superseded");
      CHECK(c.state(failing->id) == "superseded");
    });
  }

  TEST_CASE("a job a newer head stopped ends when released at shutdown or out of attempts, not pending or dead") {
    test::on_each_backend("newest-end", [](const std::string& at) {
      QueueContext c("newest-end", 1, 64 << 20, at);
      // Released at shutdown: queued again, it would run the old head once
      // the newer job is done.
      c.q->enqueue({c.item("o/r", 1, "a")});
      auto released = c.q->claim(60s);
      REQUIRE(released);
      c.q->enqueue({c.item("o/r", 1, "b")});
      auto newer = c.q->claim(60s);
      REQUIRE(newer);
      CHECK(newer->head_sha == "b");
      c.q->release(*released);
      CHECK(c.state(released->id) == "superseded");
      CHECK(c.q->finish(*newer, {JobResult::Status::done, "ok", {}}) == "done");
      CHECK(!c.q->claim(10s));
      // Out of attempts (one here) with a retry: not a dead letter.
      c.q->enqueue({c.item("o/r", 2, "a")});
      auto old_head = c.q->claim(60s);
      REQUIRE(old_head);
      c.q->enqueue({c.item("o/r", 2, "b")});
      CHECK(c.q->finish(*old_head, {JobResult::Status::retry, "timeout", {}}) == "superseded");
      CHECK(c.state(old_head->id) == "superseded");
    });
  }

  TEST_CASE("only reviews of a pull request cover each other: every comment, and every re-run without one, runs") {
    test::on_each_backend("covers", [](const std::string& at) {
      QueueContext c("covers", 3, 64 << 20, at);
      auto comment = [&](int pr) {
        auto it = c.item("o/r", pr, "", false);
        it.job->kind = "comment";
        return it;
      };
      c.q->enqueue({comment(1), comment(1), c.item("o/r", 0, "a", false), c.item("o/r", 0, "b", false)});
      std::set<std::int64_t> ran;
      while (auto j = c.q->claim(10s)) {
        ran.insert(j->id);
        CHECK(c.q->finish(*j, {JobResult::Status::done, "ok", {}}) == "done");
      }
      CHECK(ran.size() == 4);
    });
  }

  TEST_CASE("an expired lease is claimed again and the old holder's result is refused") {
    test::on_each_backend("lease", [](const std::string& at) {
      QueueContext c("lease", 3, 64 << 20, at);
      c.q->enqueue({c.item("o/r", 1, "a")});
      auto j = c.q->claim(10s);
      REQUIRE(j);
      CHECK(!c.q->claim(10s));           // leased: nobody else gets it
      c.now += 5000;
      CHECK(c.q->heartbeat(*j, 10s));   // extended to now + 10 s
      c.now += 9000;
      CHECK(!c.q->claim(10s));           // still held thanks to the heartbeat
      c.now += 2000;
      auto again = c.q->claim(10s);      // expired: taken over
      REQUIRE(again);
      CHECK(again->id == j->id);
      CHECK(again->attempts == 2);
      CHECK(!c.q->heartbeat(*j, 10s));
      CHECK(c.q->finish(*j, {JobResult::Status::done, "late", {}}) == "lost_lease");
      CHECK(c.q->finish(*again, {JobResult::Status::done, "ok", {}}) == "done");
      CHECK(c.state(j->id) == "done");
    });
  }

  TEST_CASE("failures are retried with growing jittered backoff, then parked as dead letters") {
    test::on_each_backend("retry", [](const std::string& at) {
      QueueContext c("retry", 3, 64 << 20, at);
      c.q->enqueue({c.item("o/r", 1, "a")});
      auto j = c.q->claim(60s);
      REQUIRE(j);
      CHECK(c.q->finish(*j, {JobResult::Status::retry, "timeout", {}}) == "pending");
      auto due1 = std::stoll(c.query("SELECT available_ms FROM jobs")) - c.now;
      CHECK(due1 >= 500);   // base 1 s, jitter +-50 %
      CHECK(due1 <= 1500);
      CHECK(!c.q->claim(60s));  // not due yet
      c.now += due1;
      j = c.q->claim(60s);
      REQUIRE(j);
      CHECK(j->attempts == 2);
      CHECK(c.q->finish(*j, {JobResult::Status::retry, "timeout", {}}) == "pending");
      auto due2 = std::stoll(c.query("SELECT available_ms FROM jobs")) - c.now;
      CHECK(due2 >= 1000);  // doubled
      CHECK(due2 <= 3000);
      c.now += due2;
      j = c.q->claim(60s);
      REQUIRE(j);
      CHECK(c.q->finish(*j, {JobResult::Status::retry, "timeout", {}}) == "dead");
      CHECK(c.q->stats().jobs_by_state["dead"] == 1);
      c.now += 3'600'000;
      CHECK(!c.q->claim(60s));
    });
  }

  TEST_CASE("a failed job is not retried, and a released job keeps its attempt") {
    test::on_each_backend("fail", [](const std::string& at) {
      QueueContext c("fail", 3, 64 << 20, at);
      c.q->enqueue({c.item("o/r", 1, "a"), c.item("o/r", 2, "b")});
      auto j = c.q->claim(60s);
      REQUIRE(j);
      CHECK(c.q->finish(*j, {JobResult::Status::failed, "no mirror", {}}) == "failed");
      auto k = c.q->claim(60s);
      REQUIRE(k);
      c.q->release(*k);
      auto again = c.q->claim(60s);
      REQUIRE(again);
      CHECK(again->id == k->id);
      CHECK(again->attempts == 1);
      auto st = c.q->stats();
      CHECK(st.ended_total["failed"] == 1);
      CHECK(st.jobs_by_state["leased"] == 1);
      CHECK(st.deliveries == 2);
    });
  }

  TEST_CASE("a job whose lease expires on its last attempt becomes a dead letter") {
    test::on_each_backend("lastlease", [](const std::string& at) {
      QueueContext c("lastlease", 1, 64 << 20, at);
      c.q->enqueue({c.item("o/r", 1, "a")});
      REQUIRE(c.q->claim(1s));
      c.now += 1000;
      CHECK(!c.q->claim(1s));
      CHECK(c.q->stats().jobs_by_state["dead"] == 1);
    });
  }

  TEST_CASE("old raw bodies are pruned only once their jobs have finished, a whole segment at a time") {
    QueueContext c("prune", 3, 20);  // 20-byte segments: two 7-byte bodies each
    std::vector<IntakeItem> items;
    for (int i = 0; i < 5; ++i) items.push_back(c.item(fmt::format("o/r{}", i), 1, "a"));
    c.q->enqueue(items);  // segments: [d-0 d-1 d-2] [d-3 d-4] (a segment closes once past 20 bytes)
    const auto bodies = c.path.parent_path() / "bodies";
    auto segments = [&] {
      return std::distance(std::filesystem::directory_iterator(bodies), std::filesystem::directory_iterator{});
    };
    CHECK(segments() == 2);
    auto a = c.q->claim(60s);
    auto b = c.q->claim(60s);
    REQUIRE(a);
    REQUIRE(b);
    c.q->finish(*a, {JobResult::Status::done, "", {}});
    c.q->finish(*b, {JobResult::Status::done, "", {}});
    c.now += 10'000;
    CHECK(c.q->prune_bodies(5s) == 0);  // d-2's job is still pending
    CHECK(c.q->prune_bodies(60s) == 0);  // and nothing is that old
    auto d = c.q->claim(60s);
    REQUIRE(d);
    CHECK(d->payload == "{\"x\":1}");
    c.q->finish(*d, {JobResult::Status::failed, "", {}});
    CHECK(c.q->prune_bodies(5s) == 3);
    CHECK(segments() == 1);  // the one still being written stays
    CHECK(test::query_one(c.path, "SELECT COUNT(*) FROM deliveries WHERE body_file IS NULL") == "3");
    auto e = c.q->claim(60s);
    REQUIRE(e);
    CHECK(e->payload == "{\"x\":1}");
  }

  TEST_CASE("the prune of bodies kept in the row (before schema 3) reads those rows only, not every delivery") {
    QueueContext c("prune-inline");
    c.q->enqueue({c.item("o/a", 1, "a"), c.item("o/b", 1, "b")});
    for (int i = 0; i < 2; ++i) {
      auto j = c.q->claim(60s);
      REQUIRE(j);
      c.q->finish(*j, {JobResult::Status::done, "", {}});
    }
    auto db = storage::Connection::open(c.path, SQLITE_OPEN_READWRITE, nullptr, "test database");
    db.set_busy_timeout(5000);
    // d-0 as a build before schema 3 stored it: its body in the row.
    db.exec("UPDATE deliveries SET body='{\"old\":1}', body_file=NULL, body_offset=NULL, body_length=NULL "
            "WHERE delivery_id='d-0'");
    // The prune's condition is answered by the partial index: no scan of
    // deliveries, whose rows since schema 3 never hold a body.
    std::string plan;
    auto explain = db.prepare("EXPLAIN QUERY PLAN UPDATE deliveries SET body=NULL WHERE received_ms<?1 AND body IS NOT NULL");
    while (explain.step()) plan += explain.column_text(3) + "; ";
    CHECK(plan.find("USING INDEX deliveries_inline_bodies") != std::string::npos);
    CHECK(plan.find("SCAN deliveries") == std::string::npos);
    c.now += 10'000;
    CHECK(c.q->prune_bodies(5s) == 1);
    CHECK(c.query("SELECT COUNT(*) FROM deliveries WHERE body IS NOT NULL") == "0");
  }

  TEST_CASE("finished jobs and their deliveries go after the retention; live jobs, dead letters and young deliveries stay") {
    test::on_each_backend("retention", [](const std::string& at) {
      constexpr std::int64_t day = 24LL * 3600 * 1000;
      // max 1 attempt: an expired lease parks its job as a dead letter.
      QueueContext c("retention", 1, 64 << 20, at, 2);  // 2 rows a batch: the walk crosses batches
      auto finish_next = [&](JobResult::Status status) {
        auto j = c.q->claim(60s);
        REQUIRE(j);
        c.q->finish(*j, {status, "", {}});
      };
      c.q->enqueue({c.item("o/dead", 1, "a")});  // d-0: will be a dead letter
      REQUIRE(c.q->claim(1s));
      c.now += 1000;
      CHECK(!c.q->claim(1s));  // its lease expired on the last attempt
      c.q->enqueue({c.item("o/done", 1, "a")});  // d-1
      finish_next(JobResult::Status::done);
      c.q->enqueue({c.item("o/failed", 1, "a")});  // d-2
      finish_next(JobResult::Status::failed);
      c.q->enqueue({c.item("o/leased", 1, "a")});  // d-3: leased for 10 days
      auto leased = c.q->claim(std::chrono::milliseconds(10 * day));
      REQUIRE(leased);
      IntakeItem no_job = c.item("o/x", 1, "a");  // d-4: an event without work
      no_job.job.reset();
      // d-5 superseded by d-6, which stays pending: its delivery must stay.
      c.q->enqueue({no_job, c.item("o/pending", 1, "a"), c.item("o/pending", 1, "b")});
      c.now += day;
      c.q->enqueue({c.item("o/young", 1, "a")});  // d-7, a day younger
      const auto before = c.q->stats();
      CHECK(before.ended_total.at("done") == 1);
      CHECK(before.ended_total.at("failed") == 1);
      CHECK(before.ended_total.at("superseded") == 1);
      CHECK(before.ended_total.at("dead") == 1);

      c.now += 3 * day - 2000;  // d-0..d-6 were received 3 days (and a second or so) ago
      CHECK(c.q->fold_totals() == 4);  // the prune deletes only ends the totals hold
      auto pruned = c.q->prune_rows(std::chrono::milliseconds(3 * day), std::nullopt);
      CHECK(pruned.jobs == 3);        // done, failed, superseded
      CHECK(pruned.deliveries == 4);  // theirs, and d-4 (no job)
      for (const char* kept : {"d-0", "d-3", "d-6", "d-7"}) {
        CHECK_MESSAGE(c.query(fmt::format("SELECT COUNT(*) FROM deliveries WHERE delivery_id='{}'", kept)) == "1", kept);
      }
      CHECK(c.query("SELECT COUNT(*) FROM deliveries") == "4");
      CHECK(c.query("SELECT COUNT(*) FROM jobs") == "4");  // dead, leased, pending, young
      // Counters do not go down with the rows; the live states are as they were.
      auto after = c.q->stats();
      CHECK(after.ended_total == before.ended_total);
      CHECK(after.jobs_by_state.at("pending") == 2);
      CHECK(after.jobs_by_state.at("leased") == 1);
      CHECK(after.jobs_by_state.at("dead") == 1);
      CHECK(after.deliveries == 8);
      // A redelivery inside the window is still a duplicate; one of a deleted
      // delivery (older than GitHub redelivers) is stored again.
      IntakeItem young = c.item("o/young", 1, "a");
      young.delivery.delivery_id = "d-7";
      IntakeItem old = c.item("o/done", 1, "a");
      old.delivery.delivery_id = "d-1";
      old.job.reset();
      CHECK(c.q->enqueue({young, old}) ==
            std::vector<IntakeOutcome>{IntakeOutcome::duplicate, IntakeOutcome::stored});
      // The pending job's delivery (and body) is still there to run it.
      auto pending = c.q->claim(60s);
      REQUIRE(pending);
      CHECK(pending->delivery_id == "d-6");
      CHECK(pending->payload == "{\"x\":1}");
      c.q->finish(*pending, {JobResult::Status::done, "", {}});
      CHECK(c.q->finish(*leased, {JobResult::Status::done, "", {}}) == "done");
      CHECK(c.q->stats().ended_total.at("done") == 3);

      // Dead letters: kept without a retention of their own, and with one
      // only once the audit log has them.
      c.now += 4 * day;
      CHECK(c.q->prune_rows(std::chrono::milliseconds(3 * day), std::nullopt).jobs == 0);  // not counted yet
      CHECK(c.q->fold_totals() == 2);
      CHECK(c.q->prune_rows(std::chrono::milliseconds(3 * day), std::nullopt).jobs == 2);  // d-3's and d-6's
      CHECK(c.query("SELECT COUNT(*) FROM jobs WHERE state='dead'") == "1");
      c.q->prune_rows(std::chrono::milliseconds(3 * day), std::chrono::milliseconds(5 * day));
      CHECK(c.query("SELECT COUNT(*) FROM jobs WHERE state='dead'") == "1");  // not reported yet
      auto dead = c.q->unreported_dead_letters(10);
      REQUIRE(dead.size() == 1);
      c.q->mark_reported({dead[0].id});
      const auto ever = c.q->stats().deliveries;
      pruned = c.q->prune_rows(std::chrono::milliseconds(3 * day), std::chrono::milliseconds(5 * day));
      CHECK(pruned.jobs == 1);  // the dead letter; d-7's job is still pending
      CHECK(c.query("SELECT COUNT(*) FROM jobs") == "1");
      CHECK(c.query("SELECT COUNT(*) FROM deliveries WHERE delivery_id='d-0'") == "0");
      // d-1 stored again (no job, old enough) is the newest delivery: on
      // SQLite it stays, so its id is never handed out again (PostgreSQL's
      // sequence never does).
      CHECK(c.query("SELECT COUNT(*) FROM deliveries WHERE delivery_id='d-1'") == (c.url.empty() ? "1" : "0"));
      auto last = c.q->stats();
      CHECK(last.deliveries == ever);
      CHECK(last.ended_total.at("dead") == 1);
      CHECK(last.ended_total.at("done") == 3);
      CHECK(last.jobs_by_state.at("dead") == 0);
    });
  }

  TEST_CASE("a job's end is counted off intake's transaction, and the counters stay exact through folds, prunes and restarts") {
    test::on_each_backend("fold", [](const std::string& at) {
      constexpr std::int64_t day = 24LL * 3600 * 1000;
      QueueContext c("fold", 3, 64 << 20, at, 2);  // 2 rows a batch: a fold crosses batches
      // Five heads of one pull request: intake supersedes four pending jobs.
      for (int i = 0; i < 5; ++i) c.q->enqueue({c.item("o/r", 1, fmt::format("h{}", i))});
      // Schema 5 counted each one in intake's transaction (a trigger); now
      // intake writes no total, and stats() adds the ends still uncounted.
      CHECK(c.stored_totals() == "0");
      CHECK(c.q->stats().ended_total.at("superseded") == 4);
      auto j = c.q->claim(60s);
      REQUIRE(j);
      CHECK(c.q->finish(*j, {JobResult::Status::done, "", {}}) == "done");
      const auto ended = c.q->stats().ended_total;
      CHECK(ended.at("superseded") == 4);
      CHECK(ended.at("done") == 1);
      CHECK(c.stored_totals() == "0");
      CHECK(c.q->fold_totals() == 5);
      CHECK(c.stored_totals() == "5");
      CHECK(c.q->stats().ended_total == ended);  // moved from the tail to the totals: the same sums
      CHECK(c.q->fold_totals() == 0);

      // An end not yet counted keeps its row through the prune.
      c.q->enqueue({c.item("o/s", 2, "a")});
      c.q->enqueue({c.item("o/s", 2, "b")});  // supersedes the first: uncounted
      c.now += 4 * day;
      CHECK(c.q->prune_rows(std::chrono::milliseconds(3 * day), std::nullopt).jobs == 5);  // the counted ones
      CHECK(c.query("SELECT COUNT(*) FROM jobs WHERE state='superseded'") == "1");
      const auto before = c.q->stats().ended_total;
      CHECK(before.at("superseded") == 5);
      CHECK(c.q->fold_totals() == 1);
      CHECK(c.q->prune_rows(std::chrono::milliseconds(3 * day), std::nullopt).jobs == 1);
      CHECK(c.query("SELECT COUNT(*) FROM jobs WHERE state='superseded'") == "0");
      CHECK(c.q->stats().ended_total == before);

      // A restart reads the same counters from the database; ends after it add to them.
      c.q->enqueue({c.item("o/s", 2, "c")});  // supersedes "b"
      c.reopen();
      auto after = c.q->stats().ended_total;
      CHECK(after.at("superseded") == 6);
      CHECK(after.at("done") == 1);
      CHECK(c.q->fold_totals() == 1);
      CHECK(c.q->stats().ended_total == after);
      CHECK(c.stored_totals() == "7");
    });
  }

  TEST_CASE("stats() reads the live jobs and a few rows, never the whole jobs table; the prune reads id ranges") {
    test::on_each_backend("stats-plan", [](const std::string& at) {
      QueueContext c("stats-plan", 3, 64 << 20, at);
      c.q->enqueue({c.item("o/r", 1, "a")});  // the tables exist with their indexes
      // 20,000 finished jobs, ended through the same UPDATE a finish makes.
      constexpr int kJobs = 20000;
      if (c.url.empty()) {
        auto db = storage::Connection::open(c.path, SQLITE_OPEN_READWRITE, nullptr, "test database");
        db.set_busy_timeout(5000);
        db.exec(fmt::format(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<{0}) "
            "INSERT INTO deliveries(delivery_id, event, action, repository, received_ms, headers, outcome) "
            "SELECT 'big-'||i, 'pull_request', 'opened', 'o/big', 1, '{{}}', 'queued' FROM n", kJobs));
        db.exec("INSERT INTO jobs(delivery_id, event, kind, repository, pr_number, head_sha, state, available_ms, "
                "created_ms) SELECT delivery_id, event, 'review', repository, id, 'a', 'pending', 1, 1 "
                "FROM deliveries WHERE delivery_id LIKE 'big-%'");
        db.exec("UPDATE jobs SET state='done', finished_ms=2 WHERE repository='o/big'");
        db.exec("ANALYZE");
      } else {
        test::log_scalar(c.url, fmt::format(
            "WITH d AS (INSERT INTO queue_deliveries(delivery_id, event, action, repository, received_ms, headers, "
            "outcome) SELECT 'big-'||i, 'pull_request', 'opened', 'o/big', 1, '{{}}', 'queued' "
            "FROM generate_series(1,{}) i RETURNING delivery_id, id) "
            "INSERT INTO queue_jobs(delivery_id, event, kind, repository, pr_number, head_sha, state, available_ms, "
            "created_ms) SELECT delivery_id, 'pull_request', 'review', 'o/big', id, 'a', 'pending', 1, 1 FROM d "
            "RETURNING 1", kJobs));
        test::log_scalar(c.url, "UPDATE queue_jobs SET state='done', finished_ms=2 WHERE repository='o/big' RETURNING 1");
        test::log_scalar(c.url, "ANALYZE queue_jobs");
        test::log_scalar(c.url, "ANALYZE queue_deliveries");
      }
      // Ended outside intake: uncounted until folded, in stats() before and after.
      CHECK(c.q->stats().ended_total.at("done") == kJobs);
      CHECK(c.q->fold_totals() == kJobs);
      test::log_scalar(c.url.empty() ? c.path.string() : c.url, c.url.empty() ? "ANALYZE" : "ANALYZE queue_jobs");
      const auto st = c.q->stats();
      CHECK(st.ended_total.at("done") == kJobs);
      CHECK(st.jobs_by_state.at("pending") == 1);
      const std::string plans = c.q->explain_queries();
      INFO(plans);
      // Before: SELECT state, COUNT(*) FROM jobs GROUP BY state read every job
      // (0.25 s at 547,000 jobs, under the writer's lock).
      CHECK(plans.find("SCAN jobs") == std::string::npos);                 // SQLite
      CHECK(plans.find("Seq Scan on queue_jobs") == std::string::npos);    // PostgreSQL
      CHECK(plans.find("Seq Scan on queue_deliveries") == std::string::npos);
      CHECK(plans.find("SCAN deliveries") == std::string::npos);
      // The ends not yet counted (stats' tail, the fold's pick) come from their partial index.
      CHECK(plans.find(c.url.empty() ? "INDEX jobs_uncounted" : "queue_jobs_uncounted") != std::string::npos);
      // prune_rows' batches (SQLite): by the primary key's range, not the
      // state index (which read every finished job's entry per batch).
      if (c.url.empty()) {
        CHECK(plans.find("SEARCH jobs USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)") != std::string::npos);
        CHECK(plans.find("SEARCH deliveries USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)") != std::string::npos);
        CHECK(plans.find("jobs USING INDEX jobs_by_state") == std::string::npos);
      }
    });
  }

  TEST_CASE("the prune's batches shrink while one holds the lock too long, grow back, and stop when asked") {
    bool stop = false;
    PrunePacer p(1000, [&] { return stop; });
    CHECK(p.rows() == 1000);
    for (int expected : {500, 250, 125, 62, 31, 16, 16}) {
      CHECK(p.next(9ms));  // over the 8 ms target
      CHECK(p.rows() == expected);
    }
    CHECK(p.next(1ms));
    CHECK(p.rows() == 32);
    CHECK(p.next(6ms));  // near the target: kept
    CHECK(p.rows() == 32);
    stop = true;
    CHECK_FALSE(p.next(1ms));
  }
}
