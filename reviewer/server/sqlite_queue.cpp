// The SQLite job queue. States: pending -> leased -> done | failed | dead |
// superseded, and leased -> pending on a retry, a release or an expired
// lease. repo_turns remembers when each repository was last served, which
// is what makes claims round-robin across repositories.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "storage/wal_vfs.h"
#include "reviewer/core/error.h"
#include "reviewer/core/random.h"
#include "reviewer/server/body_log.h"
#include "reviewer/server/queue.h"
#include "reviewer/server/queue_policy.h"
#include "reviewer/server/sqlite_db.h"

namespace reviewer::server {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS deliveries(
  id INTEGER PRIMARY KEY,
  delivery_id TEXT NOT NULL UNIQUE,
  event TEXT NOT NULL,
  action TEXT NOT NULL,
  repository TEXT NOT NULL,
  received_ms INTEGER NOT NULL,
  headers TEXT NOT NULL,
  body BLOB,
  outcome TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jobs(
  id INTEGER PRIMARY KEY,
  delivery_id TEXT NOT NULL REFERENCES deliveries(delivery_id),
  event TEXT NOT NULL,
  kind TEXT NOT NULL,
  repository TEXT NOT NULL,
  pr_number INTEGER NOT NULL,
  head_sha TEXT NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('pending','leased','done','failed','dead','superseded')),
  attempts INTEGER NOT NULL DEFAULT 0,
  available_ms INTEGER NOT NULL,
  lease_token TEXT,
  lease_expires_ms INTEGER,
  superseded_by INTEGER,
  created_ms INTEGER NOT NULL,
  finished_ms INTEGER,
  run_id TEXT,
  result TEXT);
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs(state, repository, id);
CREATE INDEX IF NOT EXISTS jobs_by_pr ON jobs(repository, pr_number, kind, state);
CREATE TABLE IF NOT EXISTS repo_turns(repository TEXT PRIMARY KEY, last_turn INTEGER NOT NULL);
)sql";

// Version 2: dead letters are reported to the audit log; reported_ms marks
// the ones already there, and the partial index finds the others cheaply.
constexpr const char* kSchemaV2 = R"sql(
ALTER TABLE jobs ADD COLUMN reported_ms INTEGER;
CREATE INDEX jobs_unreported_dead ON jobs(id) WHERE state='dead' AND reported_ms IS NULL;
PRAGMA user_version=2;
)sql";
// Version 3: new bodies live in the body log (body_log.h); the row names
// them. Jobs carry their App installation, the outer round-robin key. body_segments records which deliveries each segment holds, so a
// segment is deleted only when all of them are old and finished.
constexpr const char* kSchemaV3 = R"sql(
ALTER TABLE deliveries ADD COLUMN body_file TEXT;
ALTER TABLE deliveries ADD COLUMN body_offset INTEGER;
ALTER TABLE deliveries ADD COLUMN body_length INTEGER;
CREATE TABLE body_segments(file TEXT PRIMARY KEY, first_id INTEGER NOT NULL, last_id INTEGER NOT NULL,
                           last_ms INTEGER NOT NULL);
ALTER TABLE jobs ADD COLUMN installation INTEGER NOT NULL DEFAULT 0;
CREATE TABLE installation_turns(installation INTEGER PRIMARY KEY, last_turn INTEGER NOT NULL);
PRAGMA user_version=3;
)sql";
constexpr std::int64_t kQueueSchemaVersion = 3;

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


