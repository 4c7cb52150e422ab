// The SQLite job queue. States: pending -> leased -> done | failed | dead |
// superseded, and leased -> pending on a retry, a release or an expired
// lease. repo_turns remembers when each repository was last served, which
// is what makes claims round-robin across repositories.
#include <algorithm>
#include <functional>
#include <limits>
#include <mutex>

#include <sqlite3.h>

#include <fmt/format.h>

#include "storage/checkpointer.h"
#include "storage/migrate.h"
#include "storage/wal_vfs.h"
#include "reviewer/core/error.h"
#include "reviewer/core/random.h"
#include "reviewer/server/body_log.h"
#include "reviewer/server/queue.h"
#include "reviewer/server/queue_policy.h"
#include "reviewer/server/queue_schema.h"
#include "reviewer/core/private_files.h"
#include "storage/sqlite.h"

namespace reviewer::server {

namespace {

using storage::Connection;
using storage::Statement;
using storage::Transaction;

const storage::Migrations& sqlite_migrations() {
  static const storage::Migrations m{"queue", kQueueVersionTable, &queue_sqlite_migrations()};
  return m;
}

// The version of a database, recorded in queue_schema_migrations; one from
// before that table kept it in user_version (1-3, the same migrations).
int sqlite_queue_version(Connection& db) {
  if (storage::has_table(db, kQueueVersionTable)) return storage::schema_version(db, sqlite_migrations());
  auto v = db.prepare("PRAGMA user_version");
  return v.step() ? static_cast<int>(v.column_int64(0)) : 0;
}

// Brings the database to this build's schema, in one transaction; a newer
// one is refused untouched. user_version follows the version: builds from
// before queue_schema_migrations read it, and refuse a newer database.
void migrate_sqlite(Connection& db) {
  const int latest = sqlite_migrations().latest();
  int current = sqlite_queue_version(db);
  if (current > latest) storage::throw_newer_schema(db.where(), current, latest);
  if (current == latest && storage::has_table(db, kQueueVersionTable)) return;
  Transaction tx(db);
  current = sqlite_queue_version(db);  // another process may have migrated meanwhile
  if (!storage::has_table(db, kQueueVersionTable)) storage::adopt_migrations(db, sqlite_migrations(), current);
  storage::apply_migrations(db, sqlite_migrations(), latest);
  db.exec(fmt::format("PRAGMA user_version={}", latest));
  tx.commit();
}

// A pending job waits while a job of its pull request, kind and head is
// running (and not superseded): an edit, a re-run or a redelivery does not
// stop the review of the head it names, or a stream of them would starve
// it; the newest of them runs once that review is done. A new head still
// stops the running review, and does not wait for it. `alias` names the
// pending job's table; jobs_by_pr answers the probe.
#define REVIEWER_NOT_SAME_HEAD_RUNNING(alias)                                                                \
  "NOT EXISTS (SELECT 1 FROM jobs l WHERE l.repository=" alias ".repository AND l.pr_number=" alias         \
  ".pr_number AND l.kind=" alias ".kind AND l.state='leased' AND l.head_sha=" alias ".head_sha "            \
  "AND l.superseded_by IS NULL)"

// Only the newest job of a pull request and kind (pending or leased) runs:
// an older one pending again (its lease expired, a retry, a shutdown's
// release) is covered by the newer one, which supersedes it when claimed;
// it used to run first, then the newer one after it. On PostgreSQL the
// same rule (kPick) keeps two claims at once from running one head twice.
// Only reviews of a pull request cover each other (the jobs enqueued with
// `supersedes`, github/webhook.cpp): every comment, review state and
// check-suite re-run of it runs, and a re-run with no pull request (0)
// names none.
#define REVIEWER_COVERS_ITS_PR(alias) "(" alias ".kind='review' AND " alias ".pr_number>0)"
#define REVIEWER_NEWEST_OF_ITS_PR(alias)                                                                     \
  "(NOT " REVIEWER_COVERS_ITS_PR(alias) " OR NOT EXISTS (SELECT 1 FROM jobs n WHERE n.repository=" alias    \
  ".repository AND n.pr_number=" alias ".pr_number AND n.kind=" alias ".kind AND n.state IN ('pending','leased') " \
  "AND n.id>" alias ".id))"

constexpr int kBusyTimeoutMs = 5000;  // how long a statement waits for another connection's lock

// Opens (creating) the queue database in WAL mode with a busy timeout,
// through the named SQLite VFS (null: the default).
storage::Connection open_queue_db(const std::filesystem::path& path, const char* vfs = nullptr) {
  // The queue holds webhook payloads: private before SQLite writes to it
  // (its -wal and -shm files take the database file's mode).
  create_private_file(path);
  auto db = storage::Connection::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, vfs,
                                      "queue database");
  db.set_busy_timeout(kBusyTimeoutMs);
  // WAL with synchronous=NORMAL: a committed transaction survives the
  // process being killed (the WAL is in the OS page cache); only a power
  // loss can drop the last commits.
  db.exec("PRAGMA journal_mode=WAL");
  db.exec("PRAGMA synchronous=NORMAL");
  db.exec("PRAGMA foreign_keys=ON");
  return db;
}

// The jobs that ended and are not yet in job_totals: jobs_uncounted's
// condition, word for word (SQLite uses a partial index only for a query
// that repeats its terms).
#define REVIEWER_UNCOUNTED_END "uncounted=1 AND state IN ('done','failed','superseded','dead')"

// stats(), on the writer's connection: none reads more than the jobs in
// the three live states (their ranges of jobs_by_state), the ends not yet
// folded (jobs_uncounted) and a few rows. It used to count every job by
// state (0.25 s at 547,000 jobs, bench/README.md `## server`, session 24),
// stalling intake for as long. The totals and the tail in one statement:
// one snapshot, so a fold between them cannot count an end twice or not at all.
constexpr std::string_view kEndedTotals =
    "SELECT state, SUM(n) FROM (SELECT state, n FROM job_totals UNION ALL "
    "SELECT state, COUNT(*) AS n FROM jobs INDEXED BY jobs_uncounted WHERE " REVIEWER_UNCOUNTED_END " GROUP BY state) "
    "GROUP BY state";
// fold_totals' batch: marks up to ?1 uncounted ends counted, answering their
// states. INDEXED BY: with LIMIT, SQLite otherwise chose to scan the jobs
// table for them (tests/server/test_queue.cpp checks the plans).
constexpr std::string_view kFoldEnds =
    "UPDATE jobs SET uncounted=0 WHERE id IN (SELECT id FROM jobs INDEXED BY jobs_uncounted WHERE " REVIEWER_UNCOUNTED_END
    " LIMIT ?1) "
    "RETURNING state";
constexpr std::string_view kLiveJobs =
    "SELECT state, COUNT(*) FROM jobs WHERE state IN ('pending','leased','dead') GROUP BY state";
constexpr std::string_view kOldestPending = "SELECT MIN(created_ms) FROM jobs WHERE state='pending'";
constexpr std::string_view kDeliveriesEver = "SELECT MAX(id) FROM deliveries";  // ids only grow: cheap count

// prune_rows' deletes of ids (?1, ?2]: by the primary key's range. `+state`
// keeps SQLite off jobs_by_state, which it otherwise took for the state
// test, reading every finished job's entry for each batch (0.1 s a batch
// at 550,000 jobs, and intake waiting behind it). The newest row of each
// table stays: SQLite gives a new row the largest id + 1, so deleting it
// would hand its id out again (ids must keep growing: this walk, the
// claim's order and stats().deliveries rely on it).
// A job whose end is not yet in job_totals stays until fold_totals has
// counted it, so the counters never lose an end.
constexpr std::string_view kPruneJobs =
    "DELETE FROM jobs WHERE id>?1 AND id<=?2 AND id<(SELECT MAX(id) FROM jobs) AND +uncounted=0 AND ("
    "  (+state IN ('done','failed','superseded') AND finished_ms<?3) "
    "  OR (+state='dead' AND reported_ms IS NOT NULL AND finished_ms<?4))";
constexpr std::string_view kPruneDeliveries =
    "DELETE FROM deliveries WHERE id>?1 AND id<=?2 AND id<(SELECT MAX(id) FROM deliveries) AND received_ms<?3 "
    "AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.delivery_id=deliveries.delivery_id)";

class SqliteQueue final : public JobQueue {
 public:
  SqliteQueue(const std::filesystem::path& path, QueueOptions o)
      // The writer's commits reach the WAL in one write each, not two per
      // page (audit/wal_vfs.h); the checkpointer's connection needs no such.
      : db_(open_queue_db(path, storage::combining_wal_vfs())),
        opt_(std::move(o)),
        policy_(opt_),
        bodies_(path.parent_path() / "bodies", opt_.body_segment_bytes),
        checkpointer_(path, storage::Checkpointer::queue_checkpoints(
                                [this](const std::function<void(storage::Connection&)>& use) {
                                  std::lock_guard writer(mu_);
                                  use(db_);
                                },
                                // Bodies first: a row must not reach the
                                // database file before the body it names is on disk.
                                [this] { bodies_.sync(); })) {
    if (!opt_.now_ms) {
      opt_.now_ms = [] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
      };
    }
    migrate_sqlite(db_);
    // Checkpoints (which fsync) run on their own connection and thread, so a
    // commit never waits for one: with synchronous=NORMAL a WAL commit is
    // then a write() without fsync, and intake latency stays flat.
    checkpointer_.attach(db_);
  }

