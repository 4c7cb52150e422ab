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
// Thread-safety: every member may be called from any thread; requests are
// served one at a time while they update or read the summary.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
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
  // `session`'s snapshot (`head` is set to the summary's head). When that
  // snapshot is older than the summary (another request read a newer one),
  // a new session decides whether the log grew or was replaced. Throws
  // reviewer::Error from the database.
  audit::OverviewRows rows(audit::ReadOnlySession& session, const audit::ConsoleFilter& f, audit::ChainHead& head);
  // The overview's figures for `f`, as overview_figures(rows(…)) gives
  // them, counted from the summary's merges in place (no copy of them).
  OverviewFigures figures(audit::ReadOnlySession& session, const audit::ConsoleFilter& f, audit::ChainHead& head);

  // Returns once the first build has ended, done or failed.
  void wait_for_warm_up();

 private:
  // Waits for the warm-up and brings the summary to `session`'s head (or
  // a newer one); `lock` holds mu_.
  void catch_up(std::unique_lock<std::mutex>& lock, audit::ReadOnlySession& session, audit::ChainHead& head);
  // `second`: another session, read through at once when at the same head.
  void update(audit::LogReader& log, const std::stop_token& stop, audit::LogReader* second = nullptr);
  // The chained tables, read again when the schema version changes.
  const std::vector<audit::TableLayout>& tables(audit::LogReader& log);

  Open open_;
  std::mutex mu_;
  std::condition_variable warm_cv_;
  bool warm_ = false;  // the first build has ended
  audit::OverviewSummary summary_;
  std::vector<audit::TableLayout> tables_;
  int tables_version_ = -1;
  std::jthread builder_;  // last: joined before the members it uses go
};

}  // namespace reviewer::console
