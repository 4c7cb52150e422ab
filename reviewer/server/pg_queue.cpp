// The job queue on PostgreSQL, for several `serve` instances on one
// database: the states, leases, retries, supersession and round-robin of
// the SQLite queue (sqlite_queue.cpp), with claims taken FOR UPDATE SKIP
// LOCKED so instances never wait for each other's claims, and raw bodies
// kept in the delivery row (bytea) since no instance's disk is shared.
// Tables are prefixed queue_ so the audit log may share the database.
#include <algorithm>
#include <mutex>
#include <thread>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "reviewer/core/error.h"
#include "reviewer/core/random.h"
#include "reviewer/core/job.h"
#include "reviewer/server/queue.h"
#include "reviewer/server/queue_policy.h"
#include "reviewer/server/queue_schema.h"
#include "storage/migrate.h"
#include "storage/pg_pool.h"
#include "storage/postgres.h"

namespace reviewer::server {

namespace {

using storage::PgConnection;
using storage::PgResult;
using storage::PgTransaction;
using storage::Value;

// Intake batches in flight at once: enough that inserts overlap the WAL
// flushes of the batches before them (see bench/README.md ## postgres).
constexpr std::size_t kIntakeWriters = 4;

// Workers of every instance LISTEN on it; intake NOTIFYs when it queued a job.
constexpr std::string_view kChannel = "reviewer_jobs";
constexpr std::string_view kNotify = "NOTIFY reviewer_jobs";
// A notifying transaction holds a cluster-wide lock from its pre-commit to
// its end, its commit's WAL flush included (PostgreSQL's async.c,
// PreCommit_Notify): a NOTIFY inside the intake transaction serialized
// every batch's commit, across intake lanes and instances. So the NOTIFY
// goes after the COMMIT, in the same pipeline, in a transaction of its own
// whose commit does not wait for the flush (nothing of it needs to survive
// a crash: workers also poll).
constexpr std::string_view kNoFlushWait = "SET LOCAL synchronous_commit TO off";
void append_notify(std::vector<storage::PgStatement>& batch) {
  batch.push_back({storage::kBeginReadCommitted, {}});
  batch.push_back({kNoFlushWait, {}});
  batch.push_back({kNotify, {}});
  batch.push_back({"COMMIT", {}});
}

// Leases that expired belong to workers (or instances) that died or hung:
// a job a newer head superseded meanwhile just ends, as it would have on
// its worker; another is parked as a dead letter when out of attempts ($2),
// re-queued otherwise. $1 is now.
constexpr std::string_view kExpireSuperseded =
    "UPDATE queue_jobs SET state='superseded', lease_token=NULL, lease_expires_ms=NULL, finished_ms=$1 "
    "WHERE state='leased' AND lease_expires_ms<=$1 AND superseded_by IS NOT NULL";
constexpr std::string_view kExpireLastAttempt =
    "UPDATE queue_jobs SET state='dead', lease_token=NULL, finished_ms=$1, "
    "result='lease expired on the last attempt (worker lost)' "
    "WHERE state='leased' AND lease_expires_ms<=$1 AND attempts>=$2";
constexpr std::string_view kExpireRequeue =
    "UPDATE queue_jobs SET state='pending', lease_token=NULL, lease_expires_ms=NULL, available_ms=$1 "
    "WHERE state='leased' AND lease_expires_ms<=$1";
// stats(), on the workers' connection: the jobs of the three live states
// and the ends not yet folded into queue_job_totals (their partial
// indexes) and a few rows, never the jobs table; it used to count every
// job by state. The totals and the tail in one statement: one snapshot, so
// a fold committing meanwhile cannot count an end twice or not at all.
constexpr std::string_view kEndedTotals =
    "SELECT state, SUM(n)::bigint FROM (SELECT state, n FROM queue_job_totals UNION ALL "
    "SELECT state, count(*) FROM queue_jobs WHERE uncounted AND state IN ('done','failed','superseded','dead') "
    "GROUP BY state) t GROUP BY state";
// fold_totals' batch (schema 5): at most $1 ends into the totals.
constexpr std::string_view kFoldEnds = "SELECT queue_fold_job_totals($1::int)";
constexpr std::string_view kLiveJobs =
    "SELECT 'pending', COUNT(*) FROM queue_jobs WHERE state='pending' "
    "UNION ALL SELECT 'leased', COUNT(*) FROM queue_jobs WHERE state='leased' "
    "UNION ALL SELECT 'dead', COUNT(*) FROM queue_jobs WHERE state='dead'";
constexpr std::string_view kOldestPending = "SELECT MIN(created_ms) FROM queue_jobs WHERE state='pending'";
constexpr std::string_view kDeliveriesEver = "SELECT COALESCE(MAX(id), 0) FROM queue_deliveries";  // ids only grow

// prune_rows' changes of a batch (PgQueue::walk): ids ($1, last.id], $3
// the cutoff, $4 the dead letters' (NULL: kept).
// A job whose end the totals do not hold yet stays until a fold has counted it.
constexpr std::string_view kPruneJobs =
    "DELETE FROM queue_jobs q USING last WHERE q.id>$1 AND q.id<=last.id AND NOT q.uncounted AND ("
    "  (q.state IN ('done','failed','superseded') AND q.finished_ms<$3) "
    "  OR (q.state='dead' AND q.reported_ms IS NOT NULL AND q.finished_ms<$4::bigint)) RETURNING 1";
constexpr std::string_view kPruneDeliveries =
    "DELETE FROM queue_deliveries d USING last WHERE d.id>$1 AND d.id<=last.id "
    "AND d.received_ms<$3 AND NOT EXISTS (SELECT 1 FROM queue_jobs j WHERE j.delivery_id=d.delivery_id) RETURNING 1";

// Round-robin in two levels, as in SQLite: the installation served longest
// ago, then its repository served longest ago, then its oldest job. SKIP
// LOCKED: a job another instance is claiming right now is passed over, not
// waited for.
constexpr std::string_view kPick =
    "SELECT j.id FROM queue_jobs j "
    "LEFT JOIN queue_installation_turns i ON i.installation=j.installation "
    "LEFT JOIN queue_repo_turns t ON t.repository=j.repository "
    "WHERE j.state='pending' AND j.available_ms<=$1 "
    // As in SQLite (REVIEWER_NOT_SAME_HEAD_RUNNING there): a pending job
    // waits while the same head of its pull request is under review.
    "  AND NOT EXISTS (SELECT 1 FROM queue_jobs l WHERE l.repository=j.repository AND l.pr_number=j.pr_number "
    "    AND l.kind=j.kind AND l.state='leased' AND l.head_sha=j.head_sha AND l.superseded_by IS NULL) "
    // As in SQLite (REVIEWER_NEWEST_OF_ITS_PR): only the newest job of a
    // pull request and kind runs. Here it also keeps two claims at once from
    // running one head twice: with an older job of the head pending again
    // (its lease expired), a claim whose snapshot could not yet see another
    // claim's lease of the newer one took the older one beside it; now it
    // finds the newer one locked and takes neither.
    // Only reviews of a pull request cover each other (REVIEWER_COVERS_ITS_PR).
    "  AND (NOT (j.kind='review' AND j.pr_number>0) OR NOT EXISTS (SELECT 1 FROM queue_jobs n "
    "    WHERE n.repository=j.repository AND n.pr_number=j.pr_number "
    "    AND n.kind=j.kind AND n.state IN ('pending','leased') AND n.id>j.id)) "
    "ORDER BY COALESCE(i.last_turn, 0), COALESCE(t.last_turn, 0), j.id LIMIT 1 "
    "FOR UPDATE OF j SKIP LOCKED";
// The claim in one statement: the pick, the lease ($2 token, $3 expiry)
// and both turns. A claim used to hold the picked row's lock across three
// round trips, and intake's superseding update of that row waited for them:
// on a busy machine, for as long as the worker thread (nice +10) waited for
// the CPU (PostgreSQL's log showed intake waiting 60-220 ms on claims).
const std::string kClaim = std::string("WITH p AS (") + std::string(kPick) + "), "
    "l AS (UPDATE queue_jobs j SET state='leased', attempts=j.attempts+1, lease_token=$2::text, "
    "    lease_expires_ms=$3::bigint FROM p WHERE j.id=p.id "
    "  RETURNING j.id, j.delivery_id, j.event, j.kind, j.repository, j.pr_number, j.head_sha, j.attempts, "
    "    j.lease_token, j.installation), "
    "r AS (INSERT INTO queue_repo_turns SELECT repository, nextval('queue_turns') FROM l "
    "  ON CONFLICT(repository) DO UPDATE SET last_turn=excluded.last_turn), "
    "i AS (INSERT INTO queue_installation_turns SELECT installation, nextval('queue_turns') FROM l "
    "  ON CONFLICT(installation) DO UPDATE SET last_turn=excluded.last_turn), "
    // The older jobs of its pull request left pending are covered by it.
    "o AS (UPDATE queue_jobs q SET state='superseded', superseded_by=l.id, finished_ms=$1 FROM l "
    "  WHERE q.repository=l.repository AND q.pr_number=l.pr_number AND q.kind=l.kind AND q.state='pending' "
    "    AND q.id<l.id AND l.kind='review' AND l.pr_number>0) "
    "SELECT l.id, l.delivery_id, l.event, l.kind, l.repository, l.pr_number, l.head_sha, l.attempts, d.body, "
    "  l.lease_token, l.installation FROM l JOIN queue_deliveries d ON d.delivery_id=l.delivery_id";

// Rolls back the open transaction unless done() was called: after a throw
// (a pipeline that failed skipped its COMMIT) or an early return. The
// first error is the one reported.
class RollbackUnlessDone {
 public:
  explicit RollbackUnlessDone(PgConnection& db) : db_(db) {}
  ~RollbackUnlessDone() {
    if (done_ || !db_.alive()) return;
    try {
      db_.exec("ROLLBACK");
    } catch (const std::exception&) {
      // The error that brought us here is the one worth reporting.
    }
  }
  RollbackUnlessDone(const RollbackUnlessDone&) = delete;
  RollbackUnlessDone& operator=(const RollbackUnlessDone&) = delete;
  void done() { done_ = true; }