  std::vector<IntakeOutcome> enqueue(const std::vector<IntakeItem>& items) override {
    std::lock_guard lock(mu_);
    const auto now = opt_.now_ms();
    std::vector<IntakeOutcome> out;
    out.reserve(items.size());
    Transaction tx(db_);
    Statement ins = db_.cached(
             "INSERT INTO deliveries(delivery_id, event, action, repository, received_ms, headers, outcome, "
             "body_file, body_offset, body_length) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10) "
             "ON CONFLICT(delivery_id) DO NOTHING");
    Statement job = db_.cached(
             "INSERT INTO jobs(delivery_id, event, kind, repository, pr_number, head_sha, state, available_ms, "
             "created_ms, installation) VALUES(?1,?2,?3,?4,?5,?6,'pending',?7,?7,?8)");
    // A running job is stopped only by a new head (REVIEWER_NOT_SAME_HEAD_RUNNING).
    Statement sup = db_.cached(
             "UPDATE jobs SET superseded_by=?1, "
             "  state=CASE WHEN state='pending' THEN 'superseded' ELSE state END, "
             "  finished_ms=CASE WHEN state='pending' THEN ?5 ELSE finished_ms END "
             "WHERE repository=?2 AND pr_number=?3 AND kind=?4 AND id<?1 "
             "  AND (state='pending' OR (state='leased' AND head_sha<>?6)) AND superseded_by IS NULL");
    // Which deliveries each segment holds (a batch may cross into a new one).
    Statement seg = db_.cached(
             "INSERT INTO body_segments(file, first_id, last_id, last_ms) VALUES(?1,?2,?3,?4) "
             "ON CONFLICT(file) DO UPDATE SET last_id=MAX(last_id, excluded.last_id), last_ms=excluded.last_ms");
    std::string seg_file;
    std::int64_t first_id = 0, last_id = 0;
    auto note_segment = [&] {
      if (first_id != 0) seg.bind(1, seg_file).bind(2, first_id).bind(3, last_id).bind(4, now).run();
      first_id = last_id = 0;
    };
    for (const auto& item : items) {
      const auto& d = item.delivery;
      // Inside the transaction: a prune in another process cannot delete
      // the segment between this write and the commit naming it. A
      // duplicate's bytes stay unreferenced until the segment is pruned.
      const BodyLog::Ref ref = bodies_.append(d.body);
      if (ref.file != seg_file) {
        note_segment();
        seg_file = ref.file;
      }
      ins.bind(1, d.delivery_id).bind(2, d.event).bind(3, d.action).bind(4, d.repository).bind(5, now);
      ins.bind(6, d.headers_json).bind(7, d.outcome).bind(8, ref.file).bind(9, ref.offset).bind(10, ref.length);
      ins.run();
      if (db_.changes() == 0) {
        out.push_back(IntakeOutcome::duplicate);
        continue;
      }
      out.push_back(IntakeOutcome::stored);
      last_id = db_.last_insert_id();
      if (first_id == 0) first_id = last_id;
      if (!item.job) continue;
      const auto& j = *item.job;
      job.bind(1, d.delivery_id).bind(2, d.event).bind(3, j.kind).bind(4, j.repository);
      job.bind(5, j.pr_number).bind(6, j.head_sha).bind(7, now).bind(8, j.installation);
      job.run();
      if (j.supersedes) {
        sup.bind(1, db_.last_insert_id()).bind(2, j.repository).bind(3, j.pr_number).bind(4, j.kind).bind(5, now);
        sup.bind(6, j.head_sha);
        sup.run();
      }
    }
    note_segment();
    tx.commit();
    return out;
  }

