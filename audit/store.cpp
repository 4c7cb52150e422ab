#include "audit/store.h"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <functional>
#include <mutex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/chain.h"
#include "audit/checkpointer.h"
#include "audit/migrate.h"
#include "audit/pack.h"
#include "audit/revert.h"
#include "audit/risk_row.h"
#include "audit/sqlite.h"
#include "audit/wal_vfs.h"
#include "reviewer/core/error.h"
#include "reviewer/core/private_files.h"

namespace reviewer::audit {

namespace {

std::string or_now(const std::string& at) { return at.empty() ? utc_now_iso8601() : at; }

Connection open_for_writing(const std::filesystem::path& path, const OpenOptions& options) {
  // Folders and file private before SQLite writes anything (the -wal and
  // -shm files take the database file's mode).
  try {
    if (path.has_parent_path()) create_private_directories(path.parent_path());
    create_private_file(path);
  } catch (const Error& e) {
    throw Error(Error::Code::io, fmt::format("audit database '{}' cannot be opened: {}", path.string(), e.what()));
  }
  // NOMUTEX: the store serializes all use of the connection itself.
  // The combining VFS (wal_vfs.h) writes each commit's WAL frames at once.
  auto db = Connection::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             combining_wal_vfs());
  if (sqlite3_db_readonly(db.get(), "main") == 1) {
    throw Error(Error::Code::io,
                fmt::format("{} is read-only (file permissions); reviews cannot be recorded", db.where()));
  }
  sqlite3_busy_timeout(db.get(), options.busy_timeout_ms);
  // The first statement reads the header: a corrupt file fails here.
  auto wal = db.prepare("PRAGMA journal_mode = WAL");
  if (!wal.step() || wal.column_text(0) != "wal") {
    throw Error(Error::Code::io, fmt::format("{}: cannot switch to WAL journal mode", db.where()));
  }
  wal = Statement();
  // NORMAL in WAL mode: a commit survives a process crash; only a power loss
  // may lose the last transactions, never corrupt the file.
  db.exec("PRAGMA synchronous = NORMAL");
  if (options.max_page_count > 0) {
    db.exec(fmt::format("PRAGMA max_page_count = {}", options.max_page_count));
  }
  migrate(db);
  return db;
}

// One writer queue with group commit: callers enqueue a write and wait; the
// first waiting caller becomes the leader and commits everything queued in
// one transaction, each write inside its own savepoint so one bad write
// fails alone. A caller returns only after its rows are committed, so
// durability is per call while concurrent writers share the commit cost.
class SqliteAuditStore final : public AuditStore {
 public:
  explicit SqliteAuditStore(const std::filesystem::path& path, Connection db)
      : checkpointer_(path),
        db_(std::move(db)),
        writer_(db_),
        savepoint_(db_.prepare("SAVEPOINT audit_job")),
        release_(db_.prepare("RELEASE audit_job")),
        rollback_to_(db_.prepare("ROLLBACK TO audit_job")) {
    checkpointer_.attach(db_);
  }

  void record_review(const ReviewResult& r) override {
    if (r.run_id.empty()) throw Error(Error::Code::internal, "audit: a review without a run id");
    submit([&](ChainWriter& w) { write_review(w, r); });
  }

  void record_reviews(const std::vector<ReviewResult>& runs) override {
    for (const auto& r : runs) {
      if (r.run_id.empty()) throw Error(Error::Code::internal, "audit: a review without a run id");
    }
    submit([&](ChainWriter& w) {
      for (const auto& r : runs) write_review(w, r);
    });
  }

  void record_delivery(const DeliveryRecord& d) override {
    write_one("deliveries", [&](ChainWriter::Row& row) {
      row.set("delivery_id", d.delivery_id)
          .set("event", d.event)
          .set("action", d.action)
          .set("repository", d.repository)
          .set("received_at", or_now(d.received_at))
          .set("signature_valid", d.signature_valid)
          .set("outcome", d.outcome);
    });
  }

  void record_pull_request(const PullRequestRecord& p) override {
    write_one("pull_requests", [&](ChainWriter::Row& row) {
      row.set("repository", p.repository)
          .set("pr_number", p.number)
          .set("title", p.title)
          .set("author", p.author)
          .set("base_ref", p.base_ref)
          .set("head_sha", p.head_sha)
          .set("draft", p.draft)
          .set("observed_at", or_now(p.observed_at));
    });
  }

