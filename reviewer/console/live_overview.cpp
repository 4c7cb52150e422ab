#include "reviewer/console/live_overview.h"

#include <system_error>

#include <fmt/format.h>

namespace reviewer::console {

LiveOverview::LiveOverview(Open open, SummaryCache cache, audit::OverviewSummary::Reread reread)
    : open_(std::move(open)), cache_(std::move(cache)), summary_(reread) {
  builder_ = std::jthread([this](std::stop_token stop) {
    {
      std::unique_lock lock(mu_);
      try {
        // Two sessions: the build reads through both at once when they see
        // the same head (the summary checks), on two cores; without a second
        // one (a server out of connections) it reads through one. Both are
        // opened at once (on PostgreSQL each is a connection, its checks and
        // settings: round trips one need not wait for the other's).
        std::unique_ptr<audit::ReadOnlySession> session, second;
        const auto open_second = [&] {
          try {
            second = open_();
          } catch (const std::exception&) {
            second.reset();
          }
        };
        {
          std::jthread opener;
          try {
            opener = std::jthread(open_second);
          } catch (const std::system_error&) {
            // No thread to spare: one after the other.
          }
          session = open_();
          if (!opener.joinable()) open_second();
        }  // joined
        // A summary from the cache's file is brought up to the log's head
        // (or, the log replaced since, rebuilt); one refused is rebuilt.
        const auto start = std::chrono::steady_clock::now();
        std::string refused;
        const bool loaded = !cache_.path.empty() && summary_.load(cache_.path, cache_.identity, &refused);
        const auto mark = summary_.watermark().seq;
        warm_up_update_ = update(session->log(), stop, second ? &second->log() : nullptr);
        changed(warm_up_update_);
        if (!cache_.path.empty()) {
          const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                                start).count();
          const auto rows = summary_.last_rows();
          if (!loaded) {
            note(fmt::format("{}: {}; the whole log read ({} rows, {} ms)", cache_.path,
                             refused == "none" ? "none yet" : "ignored (" + refused + ")", rows, ms));
          } else if (warm_up_update_ == audit::OverviewSummary::Update::rebuilt) {
            note(fmt::format("{}: ignored (the log no longer holds the row it was saved at, seq {}); the whole log "
                             "read ({} rows, {} ms)",
                             cache_.path, mark, rows, ms));
          } else {
            note(fmt::format("{}: loaded at seq {}; {} rows appended since read ({} ms)", cache_.path, mark,
                             warm_up_update_ == audit::OverviewSummary::Update::unchanged ? 0 : rows, ms));
          }
        }
      } catch (...) {
        // The summary stays empty; the first request builds it again and
        // shows why it cannot.
      }
    }
    {
      std::lock_guard warm(warm_mu_);
      warm_ = true;
    }
    warm_cv_.notify_all();
    // Saved once requests may read: they need not wait for the write.
    std::shared_lock lock(mu_);
    save_if_due();
  });
}

LiveOverview::~LiveOverview() {
  builder_.request_stop();
  if (builder_.joinable()) builder_.join();
}

audit::OverviewSummary::Update LiveOverview::update(audit::LogReader& log, const std::stop_token& stop,
                                                    audit::LogReader* second) {
  const auto tables = this->tables(log);
  return summary_.update(log, tables, audit::read_head(log, tables), stop, second);
}

void LiveOverview::changed(audit::OverviewSummary::Update u) {
  if (u == audit::OverviewSummary::Update::unchanged) return;
  std::lock_guard lock(save_mu_);
  unsaved_ = true;
  rebuilt_ = rebuilt_ || u == audit::OverviewSummary::Update::rebuilt;
}