  std::optional<Job> claim(std::chrono::milliseconds lease) override {
    std::lock_guard lock(mu_);
    // A job whose body cannot be read is failed and the next one tried.
    for (;;) {
      if (auto j = claim_once(lease)) return j->id == 0 ? std::nullopt : j;
    }
  }

  bool heartbeat(const Job& job, std::chrono::milliseconds lease) override {
    std::lock_guard lock(mu_);
    Statement s = db_.cached("UPDATE jobs SET lease_expires_ms=?3 WHERE id=?1 AND lease_token=?2 AND state='leased'");
    s.bind(1, job.id).bind(2, job.lease_token).bind(3, opt_.now_ms() + lease.count()).run();
    return db_.changes() == 1;
  }

  std::string finish(const Job& job, const JobResult& r) override {
    std::lock_guard lock(mu_);
    const auto now = opt_.now_ms();
    Transaction tx(db_);
    Statement cur = db_.cached("SELECT state, lease_token, attempts, superseded_by IS NOT NULL FROM jobs WHERE id=?1");
    cur.bind(1, job.id);
    if (!cur.step() || cur.column_text(0) != "leased" || cur.column_text(1) != job.lease_token) return "lost_lease";
    const int attempts = static_cast<int>(cur.column_int64(2));
    const bool covered = cur.column_int64(3) != 0;
    cur.reset();
    auto [state, available] = policy_.after(r.status, attempts, now);
    // A retry (or, out of attempts, a dead letter) of a job that a newer
    // head superseded meanwhile ends it: the newer job does the work.
    if ((state == "pending" || state == "dead") && covered) state = "superseded";
    Statement up = db_.cached(
            "UPDATE jobs SET state=?2, available_ms=?3, lease_token=NULL, lease_expires_ms=NULL, "
            "finished_ms=CASE WHEN ?2='pending' THEN NULL ELSE ?4 END, run_id=?5, result=?6 WHERE id=?1");
    up.bind(1, job.id).bind(2, state).bind(3, available).bind(4, now);
    if (r.run_id.empty()) up.bind_null(5); else up.bind(5, r.run_id);
    up.bind(6, r.detail).run();
    tx.commit();
    return state;
  }