 private:
  PgConnection& db_;
  bool done_ = false;
};

// Intake: one statement per delivery, so a batch needs no answer before
// its next statement (a pipeline). $1..$8 the delivery (the body, $7, as
// bytes).
constexpr std::string_view kInsertDelivery =
    "INSERT INTO queue_deliveries(delivery_id, event, action, repository, received_ms, headers, body, outcome) "
    "VALUES($1,$2,$3,$4,$5,$6,$7::bytea,$8) ON CONFLICT(delivery_id) DO NOTHING";
// The same with its job ($9 kind, $10 repository, $11 pull request, $12
// head, $13 installation), stored only when the delivery is new; with $14
// true, the job supersedes its pull request's earlier jobs of that kind
// (pending ones end; leased ones of another head are told by
// superseded_by, while one of the same head finishes and kPick holds
// this job until it has). Answers 1
// when the delivery was new. The UPDATE sees what the batch's earlier
// statements wrote, not this statement's own job.
constexpr std::string_view kInsertDeliveryAndJob =
    "WITH d AS (INSERT INTO queue_deliveries(delivery_id, event, action, repository, received_ms, headers, body, "
    "    outcome) VALUES($1::text,$2::text,$3::text,$4::text,$5::bigint,$6::text,$7::bytea,$8::text) "
    "  ON CONFLICT(delivery_id) DO NOTHING RETURNING delivery_id), "
    "j AS (INSERT INTO queue_jobs(delivery_id, event, kind, repository, pr_number, head_sha, state, available_ms, "
    "    created_ms, installation) "
    "  SELECT delivery_id, $2::text, $9::text, $10::text, $11::bigint, $12::text, 'pending', $5::bigint, $5::bigint, "
    "    $13::bigint FROM d RETURNING id), "
    "s AS (UPDATE queue_jobs q SET superseded_by=j.id, "
    "    state=CASE WHEN q.state='pending' THEN 'superseded' ELSE q.state END, "
    "    finished_ms=CASE WHEN q.state='pending' THEN $5::bigint ELSE q.finished_ms END "
    "  FROM j WHERE $14::boolean AND q.repository=$10::text AND q.pr_number=$11::bigint AND q.kind=$9::text "
    "    AND q.id<j.id AND (q.state='pending' OR (q.state='leased' AND q.head_sha<>$12::text)) "
    "    AND q.superseded_by IS NULL) "
    "SELECT count(*) FROM d";

// A bigint[] parameter in PostgreSQL's array text form: {1,2,3}.
std::string bigint_array(const std::vector<std::int64_t>& values) {
  return fmt::format("{{{}}}", fmt::join(values, ","));
}

// bytea comes back as text: PostgreSQL's hex form.
std::string from_bytea(std::string_view hex) {
  // Only the hex output format: under bytea_output=escape (a role's or a
  // database's setting) the bytes would otherwise decode to garbage.
  if (!hex.starts_with("\\x") || hex.size() % 2 != 0) {
    throw Error(Error::Code::io, "queue database: a body did not arrive in bytea's hex format (bytea_output)");
  }
  hex.remove_prefix(2);
  auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  std::string out(hex.size() / 2, '\0');
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<char>(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
  }
  return out;
}

const storage::Migrations& pg_migrations() {
  static const storage::Migrations m{"queue", kQueueVersionTable, &queue_postgres_migrations()};
  return m;
}

// The version of a database, recorded in queue_schema_migrations; one from
// before that table kept it in queue_meta (1-3, the same migrations).
int pg_queue_version(PgConnection& db) {
  if (storage::has_table(db, kQueueVersionTable)) return storage::schema_version(db, pg_migrations());
  if (!storage::has_table(db, "queue_meta")) return 0;
  auto r = db.exec("SELECT value FROM queue_meta WHERE key='schema_version'");
  return r.rows() ? static_cast<int>(r.int64(0, 0)) : 0;
}

// Brings the database to this build's schema under the queue's advisory
// lock; a current one is left alone without taking it (its DDL would lock
// tables other instances are using), a newer one refused untouched.
// queue_meta's schema_version follows the version: builds from before
// queue_schema_migrations read it, and refuse a newer database.
void migrate_postgres(PgConnection& db) {
  const int latest = pg_migrations().latest();
  int current = pg_queue_version(db);
  if (current > latest) storage::throw_newer_schema(db.where(), current, latest);
  if (current == latest && storage::has_table(db, kQueueVersionTable)) return;
  try {
    PgTransaction tx(db);
    storage::lock_for_migration(db, pg_migrations());
    current = pg_queue_version(db);  // again, under the lock
    if (!storage::has_table(db, kQueueVersionTable)) storage::adopt_migrations(db, pg_migrations(), current);
    storage::apply_migrations(db, pg_migrations(), latest);
    db.exec("INSERT INTO queue_meta VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = $1",
            {std::int64_t{latest}});
    tx.commit();
  } catch (const storage::PgError& e) {
    if (e.sqlstate() != "42501") throw;  // insufficient_privilege
    // serve's role may not CREATE (README, "Several instances on PostgreSQL").
    throw Error(Error::Code::io,
                fmt::format("{} has queue schema version {}, this build needs {}{}, and this role may not change "
                            "the schema: run `reviewer audit migrate --to URL` as the database's owner (README, "
                            "\"Several instances on PostgreSQL\"): {}",
                            db.where(), current, latest, current == latest ? " recorded in queue_schema_migrations" : "",
                            e.what()));
  }
}

// Columns 0-7 of `row`: id, delivery_id, event, kind, repository,
// pr_number, head_sha, attempts (both queries below select them first).
void read_identity(const PgResult& r, int row, JobIdentity& out) {
  out.id = r.int64(row, 0);
  out.delivery_id = r.text(row, 1);
  out.event = r.text(row, 2);
  out.kind = r.text(row, 3);
  out.repository = r.text(row, 4);
  out.pr_number = r.int64(row, 5);
  out.head_sha = r.text(row, 6);
  out.attempts = static_cast<int>(r.int64(row, 7));
}

Job job_of(const PgResult& r, int row) {
  Job job;
  read_identity(r, row, job);
  job.payload = r.is_null(row, 8) ? std::string() : from_bytea(r.text(row, 8));
  job.lease_token = r.text(row, 9);
  return job;
}

// A connection of its own that LISTENs for intake's NOTIFY (from any
// instance) and calls `wake`. When the server goes away it connects again
// after a pause; meanwhile workers still poll.
class Listener {
 public:
  Listener(std::string url, std::function<void()> wake)
      : url_(std::move(url)), wake_(std::move(wake)), thread_([this](std::stop_token st) { run(st); }) {}