  void record_action(const ActionRecord& a) override {
    write_one("actions", [&](ChainWriter::Row& row) {
      row.set("run_id", a.run_id)
          .set("repository", a.repository)
          .set("pr_number", a.pr_number)
          .set("kind", a.kind)
          .set("github_id", a.github_id)
          .set("http_status", a.http_status)
          .set("detail", a.detail)
          .set("at", or_now(a.at));
    });
  }

  void record_override(const OverrideRecord& o) override {
    write_one("overrides", [&](ChainWriter::Row& row) {
      row.set("repository", o.repository)
          .set("pr_number", o.pr_number)
          .set("kind", o.kind)
          .set("actor", o.actor)
          .set("comment_id", o.comment_id)
          .set("at", or_now(o.at));
    });
  }

  void record_feedback(const FeedbackRecord& f) override {
    write_one("feedback", [&](ChainWriter::Row& row) {
      row.set("repository", f.repository)
          .set("pr_number", f.pr_number)
          .set("finding_id", f.finding_id)
          .set("rule", f.rule)
          .set("actor", f.actor)
          .set("helpful", f.helpful)
          .set("comment_id", f.comment_id)
          .set("at", or_now(f.at));
    });
  }

  void record_pr_event(const PrEventRecord& e) override {
    write_one("pr_events", [&](ChainWriter::Row& row) { fill_event(row, e); });
  }

  bool record_dead_letter(const DeadLetterRecord& d) override {
    bool recorded = false;
    submit([&](ChainWriter& w) {
      // Checked inside the write transaction: two reporters cannot both add it.
      auto seen = db_.prepare("SELECT 1 FROM dead_letters WHERE delivery_id = ?");
      seen.bind(1, d.delivery_id);
      if (seen.step()) return;
      auto row = w.row("dead_letters");
      row.set("delivery_id", d.delivery_id)
          .set("job_id", d.job_id)
          .set("event", d.event)
          .set("kind", d.kind)
          .set("repository", d.repository)
          .set("pr_number", d.pr_number)
          .set("head_sha", d.head_sha)
          .set("attempts", d.attempts)
          .set("reason", d.reason)
          .set("parked_at", or_now(d.parked_at));
      w.append(row);
      recorded = true;
    });
    return recorded;
  }

  std::vector<std::int64_t> link_reverts(const std::string& repository, std::int64_t reverting_pr,
                                         std::string_view title, std::string_view body,
                                         std::string_view at) override {
    RevertReference ref = detect_revert(title, body);
    if (!ref.any()) return {};
    std::vector<std::int64_t> originals;
    submit([&](ChainWriter& w) {
      // Resolved inside the write transaction, so two deliveries of the same
      // merge cannot both link it.
      originals = resolve_reverted(db_, repository, reverting_pr, ref);
      for (auto number : originals) {
        PrEventRecord e;
        e.repository = repository;
        e.pr_number = number;
        e.kind = "reverted";
        e.related_pr = reverting_pr;
        e.detail = ref.summary();
        e.at = std::string(at);
        auto row = w.row("pr_events");
        fill_event(row, e);
        w.append(row);
      }
    });
    return originals;
  }

  PrHistory history(const std::string& repository, std::int64_t pr_number) override {
    std::lock_guard lock(db_mu_);
    PrHistory h;
    // Newest kHistoryLimit rows of each table, returned oldest first.
    auto rows = [&](const char* table, const char* columns, auto&& add) {
      auto st = db_.prepare(fmt::format(
          "SELECT * FROM (SELECT seq, {} FROM {} WHERE repository = ?1 AND pr_number = ?2 "
          "ORDER BY seq DESC LIMIT {}) ORDER BY seq",
          columns, table, kHistoryLimit));
      st.bind(1, repository);
      st.bind(2, pr_number);
      while (st.step()) add(st);
    };
    rows("overrides", "kind, actor, comment_id, at", [&](Statement& st) {
      OverrideRecord o{repository, pr_number, st.column_text(1), st.column_text(2), st.column_text(3),
                       st.column_text(4)};
      h.overrides.push_back({st.column_int64(0), std::move(o)});
    });
    rows("pr_events", "kind, actor, head_sha, merge_sha, related_pr, detail, at", [&](Statement& st) {
      PrEventRecord e{repository, pr_number, st.column_text(1), st.column_text(2), st.column_text(3),
                      st.column_text(4), st.column_int64(5), st.column_text(6), st.column_text(7)};
      h.events.push_back({st.column_int64(0), std::move(e)});
    });
    rows("feedback", "finding_id, rule, actor, helpful, comment_id, at", [&](Statement& st) {
      FeedbackRecord f{repository, pr_number, st.column_text(1), st.column_text(2), st.column_text(3),
                       st.column_int64(4) != 0, st.column_text(5), st.column_text(6)};
      h.feedback.push_back({st.column_int64(0), std::move(f)});
    });
    rows("actions", "run_id, kind, github_id, http_status, detail, at", [&](Statement& st) {
      ActionRecord a{st.column_text(1), repository, pr_number, st.column_text(2), st.column_text(3),
                     static_cast<int>(st.column_int64(4)), st.column_text(5), st.column_text(6)};
      h.actions.push_back({st.column_int64(0), std::move(a)});
    });
    auto st = db_.prepare(fmt::format(
        "SELECT f.finding_id, min(f.rule) FROM findings f JOIN review_runs r ON r.run_id = f.run_id "
        "WHERE r.repository = ?1 AND r.pr_number = ?2 GROUP BY f.finding_id ORDER BY f.finding_id LIMIT {}",
        kHistoryLimit));
    st.bind(1, repository);
    st.bind(2, pr_number);
    while (st.step()) h.findings.push_back({st.column_text(0), st.column_text(1)});
    return h;
  }