  void release(const Job& job) override {
    std::lock_guard lock(mu_);
    Statement s = db_.cached(
           // A job a newer head stopped ends: queued again, it would run the
           // old head once the newer one finished.
           "UPDATE jobs SET state=CASE WHEN superseded_by IS NULL THEN 'pending' ELSE 'superseded' END, "
           "finished_ms=CASE WHEN superseded_by IS NULL THEN NULL ELSE ?3 END, attempts=MAX(attempts-1, 0), "
           "lease_token=NULL, lease_expires_ms=NULL, available_ms=?3 WHERE id=?1 AND lease_token=?2 AND state='leased'");
    s.bind(1, job.id).bind(2, job.lease_token).bind(3, opt_.now_ms()).run();
  }

  bool superseded(std::int64_t job_id) override {
    std::lock_guard lock(mu_);
    Statement s = db_.cached("SELECT superseded_by IS NOT NULL FROM jobs WHERE id=?1");
    s.bind(1, job_id);
    return s.step() && s.column_int64(0) != 0;
  }

  QueueStats stats() override {
    std::lock_guard lock(mu_);
    QueueStats st;
    for (const char* state : {"pending", "leased", "dead"}) st.jobs_by_state[state] = 0;
    Statement ended = db_.cached(kEndedTotals);
    while (ended.step()) st.ended_total[ended.column_text(0)] = ended.column_int64(1);
    Statement live = db_.cached(kLiveJobs);
    while (live.step()) st.jobs_by_state[live.column_text(0)] = live.column_int64(1);
    Statement oldest = db_.cached(kOldestPending);
    if (oldest.step() && !oldest.is_null(0)) {
      st.oldest_pending_age_ms = std::max<std::int64_t>(0, opt_.now_ms() - oldest.column_int64(0));
    }
    Statement n = db_.cached(kDeliveriesEver);
    if (n.step() && !n.is_null(0)) st.deliveries = n.column_int64(0);
    return st;
  }

