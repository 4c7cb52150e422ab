// The overview's summary (audit/overview_summary.h) as the console keeps
// it: built on a thread of its own when the console starts (reading
// through two sessions at once), so the first
// overview after start does not pay for reading the whole log (one that
// comes before the build has ended waits for it), then brought up to the
// request's snapshot by each overview request, which reads only the rows
// appended since.
//
// Nothing is written anywhere: the summary lives in this process's memory
// and is read through the console's read-only sessions.
//
// Thread-safety: every member may be called from any thread. Requests
// whose snapshot the summary is already at read it at once (a shared
// lock: their figures are counted side by side); the build and an update
// bringing the summary to a newer head hold it alone, and wait for the
// counting under way to end.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <stop_token>
#include <thread>

#include "audit/overview_summary.h"
#include "audit/readonly_session.h"
#include "reviewer/console/charts.h"

namespace reviewer::console {

class LiveOverview {
 public:
  using Open = std::function<std::unique_ptr<audit::ReadOnlySession>()>;

  // Starts building the summary over a session from `open`. A failed build
  // is left for the first request, which tries again and reports the
  // error.
  explicit LiveOverview(Open open, audit::OverviewSummary::Reread reread = audit::OverviewSummary::Reread::touched);
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
  void update(audit::LogReader& log, const std::stop_token& stop, audit::LogReader* second = nullptr);
  // The chained tables, read again when the schema version changes.
  std::vector<audit::TableLayout> tables(audit::LogReader& log);

  Open open_;
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