  std::int64_t row_count() override {
    std::lock_guard lock(db_mu_);
    return read_head(db_, chained_tables(db_)).seq;
  }

 private:
  using WriteFn = std::function<void(ChainWriter&)>;
  struct Job {
    WriteFn write;
    std::exception_ptr error;
    bool done = false;
    std::condition_variable cv;  // its waiter: done, or its turn to lead
  };
  static constexpr std::size_t kMaxBatch = 512;

  void submit(WriteFn fn) {
    Job job{std::move(fn), nullptr, false, {}};
    std::unique_lock lock(queue_mu_);
    queue_.push_back(&job);
    while (!job.done) {
      if (leader_) {
        job.cv.wait(lock);
        continue;
      }
      leader_ = true;
      std::vector<Job*> batch;
      std::size_t n = std::min(queue_.size(), kMaxBatch);
      batch.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      lock.unlock();
      write_batch(batch);
      lock.lock();
      leader_ = false;
      // Wake only whom it concerns: the callers whose writes are committed,
      // and the first one still queued, who leads the next batch (waking
      // every waiter costs a context switch each, per batch).
      for (auto* j : batch) {
        j->done = true;
        if (j != &job) j->cv.notify_one();
      }
      if (!queue_.empty()) queue_.front()->cv.notify_one();
    }
    if (job.error) std::rethrow_exception(job.error);
  }

  void write_batch(const std::vector<Job*>& batch) {
    std::lock_guard lock(db_mu_);
    try {
      Transaction tx(db_);
      writer_.start(utc_now_iso8601());
      for (auto* job : batch) {
        if (batch.size() == 1) {
          job->write(writer_);  // a failure rolls back the whole transaction
          continue;
        }
        ChainHead mark = writer_.head();
        run(savepoint_);
        try {
          job->write(writer_);
          run(release_);
        } catch (...) {
          // SQLite may have rolled back the whole transaction (disk full,
          // I/O error): then every job of the batch failed with this error.
          if (sqlite3_get_autocommit(db_.get())) throw;
          job->error = std::current_exception();
          run(rollback_to_);
          run(release_);
          writer_.rewind(mark);
        }
      }
      tx.commit();
      writer_.committed();
    } catch (...) {
      auto e = std::current_exception();
      for (auto* job : batch) {
        if (!job->error) job->error = e;
      }
    }
  }