  std::string explain_queries() override {
    std::lock_guard lock(mu_);
    std::string plans;
    for (auto sql : {kEndedTotals, kLiveJobs, kOldestPending, kDeliveriesEver, kPruneJobs, kPruneDeliveries, kFoldEnds}) {
      auto e = db_.prepare(fmt::format("EXPLAIN QUERY PLAN {}", sql));
      while (e.step()) plans += e.column_text(3) + "\n";
    }
    return plans;
  }

  bool writable() override {
    std::lock_guard lock(mu_);
    try {
      Transaction tx(db_);
      db_.exec("CREATE TABLE IF NOT EXISTS readiness_probe(x INTEGER)");
      tx.commit();
      return true;
    } catch (const Error&) {
      return false;
    }
  }

  std::vector<DeadLetter> unreported_dead_letters(std::size_t limit) override {
    std::lock_guard lock(mu_);
    Statement s = db_.cached(
           "SELECT id, delivery_id, event, kind, repository, pr_number, head_sha, attempts, COALESCE(result, ''), "
           "COALESCE(finished_ms, 0) FROM jobs WHERE state='dead' AND reported_ms IS NULL ORDER BY id LIMIT ?1");
    s.bind(1, static_cast<std::int64_t>(limit));
    std::vector<DeadLetter> out;
    while (s.step()) {
      DeadLetter d;
      d.id = s.column_int64(0);
      d.delivery_id = s.column_text(1);
      d.event = s.column_text(2);
      d.kind = s.column_text(3);
      d.repository = s.column_text(4);
      d.pr_number = s.column_int64(5);
      d.head_sha = s.column_text(6);
      d.attempts = static_cast<int>(s.column_int64(7));
      d.reason = s.column_text(8);
      d.parked_ms = s.column_int64(9);
      out.push_back(std::move(d));
    }
    return out;
  }

  void mark_reported(const std::vector<std::int64_t>& job_ids) override {
    std::lock_guard lock(mu_);
    Transaction tx(db_);
    Statement s = db_.cached("UPDATE jobs SET reported_ms=?2 WHERE id=?1");
    for (auto id : job_ids) {
      s.bind(1, id).bind(2, opt_.now_ms()).run();
    }
    tx.commit();
  }

  PruneCounts prune_rows(std::chrono::milliseconds age, std::optional<std::chrono::milliseconds> dead_age,
                         const std::function<bool()>& stop) override {
    const auto now = opt_.now_ms();
    const std::int64_t cutoff = now - age.count();
    // Without a dead-letter retention no finished_ms is below this one.
    const std::int64_t dead_cutoff = dead_age ? now - dead_age->count() : std::numeric_limits<std::int64_t>::min();
    PruneCounts pruned;
    PrunePacer pacer(opt_.prune_batch, stop);
    // Jobs first, so their deliveries qualify in the second pass.
    pruned.jobs = prune_in_batches(pacer, "jobs", "created_ms", std::string(kPruneJobs), cutoff, dead_cutoff);
    if (stop && stop()) return pruned;
    pruned.deliveries =
        prune_in_batches(pacer, "deliveries", "received_ms", std::string(kPruneDeliveries), cutoff, std::nullopt);
    return pruned;
  }

