// The overview's summary (audit/overview_summary.h), kept up to date by
// seq watermark, gives the figures a fresh full computation gives
// (console_overview), on `reviewer demo`'s history with batches of rows
// appended on top: new merges, late approvals, reverts of old merges, runs
// after the merge, findings on reverted changes, overrides, votes, failing
// checks and second merges; for several filters; and after the log is
// replaced. A summary that reads again only the pull requests with a new
// merge (ignoring what changes older merges) fails the same comparison.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <filesystem>
#include <future>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "audit/audit_fixtures.h"
#include "audit/overview_summary.h"
#include "audit/readonly_session.h"
#include "audit/store.h"
#include "console_fixture.h"
#include "overview_summary_fixture.h"
#include "reviewer/cli/demo_history.h"
#include "reviewer/console/charts.h"
#include "reviewer/console/live_overview.h"
#include "support/postgres.h"
#include "support/testutil.h"

namespace reviewer::console {

namespace {

using namespace summary_test;

// A session whose log counts its reads of the chained tables and can
// report a later schema version than the file's.
class CountingSession final : public audit::ReadOnlySession {
 public:
  CountingSession(std::unique_ptr<audit::ReadOnlySession> s, int& reads, int version_bump)
      : s_(std::move(s)), log_(s_->log(), reads, version_bump) {}
  audit::LogReader& log() override { return log_; }
  audit::QueryTable user_query(std::string_view sql, std::size_t max_rows) override {
    return s_->user_query(sql, max_rows);
  }

 private:
  class Log final : public audit::LogReader {
   public:
    Log(audit::LogReader& log, int& reads, int bump) : log_(log), reads_(reads), bump_(bump) {}
    void each(std::string_view sql, const std::vector<audit::Value>& params,
              const std::function<void(const audit::LogRow&)>& row) override {
      log_.each(sql, params, row);
    }
    std::vector<audit::TableLayout> chained_tables() override {
      ++reads_;
      return log_.chained_tables();
    }
    std::vector<std::string> column_names(const std::string& t) override { return log_.column_names(t); }
    int schema_version() override { return log_.schema_version() + bump_; }
    std::string structure_problem(const std::vector<audit::TableLayout>& t) override {
      return log_.structure_problem(t);
    }
    std::string where() const override { return log_.where(); }
    Backend backend() const override { return log_.backend(); }

   private:
    audit::LogReader& log_;
    int& reads_;
    int bump_;
  };
  std::unique_ptr<audit::ReadOnlySession> s_;
  Log log_;
};

// Holds the first request that counts an overview's figures inside its
// counting (LiveOverview::set_counting_hook) until opened; opens when it
// goes, so that a failed check does not leave the request waiting.
class CountingGate {
 public:
  explicit CountingGate(LiveOverview& live) {
    live.set_counting_hook([this] {
      if (counted_++ == 0) {
        inside_.set_value();
        opened_.wait();
      }
    });
  }
  ~CountingGate() { open(); }
  CountingGate(const CountingGate&) = delete;
  CountingGate& operator=(const CountingGate&) = delete;
  // Whether the first request got inside its counting.
  bool wait_inside() { return is_inside_.wait_for(std::chrono::seconds(30)) == std::future_status::ready; }
  void open() {
    if (!std::exchange(is_open_, true)) open_.set_value();
  }
  int counted() const { return counted_; }

 private:
  std::promise<void> inside_, open_;
  std::future<void> is_inside_ = inside_.get_future();
  std::shared_future<void> opened_ = open_.get_future().share();
  std::atomic<int> counted_{0};
  bool is_open_ = false;
};


// tests/console's log in a scratch folder, and the console's summary over
// it, warmed up.
struct WarmLog {
  explicit WarmLog(const std::string& name)
      : path(test::console_log(test::scratch_dir(name))), live([this] { return open(); }) {
    live.wait_for_warm_up();
  }
  std::unique_ptr<audit::ReadOnlySession> open() const {
    return audit::open_read_only_session(path.string(), std::chrono::seconds(30));
  }
  // All time's figures, computed afresh.
  std::string full() const { return described(overview_figures(audit::console_overview(open()->log(), {}))); }
  // All time's figures as the console counts them; `head`: the summary's.
  std::string summary(audit::ChainHead& head) { return described(live.figures(*open(), {}, head)); }