void LiveOverview::save_if_due() {
  if (cache_.path.empty()) return;
  // Another request saving now saves this one's change too: a change
  // needs mu_ alone, so it came before that save's shared hold.
  std::unique_lock lock(save_mu_, std::try_to_lock);
  if (!lock || !unsaved_ || !summary_.built()) return;
  const auto now = std::chrono::steady_clock::now();
  if (!rebuilt_ && now - last_save_ < cache_.every) return;
  last_save_ = now;
  rebuilt_ = false;
  try {
    summary_.save(cache_.path, cache_.identity);
    unsaved_ = false;
  } catch (const std::exception& e) {
    // Reported once: a log kept where the console may not write fails
    // every save, and every start then reads the whole log.
    if (!save_failed_) note(fmt::format("{}: not saved (tried again after later changes): {}", cache_.path, e.what()));
    save_failed_ = true;
  }
}

void LiveOverview::note(const std::string& line) const {
  if (cache_.note) {
    cache_.note(line);
  } else {
    fmt::print(stderr, "reviewer audit serve: the overview's summary cache {}\n", line);
    std::fflush(stderr);
  }
}

std::vector<audit::TableLayout> LiveOverview::tables(audit::LogReader& log) {
  // The chained tables change only with the schema: on PostgreSQL, reading
  // them (information_schema) took ~70 ms of every request, the version
  // ~1 ms.
  const int version = log.schema_version();
  std::lock_guard lock(tables_mu_);
  if (version != tables_version_ || tables_.empty()) {
    tables_ = log.chained_tables();
    tables_version_ = version;
  }
  return tables_;
}

void LiveOverview::catch_up(audit::ReadOnlySession& session, const std::vector<audit::TableLayout>& tables,
                            const audit::ChainHead& request_head) {
  if (summary_.built() && request_head.seq < summary_.watermark().seq) {
    // Behind the summary: an older snapshot of a log that grew since, or a
    // log replaced by a shorter one. A snapshot taken now tells which.
    const auto fresh = open_();
    changed(update(fresh->log(), {}));
  } else {
    changed(summary_.update(session.log(), tables, request_head));
  }
}

template <typename Read>
auto LiveOverview::read_at_head(audit::ReadOnlySession& session, audit::ChainHead& head, const Read& read) {
  wait_for_warm_up();
  // The request's head is read before any lock: on PostgreSQL it is a
  // round trip, which readers need not take in turn.
  const auto tables = this->tables(session.log());
  const auto request_head = audit::read_head(session.log(), tables);
  bool updated = false;
  for (;;) {
    {
      std::shared_lock lock(mu_);
      // At the request's head; or, once this request updated it, at that
      // head or a newer one another request brought it to since (as a
      // request whose snapshot is older than the summary gets).
      const auto& mark = summary_.watermark();
      if (summary_.built() && (updated || (mark.seq == request_head.seq && mark.hash == request_head.hash))) {
        head = mark;
        auto result = read();
        // Every read, not only an updating one: a change made within a
        // minute of the last save is saved by the next request after it.
        save_if_due();
        return result;
      }
    }
    // Not built (the build failed, or an update after this request's
    // failed: update() throws why, or rebuilds), or at another head.
    std::unique_lock lock(mu_);
    catch_up(session, tables, request_head);
    updated = true;
  }
}

audit::OverviewRows LiveOverview::rows(audit::ReadOnlySession& session, const audit::ConsoleFilter& f,
                                       audit::ChainHead& head) {
  return read_at_head(session, head, [&] { return summary_.rows(f); });
}

OverviewFigures LiveOverview::figures(audit::ReadOnlySession& session, const audit::ConsoleFilter& f,
                                      audit::ChainHead& head) {
  return read_at_head(session, head, [&] {
    FigureCounter counter;
    const auto rest = summary_.rows(
        f, [&](const audit::CompactMerge& m, const audit::MergedChange* odd) { counter.add(m, odd); });
    if (counting_hook_) counting_hook_();
    return counter.finish(rest);
  });
}

void LiveOverview::wait_for_warm_up() {
  std::unique_lock lock(warm_mu_);
  warm_cv_.wait(lock, [&] { return warm_; });
}

}  // namespace reviewer::console