  std::int64_t fold_totals(const std::function<bool()>& stop) override {
    PrunePacer pacer(opt_.prune_batch, stop);
    return run_paced(pacer, [this](int rows) {
      std::lock_guard lock(mu_);
      Transaction tx(db_);
      std::map<std::string, std::int64_t> by_state;
      Statement ends = db_.cached(kFoldEnds);
      ends.bind(1, std::int64_t{rows});
      while (ends.step()) ++by_state[ends.column_text(0)];
      ends.reset();
      Statement add = db_.cached(
          "INSERT INTO job_totals(state, n) VALUES(?1, ?2) ON CONFLICT(state) DO UPDATE SET n=n+excluded.n");
      std::int64_t n = 0;
      for (const auto& [state, count] : by_state) {
        add.bind(1, state).bind(2, count).run();
        n += count;
      }
      tx.commit();
      return n;
    });
  }

  std::int64_t prune_bodies(std::chrono::milliseconds age, const std::function<bool()>& stop) override {
    // One transaction (the segments' rows and files): asked once, before it.
    if (stop && stop()) return 0;
    std::lock_guard lock(mu_);
    const auto cutoff = opt_.now_ms() - age.count();
    Transaction tx(db_);
    Statement old_inline = db_.cached(  // bodies stored before schema 3
                    "UPDATE deliveries SET body=NULL WHERE received_ms<?1 AND body IS NOT NULL AND NOT EXISTS "
                    "(SELECT 1 FROM jobs j WHERE j.delivery_id=deliveries.delivery_id "
                    "AND j.state IN ('pending','leased'))");
    old_inline.bind(1, cutoff).run();
    std::int64_t pruned = db_.changes();
    // A segment goes once its newest delivery is older than the cutoff and
    // none of its deliveries has an unfinished job.
    Statement old = db_.cached(
             "SELECT s.file, s.first_id, s.last_id FROM body_segments s WHERE s.last_ms<?1 AND NOT EXISTS "
             "(SELECT 1 FROM jobs j JOIN deliveries d ON d.delivery_id=j.delivery_id "
             " WHERE j.state IN ('pending','leased') AND d.id BETWEEN s.first_id AND s.last_id AND d.body_file=s.file)");
    old.bind(1, cutoff);
    std::vector<std::string> files;
    std::vector<std::pair<std::int64_t, std::int64_t>> ranges;
    while (old.step()) {
      if (old.column_text(0) == bodies_.current()) continue;  // still being written
      files.push_back(old.column_text(0));
      ranges.emplace_back(old.column_int64(1), old.column_int64(2));
    }
    old.reset();
    Statement unref = db_.cached(
               "UPDATE deliveries SET body_file=NULL, body_offset=NULL, body_length=NULL "
               "WHERE id BETWEEN ?2 AND ?3 AND body_file=?1");
    Statement forget = db_.cached("DELETE FROM body_segments WHERE file=?1");
    for (std::size_t i = 0; i < files.size(); ++i) {
      unref.bind(1, files[i]).bind(2, ranges[i].first).bind(3, ranges[i].second).run();
      pruned += db_.changes();
      forget.bind(1, files[i]).run();
      // Deleted while this transaction holds the write lock: another
      // process appends only inside its own transaction, so it cannot add
      // a body to the file between here and the commit, and afterwards it
      // sees the file unlinked and starts a new one (BodyLog::append). A
      // crash before the commit leaves rows of old, finished jobs naming a
      // deleted file: reading one fails clearly.
      bodies_.remove(files[i]);
    }
    tx.commit();
    return pruned;
  }

