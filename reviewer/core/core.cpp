#include <chrono>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "reviewer/core/agent_report.h"
#include "reviewer/core/decision.h"
#include "reviewer/core/random.h"
#include "reviewer/core/review_result.h"
#include "reviewer/core/size_stats.h"
#include "reviewer/core/utc_time.h"

namespace reviewer {

std::string_view to_string(AgentStatus s) {
  switch (s) {
    case AgentStatus::ok: return "ok";
    case AgentStatus::failed: return "failed";
    case AgentStatus::timed_out: return "timed_out";
  }
  return "failed";
}

std::string_view to_string(DecisionKind d) {
  switch (d) {
    case DecisionKind::approve: return "approve";
    case DecisionKind::comment: return "comment";
    case DecisionKind::request_changes: return "request_changes";
    case DecisionKind::needs_human: return "needs_human";
  }
  return "needs_human";
}

std::optional<DecisionKind> parse_decision(std::string_view s) {
  for (auto d : {DecisionKind::approve, DecisionKind::comment, DecisionKind::request_changes,
                 DecisionKind::needs_human}) {
    if (s == to_string(d)) return d;
  }
  return std::nullopt;
}

int exit_code(DecisionKind d) {
  switch (d) {
    case DecisionKind::approve:
    case DecisionKind::comment: return 0;
    case DecisionKind::request_changes: return 2;
    case DecisionKind::needs_human: return 3;
  }
  return 3;
}

std::string size_label(int changed) {
  if (changed < 10) return "XS";
  if (changed < 30) return "S";
  if (changed < 100) return "M";
  if (changed < 500) return "L";
  if (changed < 1000) return "XL";
  return "XXL";
}

// From the OS's CSPRNG through OpenSSL (reseeded after fork): run ids name
// audit rows and prompt nonces fence untrusted text for the model, so
// neither may be guessable from an earlier one.
std::string new_run_id() { return random_hex(16); }

std::string utc_iso8601(std::chrono::system_clock::time_point t) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", std::chrono::floor<std::chrono::seconds>(t));
}

std::optional<std::chrono::system_clock::time_point> parse_utc_iso8601(std::string_view s) {
  const auto t = parse_utc_seconds(s);
  if (!t) return std::nullopt;
  return std::chrono::system_clock::time_point(*t);
}

std::optional<std::chrono::sys_seconds> parse_utc_seconds(std::string_view s) {
  // Fixed positions: digits where digits belong, separators where they do.
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd";
  if (s.size() < kShape.size()) return std::nullopt;
  for (std::size_t i = 0; i < kShape.size(); ++i) {
    const bool digit = s[i] >= '0' && s[i] <= '9';
    if (kShape[i] == 'd' ? !digit : s[i] != kShape[i]) return std::nullopt;
  }
  auto num = [&](std::size_t at, std::size_t n) {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  using namespace std::chrono;
  const year_month_day day{year{num(0, 4)}, month{static_cast<unsigned>(num(5, 2))},
                           std::chrono::day{static_cast<unsigned>(num(8, 2))}};
  const int h = num(11, 2), m = num(14, 2), sec = num(17, 2);
  if (!day.ok() || h > 23 || m > 59 || sec > 60) return std::nullopt;
  return sys_seconds(sys_days(day)) + hours(h) + minutes(m) + seconds(sec);
}

std::string utc_now_iso8601() { return utc_iso8601(std::chrono::system_clock::now()); }

std::string reviewer_version() { return REVIEWER_VERSION; }

}  // namespace reviewer
