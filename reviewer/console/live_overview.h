// The overview's summary (audit/overview_summary.h) as the console keeps
// it: built on a thread of its own when the console starts (reading
// through two sessions at once), so the first
// overview after start does not pay for reading the whole log (one that
// comes before the build has ended waits for it), then brought up to the
// request's snapshot by each overview request, which reads only the rows
// appended since.
//
// The log is only read, through the console's read-only sessions. With a
// summary cache (SummaryCache; `reviewer audit serve` keeps one by default),
// the start loads the summary from that file when it verifies
// (OverviewSummary::load) and reads only the rows appended since, and the
// summary is saved there again after a rebuild, and after an update that
// changed it when the last save is `every` old (one request in a while pays
// for writing it, holding the summary for reading only). Without one,
// nothing is written anywhere.
//
// Thread-safety: every member may be called from any thread. Requests
// whose snapshot the summary is already at read it at once (a shared
// lock: their figures are counted side by side); the build and an update
// bringing the summary to a newer head hold it alone, and wait for the
// counting under way to end.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <stop_token>
#include <string>
#include <thread>

#include "audit/overview_summary.h"
#include "audit/readonly_session.h"
#include "reviewer/console/charts.h"

namespace reviewer::console {

// Where LiveOverview keeps its summary across restarts; `path` empty: nowhere.
struct OverviewSummaryCache {
  std::string path;
  std::string identity;  // the log's (OverviewSummary::save)
  std::chrono::seconds every{60};  // between saves after updates (a rebuild saves at once)
  // Where a start says what it did with the file (loaded, none yet,
  // refused and why, the log replaced since) and a save's failure; null:
  // standard error.
  std::function<void(const std::string&)> note = nullptr;
};

class LiveOverview {
 public:
  using Open = std::function<std::unique_ptr<audit::ReadOnlySession>()>;

  using SummaryCache = OverviewSummaryCache;

  // Starts building the summary over a session from `open` (from the
  // cache's file when it loads). A failed build is left for the first
  // request, which tries again and reports the error.
  explicit LiveOverview(Open open, SummaryCache cache = {},
                        audit::OverviewSummary::Reread reread = audit::OverviewSummary::Reread::touched);
  // Stops a build still running and joins its thread.
  ~LiveOverview();
  LiveOverview(const LiveOverview&) = delete;
  LiveOverview& operator=(const LiveOverview&) = delete;

  // The overview's rows for `f`, the summary first brought to the head of
  // `session`'s snapshot, or a newer one another request brought it to
  // meanwhile (`head` is set to the summary's head). When that
  // snapshot is older than the summary (another request read a newer one),
  // a new session decides whether the log grew or was replaced. Throws
  // reviewer::Error from the database.
  audit::OverviewRows rows(audit::ReadOnlySession& session, const audit::ConsoleFilter& f, audit::ChainHead& head);
  // The overview's figures for `f`, as overview_figures(rows(…)) gives
  // them, counted from the summary's merges in place (no copy of them).
  OverviewFigures figures(audit::ReadOnlySession& session, const audit::ConsoleFilter& f, audit::ChainHead& head);

  // Returns once the first build has ended, done or failed.
  void wait_for_warm_up();
  // What the first build did: rebuilt (no cache file, or one refused, or a
  // log replaced since), or appended / unchanged (it started from the
  // cache's file). Call after wait_for_warm_up().
  audit::OverviewSummary::Update warm_up_update() const { return warm_up_update_; }

  // For tests: called by figures() after it counted, while it still holds
  // the summary for reading. Set before any request.
  void set_counting_hook(std::function<void()> hook) { counting_hook_ = std::move(hook); }

 private:
  // Calls `read` (with the summary held for reading) once the summary is
  // at `session`'s head or a newer one, updating it first when it is not;
  // `head` is set to the summary's head that `read` sees.
  template <typename Read>
  auto read_at_head(audit::ReadOnlySession& session, audit::ChainHead& head, const Read& read);
  // Brings the summary to `request_head`, `session`'s (or, when that is
  // older than the summary, to a new session's); holds mu_ exclusively.
  void catch_up(audit::ReadOnlySession& session, const std::vector<audit::TableLayout>& tables,
                const audit::ChainHead& request_head);
  // `second`: another session, read through at once when at the same head.
  audit::OverviewSummary::Update update(audit::LogReader& log, const std::stop_token& stop,
                                        audit::LogReader* second = nullptr);
  // Notes what an update did, for save_if_due.
  void changed(audit::OverviewSummary::Update u);
  // One line about the cache, to cache_.note or standard error.
  void note(const std::string& line) const;
  // Writes the summary to the cache's file when an update changed it and a
  // save is due (above); call holding mu_ shared. A failed write is
  // reported on stderr and tried again after the next change.
  void save_if_due();
  // The chained tables, read again when the schema version changes.
  std::vector<audit::TableLayout> tables(audit::LogReader& log);

  Open open_;
  SummaryCache cache_;
  audit::OverviewSummary::Update warm_up_update_ = audit::OverviewSummary::Update::rebuilt;
  std::mutex save_mu_;  // below; one save at a time
  bool unsaved_ = false, rebuilt_ = false;  // since the last save
  bool save_failed_ = false;  // a failed save was reported (once)
  std::chrono::steady_clock::time_point last_save_{};
  std::mutex warm_mu_;
  std::condition_variable warm_cv_;
  bool warm_ = false;  // the first build has ended
  std::shared_mutex mu_;  // summary_: shared to read it, exclusive to build or update it
  audit::OverviewSummary summary_;
  std::mutex tables_mu_;  // tables_, tables_version_
  std::vector<audit::TableLayout> tables_;
  int tables_version_ = -1;
  std::function<void()> counting_hook_;
  std::jthread builder_;  // last: joined before the members it uses go
};

}  // namespace reviewer::console