 private:
  void run(std::stop_token st) {
    while (!st.stop_requested()) {
      try {
        auto db = PgConnection::open(url_, "queue database");
        db.exec(fmt::format("LISTEN {}", kChannel));
        while (!st.stop_requested()) {
          if (db.wait_for_notification(std::chrono::milliseconds(200))) wake_();
        }
      } catch (const Error&) {
        for (int i = 0; i < 10 && !st.stop_requested(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
  }
  std::string url_;
  std::function<void()> wake_;
  std::jthread thread_;  // last: joined (stop requested) before the rest goes
};

class PgQueue final : public JobQueue {
 public:
  PgQueue(const std::string& url, QueueOptions o)
      : db_(PgConnection::open(url, "queue database")), opt_(std::move(o)), policy_(opt_),
        intake_(url, "queue database", kIntakeWriters) {
    if (!opt_.now_ms) {
      opt_.now_ms = [] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
      };
    }
    migrate_postgres(db_);
  }

  std::size_t intake_writers() const override { return intake_.size(); }

  // On a connection of the intake pool, not db_: intake never waits for a
  // worker's claim, and several batches are in flight at once.
  // The whole batch, BEGIN to COMMIT, in one round trip (pipeline mode):
  // a round trip per statement was most of a batch's time.
  std::vector<IntakeOutcome> enqueue(const std::vector<IntakeItem>& items) override {
    auto db = intake_.acquire();
    const auto now = opt_.now_ms();
    std::vector<storage::PgStatement> batch;
    batch.reserve(items.size() + 8);
    batch.push_back({storage::kBeginReadCommitted, {}});
    batch.push_back({storage::kSetLockTimeout, {}});  // a per-PR key held elsewhere: 503, not a hang
    if (auto keys = superseding_keys(items); !keys.empty()) {
      // The sorted subquery feeds the aggregate in order.
      batch.push_back({"SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT k FROM unnest($1::bigint[]) k ORDER BY k) s",
                       {bigint_array(keys)}});
    }
    const std::size_t first = batch.size();
    bool queued = false;
    for (const auto& item : items) {
      const auto& d = item.delivery;
      if (!item.job) {
        batch.push_back({kInsertDelivery, {d.delivery_id, d.event, d.action, d.repository, now, d.headers_json, d.body, d.outcome}, 6});
        continue;
      }
      const auto& j = *item.job;
      queued = true;
      batch.push_back({kInsertDeliveryAndJob,
                       {d.delivery_id, d.event, d.action, d.repository, now, d.headers_json, d.body, d.outcome, j.kind,
                        j.repository, j.pr_number, j.head_sha, j.installation, std::string(j.supersedes ? "t" : "f")},
                       6});
    }
    batch.push_back({"COMMIT", {}});
    // Should the NOTIFY alone fail, the batch is reported failed although
    // it committed: GitHub's redelivery is then a duplicate, nothing lost.
    if (queued) append_notify(batch);
    RollbackUnlessDone guard(*db);
    const auto results = db->pipeline(batch);
    guard.done();
    std::vector<IntakeOutcome> out;
    out.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
      const auto& r = results[first + i];
      const bool stored = items[i].job ? r.int64(0, 0) == 1 : r.affected() == 1;
      out.push_back(stored ? IntakeOutcome::stored : IntakeOutcome::duplicate);
    }
    return out;
  }

  // One round trip: the lease expiries and the claim (kClaim) in one
  // transaction, so no row lock waits on this side of the connection.
  // Claims and finishes commit without waiting for the WAL flush
  // (kNoFlushWait): the job rows they lock are the ones intake's
  // superseding update needs, and a flush (~4 ms here, far more on a busy
  // disk) held them all that time. Only a crash of the database server
  // itself can undo such a commit, and then the job is run again (its lease
  // expires, or it is pending again) as after a crash of a worker: jobs are
  // at-least-once anyway. Deliveries are always committed with the flush.
  std::optional<Job> claim(std::chrono::milliseconds lease) override {
    std::lock_guard lock(mu_);
    reconnect();
    const auto now = opt_.now_ms();
    RollbackUnlessDone guard(db_);
    auto r = db_.pipeline({{storage::kBeginReadCommitted, {}},
                           {kNoFlushWait, {}},
                           {kExpireSuperseded, {now}},
                           {kExpireLastAttempt, {now, std::int64_t{opt_.max_attempts}}},
                           {kExpireRequeue, {now}},
                           {kClaim, {now, random_hex(16), now + lease.count()}},
                           {"COMMIT", {}}});
    guard.done();
    if (r[5].rows() == 0) return std::nullopt;
    return job_of(r[5], 0);
  }

  void on_new_jobs(std::function<void()> wake) override {
    listener_.reset();  // joins the old one: its `wake` is not called again
    if (wake) listener_ = std::make_unique<Listener>(db_.url(), std::move(wake));
  }

  bool heartbeat(const Job& job, std::chrono::milliseconds lease) override {
    std::lock_guard lock(mu_);
    reconnect();
    return db_.prepared("UPDATE queue_jobs SET lease_expires_ms=$3 WHERE id=$1 AND lease_token=$2 AND state='leased'",
                    {job.id, job.lease_token, opt_.now_ms() + lease.count()})
               .affected() == 1;
  }

  // One statement, checked against the lease: the job's attempts are the
  // ones its claim returned (nothing else changes them while the lease holds).
  std::string finish(const Job& job, const JobResult& r) override {
    std::lock_guard lock(mu_);
    reconnect();
    const auto now = opt_.now_ms();
    auto [state, available] = policy_.after(r.status, job.attempts, now);
    // Explicit: a NOTIFY transaction after it must not take it in (a
    // pipeline's statements before its BEGIN would join its transaction).
    std::vector<storage::PgStatement> batch{
        {storage::kBeginReadCommitted, {}},
        {kNoFlushWait, {}},  // as claim()'s
        // A retry (or a dead letter) of a job that a newer head superseded
        // meanwhile ends it: the newer job does the work (as in SQLite's finish).
        {"UPDATE queue_jobs SET state=CASE WHEN $2 IN ('pending','dead') AND superseded_by IS NOT NULL THEN 'superseded' "
         "  ELSE $2 END, available_ms=$3, lease_token=NULL, lease_expires_ms=NULL, "
         "finished_ms=CASE WHEN $2='pending' AND superseded_by IS NULL THEN NULL ELSE $4::bigint END, run_id=$5, "
         "result=$6 WHERE id=$1 AND state='leased' AND lease_token=$7 RETURNING state",
         {job.id, state, available, now, r.run_id.empty() ? Value{} : Value{r.run_id}, r.detail, job.lease_token}},
        {"COMMIT", {}}};
    if (state == "pending") append_notify(batch);
    RollbackUnlessDone guard(db_);
    auto out = db_.pipeline(batch);
    guard.done();
    return out[2].rows() == 1 ? out[2].text(0, 0) : "lost_lease";
  }

  void release(const Job& job) override {
    std::lock_guard lock(mu_);
    reconnect();
    db_.exec(
        // As in SQLite: a job a newer head stopped ends.
        "UPDATE queue_jobs SET state=CASE WHEN superseded_by IS NULL THEN 'pending' ELSE 'superseded' END, "
        "finished_ms=CASE WHEN superseded_by IS NULL THEN NULL ELSE $3::bigint END, "
        "attempts=GREATEST(attempts-1, 0), lease_token=NULL, "
        "lease_expires_ms=NULL, available_ms=$3 WHERE id=$1 AND lease_token=$2 AND state='leased'",
        {job.id, job.lease_token, opt_.now_ms()});
  }

  bool superseded(std::int64_t job_id) override {
    std::lock_guard lock(mu_);
    reconnect();
    auto r = db_.prepared("SELECT superseded_by IS NOT NULL FROM queue_jobs WHERE id=$1", {job_id});
    return r.rows() == 1 && r.text(0, 0) == "t";
  }

  QueueStats stats() override {
    std::lock_guard lock(mu_);
    reconnect();
    QueueStats st;
    auto ended = db_.exec(kEndedTotals);
    for (int i = 0; i < ended.rows(); ++i) st.ended_total[ended.text(i, 0)] = ended.int64(i, 1);
    auto live = db_.exec(kLiveJobs);
    for (int i = 0; i < live.rows(); ++i) st.jobs_by_state[live.text(i, 0)] = live.int64(i, 1);
    auto oldest = db_.exec(kOldestPending);
    if (!oldest.is_null(0, 0)) st.oldest_pending_age_ms = std::max<std::int64_t>(0, opt_.now_ms() - oldest.int64(0, 0));
    auto n = db_.exec(kDeliveriesEver);
    st.deliveries = n.int64(0, 0);
    return st;
  }

  std::string explain_queries() override {
    std::lock_guard lock(mu_);
    reconnect();
    std::string plans;
    std::vector<std::string> queries;
    for (auto sql : {kEndedTotals, kLiveJobs, kOldestPending, kDeliveriesEver}) queries.emplace_back(sql);
    // The fold's pick (inside queue_fold_job_totals, which EXPLAIN cannot see into).
    queries.emplace_back("SELECT id FROM queue_jobs WHERE uncounted AND state IN ('done','failed','superseded','dead') "
                         "LIMIT 1000 FOR UPDATE SKIP LOCKED");
    // The prune's batches, with values for the parameters (EXPLAIN needs them).
    for (auto [table, column, change] : {std::tuple{"queue_jobs", "created_ms", kPruneJobs},
                                         std::tuple{"queue_deliveries", "received_ms", kPruneDeliveries}}) {
      std::string sql = walk_sql(table, column, std::string(change));
      for (auto [param, value] : {std::pair{"$1", "0"}, std::pair{"$2", "1000"}, std::pair{"$3", "0"}, std::pair{"$4", "NULL"}}) {
        for (auto at = sql.find(param); at != std::string::npos; at = sql.find(param, at)) sql.replace(at, 2, value);
      }
      queries.push_back(sql);
    }
    for (const auto& sql : queries) {
      auto e = db_.exec(fmt::format("EXPLAIN {}", sql));
      for (int i = 0; i < e.rows(); ++i) plans += e.text(i, 0) + "\n";
    }
    return plans;
  }

  bool writable() override {
    std::lock_guard lock(mu_);
    try {
      reconnect();
      // A row lock needs a reachable, writable primary (not a standby).
      db_.exec("SELECT 1 FROM queue_meta FOR UPDATE");
    } catch (const Error&) {
      return false;
    }
    return true;
  }

  std::vector<DeadLetter> unreported_dead_letters(std::size_t limit) override {
    std::lock_guard lock(mu_);
    reconnect();
    auto r = db_.exec(
        "SELECT id, delivery_id, event, kind, repository, pr_number, head_sha, attempts, COALESCE(result, ''), "
        "COALESCE(finished_ms, 0) FROM queue_jobs WHERE state='dead' AND reported_ms IS NULL ORDER BY id LIMIT $1",
        {static_cast<std::int64_t>(limit)});
    std::vector<DeadLetter> out;
    for (int i = 0; i < r.rows(); ++i) {
      DeadLetter d;
      read_identity(r, i, d);
      d.reason = r.text(i, 8);
      d.parked_ms = r.int64(i, 9);
      out.push_back(std::move(d));
    }
    return out;
  }

  void mark_reported(const std::vector<std::int64_t>& job_ids) override {
    std::lock_guard lock(mu_);
    reconnect();
    if (job_ids.empty()) return;
    db_.exec("UPDATE queue_jobs SET reported_ms=$2 WHERE id = ANY($1::bigint[])",
             {bigint_array(job_ids), opt_.now_ms()});
  }

  // Batched and stopped as prune_rows; after it, the rows left that old
  // are those of live jobs (skipped) and of dead letters kept.
  std::int64_t prune_bodies(std::chrono::milliseconds age, const std::function<bool()>& stop) override {
    PrunePacer pacer(opt_.prune_batch, stop);
    return walk(pacer, "queue_deliveries", "received_ms",
                "UPDATE queue_deliveries d SET body=NULL FROM last WHERE d.id>$1 AND d.id<=last.id AND d.received_ms<$3 "
                "AND d.body IS NOT NULL AND NOT EXISTS (SELECT 1 FROM queue_jobs j WHERE j.delivery_id=d.delivery_id "
                "AND j.state IN ('pending','leased')) RETURNING 1",
                opt_.now_ms() - age.count(), std::nullopt);
  }

  // Batches of one statement each, on the workers' connection (claims wait
  // one short batch at most), paced as the prune.
  std::int64_t fold_totals(const std::function<bool()>& stop) override {
    PrunePacer pacer(opt_.prune_batch, stop);
    return run_paced(pacer, [this](int rows) {
      std::lock_guard lock(mu_);
      reconnect();
      // Without waiting for the WAL flush (as claims): a fold is undone
      // whole by a crash of the database server, its rows uncounted again.
      RollbackUnlessDone guard(db_);
      auto r = db_.pipeline({{storage::kBeginReadCommitted, {}},
                             {kNoFlushWait, {}},
                             {kFoldEnds, {std::int64_t{rows}}},
                             {"COMMIT", {}}});
      guard.done();
      return r[2].int64(0, 0);
    });
  }

  PruneCounts prune_rows(std::chrono::milliseconds age, std::optional<std::chrono::milliseconds> dead_age,
                         const std::function<bool()>& stop) override {
    const auto now = opt_.now_ms();
    const std::int64_t cutoff = now - age.count();
    PruneCounts pruned;
    PrunePacer pacer(opt_.prune_batch, stop);
    // Jobs first, so their deliveries qualify in the second walk; dead
    // letters only with a retention of their own, once reported.
    pruned.jobs = walk(pacer, "queue_jobs", "created_ms", std::string(kPruneJobs), cutoff,
                       dead_age ? std::optional(now - dead_age->count()) : std::nullopt);
    if (stop && stop()) return pruned;
    pruned.deliveries =
        walk(pacer, "queue_deliveries", "received_ms", std::string(kPruneDeliveries), cutoff, std::nullopt);
    return pruned;
  }

 private:
  static std::string walk_sql(const std::string& table, const std::string& time_column, const std::string& change) {
    return fmt::format(
        "WITH last AS (SELECT id, {1} AS t FROM (SELECT id, {1} FROM {0} WHERE id>$1 ORDER BY id LIMIT $2) b "
        "  ORDER BY id DESC LIMIT 1), c AS ({2}) "
        "SELECT last.id, last.t, (SELECT count(*) FROM c) FROM last",
        table, time_column, change);
  }

  // Walks `table` by id, oldest first, a batch (PrunePacer) a statement,
  // its own transaction: `change`, a DELETE or UPDATE ... FROM last (the
  // batch's last row) RETURNING 1, acts on ids ($1, last.id], $3 the
  // cutoff, $4 the dead letters' (NULL: none). Ids grow with `time_column`:
  // the walk stops at the batch that reaches rows newer than the cutoff,
  // having read the rows kept before it and one batch more, not the
  // table. Claims (this connection) wait one short batch at most.
  std::int64_t walk(PrunePacer& pacer, const std::string& table, const std::string& time_column,
                    const std::string& change, std::int64_t cutoff, std::optional<std::int64_t> dead_cutoff) {
    const std::string sql = walk_sql(table, time_column, change);
    const bool uses_dead_cutoff = change.find("$4") != std::string::npos;
    std::int64_t after = 0, changed = 0;
    for (;;) {
      bool more = false;
      std::chrono::steady_clock::duration held{};
      {
        std::lock_guard lock(mu_);
        const auto started = std::chrono::steady_clock::now();
        reconnect();
        const std::int64_t batch = pacer.rows();
        auto r = !uses_dead_cutoff ? db_.prepared(sql, {after, batch, cutoff})
                 : dead_cutoff     ? db_.prepared(sql, {after, batch, cutoff, *dead_cutoff})
                                   : db_.prepared(sql, {after, batch, cutoff, Value{}});
        if (r.rows() == 0) return changed;
        after = r.int64(0, 0);
        more = r.int64(0, 1) < cutoff;
        changed += r.int64(0, 2);
        held = std::chrono::steady_clock::now() - started;
      }
      if (!more || !pacer.next(held)) return changed;
    }
  }

  // Batches commit in parallel (this instance's intake writers, and other
  // instances): a job that supersedes must see the earlier job of its pull
  // request committed, or both would stay pending. A transaction-scoped
  // advisory lock per (repository, pull request, kind) orders them; taken
  // in ascending key order, so two batches never wait for each other in a
  // cycle. Keys are FNV-1a, the same in every instance and build.
  static std::vector<std::int64_t> superseding_keys(const std::vector<IntakeItem>& items) {
    std::vector<std::int64_t> keys;
    for (const auto& item : items) {
      if (!item.job || !item.job->supersedes) continue;
      const auto& j = *item.job;
      std::uint64_t h = 1469598103934665603ULL;
      for (char c : fmt::format("{}#{}#{}", j.repository, j.pr_number, j.kind)) {
        h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
      }
      keys.push_back(static_cast<std::int64_t>(h));
    }
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    return keys;
  }

  void reconnect() {
    if (!db_.alive()) db_ = PgConnection::open(db_.url(), "queue database");
  }

  PgConnection db_;
  QueueOptions opt_;
  AttemptPolicy policy_;
  std::mutex mu_;  // guards db_ and policy_
  storage::PgPool intake_;
  std::unique_ptr<Listener> listener_;  // after db_: stopped first
};

}  // namespace

std::unique_ptr<JobQueue> JobQueue::open_postgres(const std::string& url, QueueOptions options) {
  return std::make_unique<PgQueue>(url, std::move(options));
}

}  // namespace reviewer::server