 private:
  // Walks `table` by id, oldest first, a batch (PrunePacer) a transaction:
  // `del` deletes what qualifies among ids (?1, ?2] (?3 the cutoff, ?4 the
  // dead letters'). Ids grow with `time_column`, so the walk stops at the
  // first batch that reaches rows newer than the cutoff: it reads the rows
  // kept before it (live jobs, dead letters) and those of one batch more,
  // never the table. Between batches the writer's lock is let go
  // (PrunePacer), so intake waits one short batch at most.
  std::int64_t prune_in_batches(PrunePacer& pacer, const std::string& table, const std::string& time_column,
                                const std::string& del, std::int64_t cutoff, std::optional<std::int64_t> dead_cutoff) {
    std::int64_t after = 0, deleted = 0;
    for (;;) {
      bool more = false;
      std::chrono::steady_clock::duration held{};
      {
        std::lock_guard lock(mu_);
        const auto started = std::chrono::steady_clock::now();
        Transaction tx(db_);
        Statement upto = db_.cached(fmt::format(
            "SELECT id, {1} FROM {0} WHERE id=(SELECT MAX(id) FROM (SELECT id FROM {0} WHERE id>?1 ORDER BY id LIMIT ?2))",
            table, time_column));
        upto.bind(1, after).bind(2, std::int64_t{pacer.rows()});
        if (!upto.step()) return deleted;
        const std::int64_t last = upto.column_int64(0);
        more = upto.column_int64(1) < cutoff;
        upto.reset();
        Statement d = db_.cached(del);
        d.bind(1, after).bind(2, last).bind(3, cutoff);
        if (dead_cutoff) d.bind(4, *dead_cutoff);
        d.run();
        deleted += db_.changes();
        tx.commit();
        after = last;
        held = std::chrono::steady_clock::now() - started;
      }
      if (!more || !pacer.next(held)) return deleted;
    }
  }

  // nullopt: try again (a job was failed); a Job with id 0: nothing to claim.
  std::optional<Job> claim_once(std::chrono::milliseconds lease) {
    const auto now = opt_.now_ms();
    Transaction tx(db_);
    expire_leases(now);
    // Round-robin in two levels: the installation served longest ago, then
    // its repository served longest ago. A repository belongs to one
    // installation, so grouping by repository is enough (no extra index
    // on the intake path).
    Statement pick_repo = db_.cached(
                   "SELECT p.repository, p.installation FROM (SELECT repository, installation, MIN(id) AS first "
                   "  FROM jobs WHERE state='pending' AND available_ms<=?1 "
                   "  AND " REVIEWER_NOT_SAME_HEAD_RUNNING("jobs") " AND " REVIEWER_NEWEST_OF_ITS_PR("jobs")
                   " GROUP BY repository) p "
                   "LEFT JOIN installation_turns i ON i.installation=p.installation "
                   "LEFT JOIN repo_turns t ON t.repository=p.repository "
                   "ORDER BY COALESCE(i.last_turn, 0), COALESCE(t.last_turn, 0), p.first LIMIT 1");
    pick_repo.bind(1, now);
    if (!pick_repo.step()) {
      tx.commit();  // keep the expiries
      return Job{};
    }
    const std::string repo = pick_repo.column_text(0);
    const std::int64_t installation = pick_repo.column_int64(1);
    pick_repo.reset();

    Statement pick = db_.cached(
              "SELECT j.id, j.delivery_id, j.event, j.kind, j.pr_number, j.head_sha, j.attempts, d.body, "
              "  d.body_file, d.body_offset, d.body_length "
              "FROM jobs j JOIN deliveries d ON d.delivery_id=j.delivery_id "
              "WHERE j.state='pending' AND j.repository=?1 AND j.available_ms<=?2 AND " REVIEWER_NOT_SAME_HEAD_RUNNING("j")
              " AND " REVIEWER_NEWEST_OF_ITS_PR("j") " ORDER BY j.id LIMIT 1");
    pick.bind(1, repo).bind(2, now);
    if (!pick.step()) {
      tx.commit();
      return Job{};
    }
    Job job;
    job.id = pick.column_int64(0);
    job.delivery_id = pick.column_text(1);
    job.event = pick.column_text(2);
    job.kind = pick.column_text(3);
    job.repository = repo;
    job.pr_number = pick.column_int64(4);
    job.head_sha = pick.column_text(5);
    job.attempts = static_cast<int>(pick.column_int64(6)) + 1;
    if (!pick.is_null(8)) {
      try {
        job.payload = bodies_.read({pick.column_text(8), pick.column_int64(9), pick.column_int64(10)});
      } catch (const Error& e) {
        pick.reset();
        Statement failed = db_.cached("UPDATE jobs SET state='failed', finished_ms=?2, result=?3 WHERE id=?1");
        failed.bind(1, job.id).bind(2, now).bind(3, e.what()).run();
        tx.commit();
        return std::nullopt;
      }
    } else {
      job.payload = pick.column_text(7);  // stored before schema 3
    }
    pick.reset();
    job.lease_token = random_hex(16);

    Statement lease_it = db_.cached(
                  "UPDATE jobs SET state='leased', attempts=attempts+1, lease_token=?2, lease_expires_ms=?3 "
                  "WHERE id=?1");
    lease_it.bind(1, job.id).bind(2, job.lease_token).bind(3, now + lease.count()).run();
    Statement covered = db_.cached(  // REVIEWER_NEWEST_OF_ITS_PR: the older jobs it covers end
                 "UPDATE jobs SET state='superseded', superseded_by=?1, finished_ms=?5 "
                 "WHERE repository=?2 AND pr_number=?3 AND kind=?4 AND state='pending' AND id<?1 "
                 "  AND " REVIEWER_COVERS_ITS_PR("jobs"));
    covered.bind(1, job.id).bind(2, repo).bind(3, job.pr_number).bind(4, job.kind).bind(5, now).run();
    Statement turn = db_.cached(
              "INSERT INTO repo_turns(repository, last_turn) "
              "VALUES(?1, (SELECT COALESCE(MAX(last_turn), 0) + 1 FROM repo_turns)) "
              "ON CONFLICT(repository) DO UPDATE SET last_turn=excluded.last_turn");
    turn.bind(1, repo).run();
    Statement inst_turn = db_.cached(
                   "INSERT INTO installation_turns(installation, last_turn) "
                   "VALUES(?1, (SELECT COALESCE(MAX(last_turn), 0) + 1 FROM installation_turns)) "
                   "ON CONFLICT(installation) DO UPDATE SET last_turn=excluded.last_turn");
    inst_turn.bind(1, installation).run();
    tx.commit();
    return job;
  }