class SqliteQueue final : public JobQueue {
 public:
  SqliteQueue(const std::filesystem::path& path, QueueOptions o)
      // The writer's commits reach the WAL in one write each, not two per
      // page (audit/wal_vfs.h); the checkpointer's connection needs no such.
      : db_(path, storage::combining_wal_vfs()),
        opt_(std::move(o)),
        policy_(opt_),
        bodies_(path.parent_path() / "bodies", opt_.body_segment_bytes) {
    if (!opt_.now_ms) {
      opt_.now_ms = [] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
      };
    }
    std::int64_t version = 0;
    {
      Stmt v(db_, "PRAGMA user_version");
      if (v.step()) version = v.int64(0);
    }
    if (version > kQueueSchemaVersion) {
      throw Error(Error::Code::io, fmt::format("queue database '{}' has a newer schema ({}) than this build ({})",
                                               path.string(), version, kQueueSchemaVersion));
    }
    if (version < kQueueSchemaVersion) {
      Transaction tx(db_);
      Stmt again(db_, "PRAGMA user_version");  // another process may have migrated meanwhile
      if (again.step() && again.int64(0) < kQueueSchemaVersion) {
        const auto found = again.int64(0);
        again.reset();
        if (found < 2) {
          db_.exec(kSchema);
          db_.exec(kSchemaV2);
        }
        db_.exec(kSchemaV3);
      }
      again.reset();
      tx.commit();
    }
    // Checkpoints (which fsync) run on their own connection and thread, so a
    // commit never waits for one: with synchronous=NORMAL a WAL commit is
    // then a write() without fsync, and intake latency stays flat.
    db_.exec("PRAGMA wal_autocheckpoint=0");
    checkpointer_ = std::thread([this, path] { checkpoint_loop(path); });
  }

  ~SqliteQueue() override {
    {
      std::lock_guard lock(cp_mu_);
      cp_stop_ = true;
    }
    cp_cv_.notify_all();
    if (checkpointer_.joinable()) checkpointer_.join();
  }

  std::vector<IntakeOutcome> enqueue(const std::vector<IntakeItem>& items) override {
    std::lock_guard lock(mu_);
    const auto now = opt_.now_ms();
    std::vector<IntakeOutcome> out;
    out.reserve(items.size());
    Transaction tx(db_);
    Stmt ins(db_,
             "INSERT INTO deliveries(delivery_id, event, action, repository, received_ms, headers, outcome, "
             "body_file, body_offset, body_length) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10) "
             "ON CONFLICT(delivery_id) DO NOTHING");
    Stmt job(db_,
             "INSERT INTO jobs(delivery_id, event, kind, repository, pr_number, head_sha, state, available_ms, "
             "created_ms, installation) VALUES(?1,?2,?3,?4,?5,?6,'pending',?7,?7,?8)");
    // A running job is stopped only by a new head (REVIEWER_NOT_SAME_HEAD_RUNNING).
    Stmt sup(db_,
             "UPDATE jobs SET superseded_by=?1, "
             "  state=CASE WHEN state='pending' THEN 'superseded' ELSE state END, "
             "  finished_ms=CASE WHEN state='pending' THEN ?5 ELSE finished_ms END "
             "WHERE repository=?2 AND pr_number=?3 AND kind=?4 AND id<?1 "
             "  AND (state='pending' OR (state='leased' AND head_sha<>?6)) AND superseded_by IS NULL");
    // Which deliveries each segment holds (a batch may cross into a new one).
    Stmt seg(db_,
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
    intake_commits_.fetch_add(1, std::memory_order_relaxed);
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
    Stmt s(db_, "UPDATE jobs SET lease_expires_ms=?3 WHERE id=?1 AND lease_token=?2 AND state='leased'");
    s.bind(1, job.id).bind(2, job.lease_token).bind(3, opt_.now_ms() + lease.count()).run();
    return db_.changes() == 1;
  }

  std::string finish(const Job& job, const JobResult& r) override {
    std::lock_guard lock(mu_);
    const auto now = opt_.now_ms();
    Transaction tx(db_);
    Stmt cur(db_, "SELECT state, lease_token, attempts, superseded_by IS NOT NULL FROM jobs WHERE id=?1");
    cur.bind(1, job.id);
    if (!cur.step() || cur.text(0) != "leased" || cur.text(1) != job.lease_token) return "lost_lease";
    const int attempts = static_cast<int>(cur.int64(2));
    const bool covered = cur.int64(3) != 0;
    cur.reset();
    auto [state, available] = policy_.after(r.status, attempts, now);
    // A retry (or, out of attempts, a dead letter) of a job that a newer
    // head superseded meanwhile ends it: the newer job does the work.
    if ((state == "pending" || state == "dead") && covered) state = "superseded";
    Stmt up(db_,
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
    Stmt s(db_,
           // A job a newer head stopped ends: queued again, it would run the
           // old head once the newer one finished.
           "UPDATE jobs SET state=CASE WHEN superseded_by IS NULL THEN 'pending' ELSE 'superseded' END, "
           "finished_ms=CASE WHEN superseded_by IS NULL THEN NULL ELSE ?3 END, attempts=MAX(attempts-1, 0), "
           "lease_token=NULL, lease_expires_ms=NULL, available_ms=?3 WHERE id=?1 AND lease_token=?2 AND state='leased'");
    s.bind(1, job.id).bind(2, job.lease_token).bind(3, opt_.now_ms()).run();
  }

  bool superseded(std::int64_t job_id) override {
    std::lock_guard lock(mu_);
    Stmt s(db_, "SELECT superseded_by IS NOT NULL FROM jobs WHERE id=?1");
    s.bind(1, job_id);
    return s.step() && s.int64(0) != 0;
  }

  QueueStats stats() override {
    std::lock_guard lock(mu_);
    QueueStats st;
    for (const char* state : {"pending", "leased", "done", "failed", "dead", "superseded"}) {
      st.jobs_by_state[state] = 0;
    }
    Stmt by(db_, "SELECT state, COUNT(*) FROM jobs GROUP BY state");
    while (by.step()) st.jobs_by_state[by.text(0)] = by.int64(1);
    Stmt oldest(db_, "SELECT MIN(created_ms) FROM jobs WHERE state='pending'");
    if (oldest.step() && !oldest.is_null(0)) st.oldest_pending_age_ms = std::max<std::int64_t>(0, opt_.now_ms() - oldest.int64(0));
    Stmt n(db_, "SELECT MAX(id) FROM deliveries");  // ids only grow: cheap count
    if (n.step()) st.deliveries = n.int64(0);
    return st;
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
    Stmt s(db_,
           "SELECT id, delivery_id, event, kind, repository, pr_number, head_sha, attempts, COALESCE(result, ''), "
           "COALESCE(finished_ms, 0) FROM jobs WHERE state='dead' AND reported_ms IS NULL ORDER BY id LIMIT ?1");
    s.bind(1, static_cast<std::int64_t>(limit));
    std::vector<DeadLetter> out;
    while (s.step()) {
      DeadLetter d;
      d.id = s.int64(0);
      d.delivery_id = s.text(1);
      d.event = s.text(2);
      d.kind = s.text(3);
      d.repository = s.text(4);
      d.pr_number = s.int64(5);
      d.head_sha = s.text(6);
      d.attempts = static_cast<int>(s.int64(7));
      d.reason = s.text(8);
      d.parked_ms = s.int64(9);
      out.push_back(std::move(d));
    }
    return out;
  }

  void mark_reported(const std::vector<std::int64_t>& job_ids) override {
    std::lock_guard lock(mu_);
    Transaction tx(db_);
    Stmt s(db_, "UPDATE jobs SET reported_ms=?2 WHERE id=?1");
    for (auto id : job_ids) {
      s.bind(1, id).bind(2, opt_.now_ms()).run();
    }
    tx.commit();
  }

  std::int64_t prune_bodies(std::chrono::milliseconds age) override {
    std::lock_guard lock(mu_);
    const auto cutoff = opt_.now_ms() - age.count();
    Transaction tx(db_);
    Stmt old_inline(db_,  // bodies stored before schema 3
                    "UPDATE deliveries SET body=NULL WHERE received_ms<?1 AND body IS NOT NULL AND NOT EXISTS "
                    "(SELECT 1 FROM jobs j WHERE j.delivery_id=deliveries.delivery_id "
                    "AND j.state IN ('pending','leased'))");
    old_inline.bind(1, cutoff).run();
    std::int64_t pruned = db_.changes();
    // A segment goes once its newest delivery is older than the cutoff and
    // none of its deliveries has an unfinished job.
    Stmt old(db_,
             "SELECT s.file, s.first_id, s.last_id FROM body_segments s WHERE s.last_ms<?1 AND NOT EXISTS "
             "(SELECT 1 FROM jobs j JOIN deliveries d ON d.delivery_id=j.delivery_id "
             " WHERE j.state IN ('pending','leased') AND d.id BETWEEN s.first_id AND s.last_id AND d.body_file=s.file)");
    old.bind(1, cutoff);
    std::vector<std::string> files;
    std::vector<std::pair<std::int64_t, std::int64_t>> ranges;
    while (old.step()) {
      if (old.text(0) == bodies_.current()) continue;  // still being written
      files.push_back(old.text(0));
      ranges.emplace_back(old.int64(1), old.int64(2));
    }
    old.reset();
    Stmt unref(db_,
               "UPDATE deliveries SET body_file=NULL, body_offset=NULL, body_length=NULL "
               "WHERE id BETWEEN ?2 AND ?3 AND body_file=?1");
    Stmt forget(db_, "DELETE FROM body_segments WHERE file=?1");
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
  // nullopt: try again (a job was failed); a Job with id 0: nothing to claim.
  std::optional<Job> claim_once(std::chrono::milliseconds lease) {
    const auto now = opt_.now_ms();
    Transaction tx(db_);
    expire_leases(now);
    // Round-robin in two levels: the installation served longest ago, then
    // its repository served longest ago. A repository belongs to one
    // installation, so grouping by repository is enough (no extra index
    // on the intake path).
    Stmt pick_repo(db_,
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
    const std::string repo = pick_repo.text(0);
    const std::int64_t installation = pick_repo.int64(1);
    pick_repo.reset();

    Stmt pick(db_,
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
    job.id = pick.int64(0);
    job.delivery_id = pick.text(1);
    job.event = pick.text(2);
    job.kind = pick.text(3);
    job.repository = repo;
    job.pr_number = pick.int64(4);
    job.head_sha = pick.text(5);
    job.attempts = static_cast<int>(pick.int64(6)) + 1;
    if (!pick.is_null(8)) {
      try {
        job.payload = bodies_.read({pick.text(8), pick.int64(9), pick.int64(10)});
      } catch (const Error& e) {
        pick.reset();
        Stmt failed(db_, "UPDATE jobs SET state='failed', finished_ms=?2, result=?3 WHERE id=?1");
        failed.bind(1, job.id).bind(2, now).bind(3, e.what()).run();
        tx.commit();
        return std::nullopt;
      }
    } else {
      job.payload = pick.text(7);  // stored before schema 3
    }
    pick.reset();
    job.lease_token = random_hex(16);

    Stmt lease_it(db_,
                  "UPDATE jobs SET state='leased', attempts=attempts+1, lease_token=?2, lease_expires_ms=?3 "
                  "WHERE id=?1");
    lease_it.bind(1, job.id).bind(2, job.lease_token).bind(3, now + lease.count()).run();
    Stmt covered(db_,  // REVIEWER_NEWEST_OF_ITS_PR: the older jobs it covers end
                 "UPDATE jobs SET state='superseded', superseded_by=?1, finished_ms=?5 "
                 "WHERE repository=?2 AND pr_number=?3 AND kind=?4 AND state='pending' AND id<?1 "
                 "  AND " REVIEWER_COVERS_ITS_PR("jobs"));
    covered.bind(1, job.id).bind(2, repo).bind(3, job.pr_number).bind(4, job.kind).bind(5, now).run();
    Stmt turn(db_,
              "INSERT INTO repo_turns(repository, last_turn) "
              "VALUES(?1, (SELECT COALESCE(MAX(last_turn), 0) + 1 FROM repo_turns)) "
              "ON CONFLICT(repository) DO UPDATE SET last_turn=excluded.last_turn");
    turn.bind(1, repo).run();
    Stmt inst_turn(db_,
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
    Stmt ended(db_,
               "UPDATE jobs SET state='superseded', lease_token=NULL, lease_expires_ms=NULL, finished_ms=?1 "
               "WHERE state='leased' AND lease_expires_ms<=?1 AND superseded_by IS NOT NULL");
    ended.bind(1, now).run();
    Stmt dead(db_,
              "UPDATE jobs SET state='dead', lease_token=NULL, finished_ms=?1, "
              "result='lease expired on the last attempt (worker lost)' "
              "WHERE state='leased' AND lease_expires_ms<=?1 AND attempts>=?2");
    dead.bind(1, now).bind(2, opt_.max_attempts).run();
    Stmt again(db_,
               "UPDATE jobs SET state='pending', lease_token=NULL, lease_expires_ms=NULL, available_ms=?1 "
               "WHERE state='leased' AND lease_expires_ms<=?1");
    again.bind(1, now).run();
  }

  void checkpoint_loop(const std::filesystem::path& path) {
    try {
      Db cp(path);
      std::unique_lock lock(cp_mu_);
      std::uint64_t seen = 0;
      auto last_round = std::chrono::steady_clock::now();
      while (!cp_stop_) {
        // Small and often: a round's fsyncs stall intake's writes for about
        // as long as they take, so the p99 of the 202 follows how much a
        // round has to flush. At c=16 it was 10.2-15 ms with a round every
        // 250 ms, 15-21 ms every 1-3 s, and 7.0-8.5 ms every 50 ms
        // (bench/README.md, `## server`). Without intake, a round a second
        // covers the jobs' own writes.
        cp_cv_.wait_for(lock, std::chrono::milliseconds(50), [this] { return cp_stop_; });
        const auto commits = intake_commits_.load(std::memory_order_relaxed);
        const auto now = std::chrono::steady_clock::now();
        if (commits == seen && now - last_round < std::chrono::seconds(1)) continue;
        seen = commits;
        last_round = now;
        lock.unlock();
        // Bodies first: a row must not reach the database file before
        // the body it names is on disk.
        bodies_.sync();
        // PASSIVE never blocks writers; busy readers just leave frames for
        // the next round.
        int wal_frames = 0;
        sqlite3_wal_checkpoint_v2(cp.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_frames, nullptr);
        // Past kRestartFrames, RESTART on the writer's own connection,
        // holding the writer's mutex: the log is reused from its start
        // (under sustained intake passive rounds never get there, and the
        // WAL would grow without bound). A short busy timeout: a reader in
        // another process makes it wait for the next round rather than
        // hold intake. Figures and the variants tried: bench/README.md.
        if (wal_frames > kRestartFrames) {
          std::lock_guard writer(mu_);
          sqlite3_busy_timeout(db_.get(), 20);
          sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
          sqlite3_busy_timeout(db_.get(), Db::kBusyTimeoutMs);
        }
        lock.lock();
      }
    } catch (const std::exception&) {
      // Without checkpoints the WAL grows but commits stay durable.
    }
  }

  static constexpr int kRestartFrames = 65536;  // 256 MB of 4 KB pages
  Db db_;
  QueueOptions opt_;
  AttemptPolicy policy_;
  BodyLog bodies_;
  std::mutex mu_;
  std::thread checkpointer_;
  std::mutex cp_mu_;
  std::condition_variable cp_cv_;
  bool cp_stop_ = false;
  std::atomic<std::uint64_t> intake_commits_{0};  // wakes the checkpointer's next round
};

}  // namespace

std::unique_ptr<JobQueue> JobQueue::open_sqlite(const std::filesystem::path& path, QueueOptions options) {
  return std::make_unique<SqliteQueue>(path, std::move(options));
}

}  // namespace reviewer::server