  void write_review(ChainWriter& w, const ReviewResult& r) {
    nlohmann::json reasons = r.decision.reasons;
    auto run = w.row("review_runs");
    run.set("run_id", r.run_id)
        .set("repository", r.pr.repository)
        .set("pr_number", r.pr.number)
        .set("title", r.pr.title)
        .set("author", r.pr.author)
        .set("trigger", r.trigger)
        .set("mode", std::string(to_string(r.mode)))
        .set("base_ref", r.pr.base_ref)
        .set("base_sha", r.pr.base_sha.empty() ? r.diff.base_sha : r.pr.base_sha)
        .set("head_sha", r.pr.head_sha.empty() ? r.diff.head_sha : r.pr.head_sha)
        .set("draft", r.pr.draft)
        .set("human_review_override", r.pr.human_review_override)
        .set("guidance_version", r.guidance_version)
        .set("reviewer_version", r.reviewer_version)
        .set("decision", to_string(r.decision.kind))
        .set("reasons", reasons.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
        .set("size_label", r.size.label)
        .set("lines_added", r.size.lines_added)
        .set("lines_deleted", r.size.lines_deleted)
        .set("files", r.size.files)
        .set("areas", r.size.areas)
        .set("excluded_files", r.size.excluded_files)
        .set("started_at", r.started_at.empty() ? utc_now_iso8601() : r.started_at)
        .set("duration_ms", std::int64_t{r.duration_ms});
    try {
      w.append(run);
    } catch (const Error& e) {
      if (std::string(e.what()).find("UNIQUE constraint failed: review_runs.run_id") != std::string::npos) {
        throw Error(Error::Code::invalid_input,
                    fmt::format("{}: run {} was already recorded", db_.where(), r.run_id));
      }
      throw;
    }
    for (const auto& a : r.agents) {
      auto row = w.row("agent_results");
      row.set("run_id", r.run_id)
          .set("agent", a.name)
          .set("status", to_string(a.status))
          .set("duration_ms", std::int64_t{a.duration_ms})
          .set("finding_count", static_cast<std::int64_t>(std::count_if(
                                    a.findings.begin(), a.findings.end(), [](const Finding& f) { return !f.shadow; })))
          .set("error", a.error);
      w.append(row);
      for (const auto& f : a.findings) {
        // Shadow rules' findings are audited apart, so `findings` stays
        // exactly what was posted and counted.
        auto fr = w.row(f.shadow ? "shadow_findings" : "findings");
        fr.set("run_id", r.run_id)
            .set("agent", a.name)
            .set("finding_id", f.id)
            .set("rule", f.rule)
            .set("severity", to_string(f.severity))
            .set("path", f.path)
            .set("line", f.line)
            .set("end_line", f.end_line)
            .set("message", f.message)
            .set("evidence", f.evidence)
            .set("suggestion", f.suggestion);
        w.append(fr);
      }
    }
    if (r.risk) append_risk(w, r.run_id, *r.risk);
    if (r.model) {
      std::int64_t index = 0;
      for (const auto& c : r.model->records) {
        auto row = w.row("model_calls");
        row.set("run_id", r.run_id)
            .set("call_index", index++)
            .set("agent", c.agent)
            .set("kind", c.kind)
            .set("provider", c.provider)
            .set("model", c.model)
            .set("template_version", c.template_version)
            .set("prompt_hash", c.prompt_hash)
            .set("tokens_in", std::int64_t{c.tokens_in})
            .set("tokens_out", std::int64_t{c.tokens_out})
            .set("latency_ms", std::int64_t{c.latency_ms})
            .set("cost_micro_usd", static_cast<std::int64_t>(std::llround(c.cost_usd * 1e6)))
            .set("outcome", c.outcome)
            .set("detail", c.detail)
            .set("prompt_z", pack_text(c.prompt))
            .set("answer_z", pack_text(c.answer));
        w.append(row);
      }
    }
  }

  static void fill_event(ChainWriter::Row& row, const PrEventRecord& e) {
    row.set("repository", e.repository)
        .set("pr_number", e.pr_number)
        .set("kind", e.kind)
        .set("actor", e.actor)
        .set("head_sha", e.head_sha)
        .set("merge_sha", e.merge_sha)
        .set("related_pr", e.related_pr)
        .set("detail", e.detail)
        .set("at", or_now(e.at));
  }

  template <typename Fill>
  void write_one(std::string_view table, Fill&& fill) {
    submit([&](ChainWriter& w) {
      auto row = w.row(table);
      fill(row);
      w.append(row);
    });
  }

  std::mutex queue_mu_;  // guards queue_, leader_ and each queued Job's done
  std::vector<Job*> queue_;
  bool leader_ = false;
  std::mutex db_mu_;  // guards db_ and writer_
  // Before db_: its thread (and connection) stops after db_ is closed, so
  // no commit can signal a checkpointer that is gone.
  Checkpointer checkpointer_;
  Connection db_;
  ChainWriter writer_;  // after db_: its statements are finalized first
  // Per-write savepoints of a batch, prepared once (exec re-parses each time).
  Statement savepoint_;
  Statement release_;
  Statement rollback_to_;

  static void run(Statement& s) {
    s.step();
    s.reset();
  }
};

}  // namespace

std::unique_ptr<AuditStore> AuditStore::open(const std::filesystem::path& path) {
  return open(path, OpenOptions{});
}

std::unique_ptr<AuditStore> AuditStore::open(const std::filesystem::path& path,
                                             const OpenOptions& options) {
  return std::make_unique<SqliteAuditStore>(path, open_for_writing(path, options));
}

}  // namespace reviewer::audit