  // Leases that expired belong to workers that died or hung: a job a newer
  // head superseded meanwhile ends, as it would have on its worker; another
  // is re-queued, or parked as a dead letter when it has used all its
  // attempts.
  void expire_leases(std::int64_t now) {
    Statement ended = db_.cached(
               "UPDATE jobs SET state='superseded', lease_token=NULL, lease_expires_ms=NULL, finished_ms=?1 "
               "WHERE state='leased' AND lease_expires_ms<=?1 AND superseded_by IS NOT NULL");
    ended.bind(1, now).run();
    Statement dead = db_.cached(
              "UPDATE jobs SET state='dead', lease_token=NULL, finished_ms=?1, "
              "result='lease expired on the last attempt (worker lost)' "
              "WHERE state='leased' AND lease_expires_ms<=?1 AND attempts>=?2");
    dead.bind(1, now).bind(2, opt_.max_attempts).run();
    Statement again = db_.cached(
               "UPDATE jobs SET state='pending', lease_token=NULL, lease_expires_ms=NULL, available_ms=?1 "
               "WHERE state='leased' AND lease_expires_ms<=?1");
    again.bind(1, now).run();
  }

  storage::Connection db_;
  QueueOptions opt_;
  AttemptPolicy policy_;
  BodyLog bodies_;
  std::mutex mu_;
  // Last: stopped before the connection and the body log it uses.
  storage::Checkpointer checkpointer_;
};

}  // namespace

std::unique_ptr<JobQueue> JobQueue::open_sqlite(const std::filesystem::path& path, QueueOptions options) {
  return std::make_unique<SqliteQueue>(path, std::move(options));
}

}  // namespace reviewer::server