  std::filesystem::path path;
  LiveOverview live;
};

// Odd times (fractions, offsets, a leap second, unparsed text) written
// through `store` on top of a demo history; the summary read through a
// session on `location` gives the full computation's rows and figures.
void check_odd_times(audit::AuditStore& store, const std::string& location) {
  // Times the log could hold from other writers; each its own change,
  // opened, run, approved by a person, merged, with a /human-review
  // request and a vote (one never opened: its opened_at is empty).
  const std::vector<std::string> odd{"2025-11-03T08:00:00.250Z", "2025-11-03T08:00:00+00:00",
                                     "2025-11-03T23:59:60Z",     "not a time",
                                     "2025-11-03T08:00:00",      "2025-11-03T09:30:00Z"};
  for (std::size_t i = 0; i < odd.size(); ++i) {
    const std::string repo = kRepos[i % 3];
    const auto pr = static_cast<std::int64_t>(80000 + i);
    const std::string head = fmt::format("{:040}", pr);
    if (i != 5) store.record_pr_event({repo, pr, "opened", "yan", head, "", 0, "", odd[(i + 1) % odd.size()]});
    store.record_review(test::webhook_run(fmt::format("odd-{}", i), repo, pr, head, odd[(i + 2) % odd.size()],
                                         DecisionKind::approve, Mode::active, 0));
    if (i % 2 == 0) store.record_pr_event({repo, pr, "approved", "xia", head, "", 0, "", odd[(i + 3) % odd.size()]});
    store.record_pr_event({repo, pr, "merged", "yan", head, std::string(40, 'a'), 0, "", odd[i]});
    const std::string id = fmt::format("odd-request-{}", i);
    store.record_override({repo, pr, "human_review", "zed", id, odd[(i + 4) % odd.size()]});
    store.record_feedback({repo, pr, "f" + id, "test/odd-rule", "zed", i % 2 == 0, id, odd[(i + 5) % odd.size()]});
  }
  // Heads that are not 40 lowercase hex digits (the summary's scan keeps
  // those as 20 bytes), each merged with an approve run on that very head
  // (the bot's approval) and one on a head that differs only in case (not
  // the bot's); and times both plain and odd on one change, where the
  // least by bytes is the odd one ("…00.250Z" before "…00Z").
  const std::vector<std::string> heads{std::string(40, 'A'), "abc123", "", std::string(39, 'b') + "g",
                                       std::string(40, 'c')};
  for (std::size_t i = 0; i < heads.size(); ++i) {
    const std::string repo = kRepos[i % 3];
    const auto pr = static_cast<std::int64_t>(80100 + i);
    const std::string& head = heads[i];
    std::string other = head;
    std::transform(other.begin(), other.end(), other.begin(), [](unsigned char c) {
      return static_cast<char>(std::isupper(c) ? std::tolower(c) : std::toupper(c));
    });
    store.record_pr_event({repo, pr, "opened", "yan", head, "", 0, "", "2025-11-03T08:00:00Z"});
    store.record_pr_event({repo, pr, "opened", "yan", head, "", 0, "", "2025-11-03T08:00:00.250Z"});
    store.record_review(test::webhook_run(fmt::format("odd-head-{}", i), repo, pr, i % 2 ? head : other,
                                         "2025-11-03T08:00:01Z", DecisionKind::approve, Mode::active, 0));
    store.record_review(test::webhook_run(fmt::format("odd-head-late-{}", i), repo, pr, i % 2 ? other : head,
                                         "2025-11-03T08:00:00.5Z", DecisionKind::approve, Mode::active, 0));
    if (i == 2) store.record_pr_event({repo, pr, "approved", "xia", head, "", 0, "", "2025-11-03T08:00:02Z"});
    store.record_pr_event({repo, pr, "merged", "yan", head, head, 0, "", "2025-11-03T09:00:00Z"});
  }
  const auto session = audit::open_read_only_session(location, std::chrono::seconds(30));
  auto& log = session->log();
  audit::OverviewSummary summary;
  const auto tables = log.chained_tables();
  summary.update(log, tables, audit::read_head(log, tables));
  // Bounds at the odd merges' second, where comparing text and comparing
  // seconds part: "…08:00:00.250Z" sorts before "…08:00:00Z".
  std::vector<audit::ConsoleFilter> filters(6);
  filters[1].since = filters[1].until = "2025-11-03T08:00:00Z";
  filters[2].since = "2025-11-03T08:00:00Z";
  filters[3].until = "2025-11-03T08:00:00Z";
  filters[4].since = "2025-11-04T00:00:00Z";  // the leap second's next second
  filters[4].until = "2025-11-04T00:00:00Z";
  filters[5].since = "2025-11-03T00:00:00Z";
  filters[5].until = "2025-11-03T23:59:59Z";
  for (const auto& f : filters) {
    CAPTURE(f.since);
    CAPTURE(f.until);
    const auto full = audit::console_overview(log, f);
    CHECK(described(summary.rows(f)) == described(full));
    CHECK(described_in_place(summary, f) == described(overview_figures(full)));
  }
}

}  // namespace

TEST_SUITE("console") {
  TEST_CASE("the console's summary reads the chained tables again only when the schema version changes") {
    const auto dir = test::scratch_dir("overview-live-tables");
    const auto path = test::console_log(dir);
    int reads = 0, bump = 0;
    const auto open = [&]() -> std::unique_ptr<audit::ReadOnlySession> {
      return std::make_unique<CountingSession>(
          audit::open_read_only_session(path.string(), std::chrono::seconds(30)), reads, bump);
    };
    LiveOverview live(open);
    live.wait_for_warm_up();
    CHECK(reads == 1);
    audit::ChainHead head;
    const auto expected = described(audit::console_overview(open()->log(), {}));
    for (int i = 0; i < 3; ++i) CHECK(described(live.rows(*open(), {}, head)) == expected);
    // The page's figures, counted in place, are the full computation's.
    CHECK(described(live.figures(*open(), {}, head)) ==
          described(overview_figures(audit::console_overview(open()->log(), {}))));
    CHECK(reads == 1);
    bump = 1;  // a migration ran: the tables are read again, once
    CHECK(described(live.rows(*open(), {}, head)) == expected);
    CHECK(described(live.rows(*open(), {}, head)) == expected);
    CHECK(reads == 2);
  }

  TEST_CASE("the overview's summary, updated by seq watermark, gives the full computation's figures (SQLite)") {
    const auto dir = test::scratch_dir("overview-summary");
    const auto path = dir / "audit.db", backup = dir / "backup.db";
    DemoHistory h;
    h.changes = 2000;
    write_demo_history(*audit::AuditStore::open(path), h);
    copy_log(path, backup);
    const auto open = [&] { return audit::open_read_only_session(path.string(), std::chrono::seconds(30)); };
    const auto store = [&] { return audit::AuditStore::open(path); };
    // The careless summary differs after batches that change older merges:
    // the comparison catches a summary that ignores them.
    CHECK(run_batches(open, store, 4) > 0);

    using U = audit::OverviewSummary::Update;
    audit::OverviewSummary before, after;
    compare_summary(before, open()->log(), true, U::rebuilt);
    compare_summary(after, open()->log(), true, U::rebuilt);
    const auto mark = before.watermark().seq;
    // Restored from a backup: a shorter log.
    copy_log(backup, path);
    compare_summary(after, open()->log(), true, U::rebuilt);
    CHECK(after.watermark().seq < mark);
    // Other batches on the restored log until it is longer than the old
    // one: the row at `before`'s watermark is another row.
    for (int b = 10; store()->row_count() <= mark; ++b) append_batch(*store(), open()->log(), b);
    compare_summary(before, open()->log(), true, U::rebuilt);
    CHECK(before.watermark().seq > mark);
    compare_summary(after, open()->log(), true, U::appended);
  }

  TEST_CASE("a compact merge gives its row back, and the period test compares as the row's text does") {
    const std::vector<std::string> times{"",
                                         "2025-11-03T08:00:00Z",
                                         "2025-11-03T08:00:00.250Z",
                                         "2025-11-03T08:00:00+00:00",
                                         "2025-11-03T08:00:00",
                                         "2025-11-03T23:59:60Z",
                                         "2025-02-30T08:00:00Z",
                                         "0000-01-01T00:00:00Z",
                                         "9999-12-31T23:59:59Z",
                                         "not a time"};
    const std::vector<std::pair<std::string, std::string>> periods{
        {"0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z"},
        {"2025-11-03T08:00:00Z", "2025-11-03T08:00:00Z"},
        {"2025-11-04T00:00:00Z", "2025-11-04T00:00:00Z"},
        {"2025-11-03T08:00:00", "2025-11-03T08:00:00.5Z"}};  // bounds that are not plain
    for (const auto& at : times) {
      for (const char* approval : {"bot", "human", "bot+human", "none", "somebody"}) {
        CAPTURE(at);
        CAPTURE(approval);
        const audit::MergedChange m{at, approval, true, times[(&at - times.data() + 1) % times.size()], "",
                                    "2025-11-03T08:00:00Z"};
        bool plain = true;
        const auto c = audit::compact_merge(m, plain);
        const audit::MergedChange* odd = plain ? nullptr : &m;
        const auto back = audit::expand_merge(c, odd);
        CHECK(std::tie(back.merged_at, back.approval, back.reverted, back.opened_at, back.person_approved_at,
                       back.bot_approved_at) == std::tie(m.merged_at, m.approval, m.reverted, m.opened_at,
                                                         m.person_approved_at, m.bot_approved_at));
        for (const auto& [since, until] : periods) {
          CAPTURE(since);
          CHECK(audit::MergePeriod(since, until).contains(c, odd) == (at >= since && at <= until));
        }
      }
    }
  }

  TEST_CASE("the overview's summary keeps odd timestamps' figures: fractions, offsets, leap seconds, unparsed") {
    const auto path = demo_log("overview-odd-times", 40);
    check_odd_times(*audit::AuditStore::open(path), path.string());
  }

  TEST_CASE("the overview's summary keeps odd timestamps' figures on PostgreSQL (the runs and their heads in one read)") {
    auto s = test::PgSchema::create("overview_odd_times");
    if (!s) return;
    DemoHistory h;
    h.changes = 40;
    write_demo_history(*audit::AuditStore::open_url(s->url()), h);
    const test::PgAuditor auditor(*s);
    check_odd_times(*audit::AuditStore::open_url(s->url()), auditor.url());
  }

  TEST_CASE("the overview's summary, updated by seq watermark, gives the full computation's figures (PostgreSQL)") {
    auto s = test::PgSchema::create("overview_summary");
    if (!s) return;
    DemoHistory h;
    h.changes = 400;
    write_demo_history(*audit::AuditStore::open_url(s->url()), h);
    const test::PgAuditor auditor(*s);
    const auto open = [&] { return audit::open_read_only_session(auditor.url(), std::chrono::seconds(30)); };
    const auto store = [&] { return audit::AuditStore::open_url(s->url()); };
    CHECK(run_batches(open, store, 2) > 0);
  }

  TEST_CASE("the overview's summary reads through a second session only when it sees the same head") {
    const auto path = demo_log("overview-summary-second", 300);
    const auto open = [&] { return audit::open_read_only_session(path.string(), std::chrono::seconds(30)); };
    using U = audit::OverviewSummary::Update;
    // An older snapshot as the second session: its rows are not the head's.
    const auto older = open();
    audit::read_head(older->log(), older->log().chained_tables());  // its snapshot starts here
    audit::AuditStore::open(path)->record_pr_event({"acme/web", 1, "reverted", "", "", "", 9, "", ""});
    audit::OverviewSummary summary;
    compare_summary(summary, open()->log(), true, U::rebuilt, &older->log());
    CHECK(summary.last_readers() == 1);
    // At the same head, both are read.
    audit::OverviewSummary both;
    compare_summary(both, open()->log(), true, U::rebuilt, &open()->log());
    CHECK(both.last_readers() == 2);
  }

  TEST_CASE("a request whose snapshot is older than the console's summary gets the summary's newer rows") {
    const auto dir = test::scratch_dir("overview-live-old");
    const auto path = test::console_log(dir);
    const auto open = [&] { return audit::open_read_only_session(path.string(), std::chrono::seconds(30)); };
    LiveOverview live(open);
    live.wait_for_warm_up();
    const auto old = open();
    const auto old_head = audit::read_head(old->log(), old->log().chained_tables());  // its snapshot starts here
    audit::AuditStore::open(path)->record_pr_event({"acme/web", 1, "reverted", "", "", "", 9, "", ""});
    audit::ChainHead head;
    const auto newer = open();
    const auto from_newer = described(live.rows(*newer, {}, head));
    CHECK(head.seq == old_head.seq + 1);
    const auto from_old = described(live.rows(*old, {}, head));
    CHECK(head.seq == old_head.seq + 1);
    CHECK(from_old == from_newer);
    CHECK(from_old == described(audit::console_overview(open()->log(), {})));
    CHECK(from_old != described(audit::console_overview(old->log(), {})));
  }

  TEST_CASE("the console's overview with its summary shows what it shows without, as the log grows") {
    const auto dir = test::scratch_dir("overview-live");
    const auto path = test::console_log(dir);
    auto with = test::console_options(path.string());
    auto without = with;
    without.overview_summary = false;
    without.overview_cache = 0;
    const Console live(with), fresh(without);
    live.wait_for_warm_up();
    const std::vector<std::string> pages = {"/?period=all", "/", "/?repo=acme/web&period=all",
                                            "/?since=2030-01-01"};
    for (int round = 0; round < 3; ++round) {
      CAPTURE(round);
      for (const auto& target : pages) {
        CAPTURE(target);
        const auto a = test::get(live, target), b = test::get(fresh, target);
        CHECK(a.status == 200);
        CHECK(a.body == b.body);
      }
      auto s = audit::AuditStore::open(path);
      // A late approval and a revert of acme/web #1, and a new merge.
      s->record_pr_event({"acme/web", 1, "approved", "zed", std::string(40, '1'), "", 0, "", ""});
      s->record_pr_event({"acme/web", 1, "reverted", "", std::string(40, '1'), "", 9, "", ""});
      s->record_pr_event({"acme/api", 10 + round, "merged", "zed", std::string(40, '2'), "", 0, "", ""});
    }
  }

  TEST_CASE("overview requests at the summary's head count their figures at once") {
    WarmLog log("overview-live-shared");
    const auto expected = log.full();
    const auto request = [&] {
      audit::ChainHead head;
      return log.summary(head);
    };
    std::future<std::string> first, second;
    CountingGate gate(log.live);  // goes (and opens) before the futures
    first = std::async(std::launch::async, request);
    REQUIRE(gate.wait_inside());
    // A second request counts and answers while the first still holds the
    // summary (with one lock for both it waited for the first).
    second = std::async(std::launch::async, request);
    CHECK(second.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
    CHECK(gate.counted() == 2);
    gate.open();
    CHECK(first.get() == expected);
    CHECK(second.get() == expected);
  }

  TEST_CASE("an update of the overview's summary waits for the counting under way") {
    WarmLog log("overview-live-update-waits");
    const auto before = log.full();
    audit::ChainHead first_head, second_head;
    std::future<std::string> first, second;
    CountingGate gate(log.live);
    first = std::async(std::launch::async, [&] { return log.summary(first_head); });
    REQUIRE(gate.wait_inside());
    // A revert appended: the next request updates the summary, which waits
    // until the first request has counted.
    audit::AuditStore::open(log.path)->record_pr_event({"acme/web", 1, "reverted", "", "", "", 9, "", ""});
    const auto after = log.full();
    REQUIRE(after != before);
    second = std::async(std::launch::async, [&] { return log.summary(second_head); });
    CHECK(second.wait_for(std::chrono::milliseconds(300)) == std::future_status::timeout);
    CHECK(gate.counted() == 1);
    gate.open();
    CHECK(first.get() == before);
    CHECK(second.get() == after);
    CHECK(second_head.seq == first_head.seq + 1);
  }

  TEST_CASE("overview figures counted by several requests at once stay right while rows are appended") {
    const auto path = demo_log("overview-live-concurrent", 300);
    const auto open = [&] { return audit::open_read_only_session(path.string(), std::chrono::seconds(30)); };
    LiveOverview live(open);
    live.wait_for_warm_up();
    std::atomic<bool> appending{true};
    std::atomic<int> compared{0}, differed{0};
    // Each request's figures against the full computation on its own
    // snapshot, when the summary answered at that snapshot's head.
    const auto reader = [&](audit::ConsoleFilter f) {
      do {
        const auto session = open();
        audit::ChainHead head;
        const auto figures = described(live.figures(*session, f, head));
        const auto own = audit::read_head(session->log(), session->log().chained_tables());
        if (own.seq != head.seq) continue;  // another request brought the summary further
        ++compared;
        differed += figures != described(overview_figures(audit::console_overview(session->log(), f)));
      } while (appending);
    };
    audit::ConsoleFilter web;
    web.repositories = {"acme/web"};
    {
      std::vector<std::jthread> readers;
      readers.emplace_back(reader, audit::ConsoleFilter{});
      readers.emplace_back(reader, audit::ConsoleFilter{});
      readers.emplace_back(reader, web);
      for (int b = 0; b < 6; ++b) append_batch(*audit::AuditStore::open(path), open()->log(), b);
      appending = false;
    }  // joined
    CHECK(compared > 0);
    CHECK(differed == 0);
    audit::ChainHead head;
    CHECK(described(live.figures(*open(), {}, head)) ==
          described(overview_figures(audit::console_overview(open()->log(), {}))));
  }
}

}  // namespace reviewer::console
