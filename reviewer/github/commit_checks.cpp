#include "reviewer/github/commit_checks.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "reviewer/github/webhook.h"

namespace reviewer::github {

namespace {

using nlohmann::json;
using payload::member_or_null;
using payload::string_or_empty;
using payload::time_or_empty;

// Control characters become spaces; cut at `max` bytes on a UTF-8
// character boundary (parsed JSON strings are valid UTF-8).
std::string clean(const std::string& s, std::size_t max) {
  std::string out;
  out.reserve(std::min(s.size(), max));
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
  }
  if (out.size() > max) {
    std::size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
  }
  return out;
}

// A GitHub enum value (conclusion, status, state): lowercase letters,
// digits and '_' only, at most 32; "unknown" when nothing is left.
std::string token(const std::string& s) {
  std::string out;
  for (char c : s) {
    const char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if ((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '_') out.push_back(l);
    if (out.size() == 32) break;
  }
  return out.empty() ? "unknown" : out;
}

// Only a plain http(s) link survives: anything else (javascript:, data:,
// spaces, control characters, over 2048 bytes) is dropped, so whoever
// shows the URL as a link shows only a web address.
std::string web_url(const std::string& s) {
  if (s.size() > 2048) return {};
  const std::string head = s.substr(0, 8);
  std::string lowered;
  for (char c : head) lowered.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lowered.rfind("https://", 0) != 0 && lowered.rfind("http://", 0) != 0) return {};
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '"' || c == '<' || c == '>' || c == '\\') return {};
  }
  return s;
}

std::string app_slug(const json& app) {
  std::string slug = string_or_empty(app, "slug");
  return clean(slug.empty() ? string_or_empty(app, "name") : slug, 100);
}

void require_sha(const std::string& sha) {
  if (!is_commit_sha(sha)) {
    throw Error(Error::Code::invalid_input, fmt::format("'{}' is not a commit id", clean(sha, 80)));
  }
}

}  // namespace

CheckObservation check_run_observation(const json& run) {
  CheckObservation o;
  o.source = "check_run";
  o.name = clean(string_or_empty(run, "name"), 200);
  o.app = app_slug(member_or_null(run, "app"));
  const std::string status = string_or_empty(run, "status");
  const bool completed = status == "completed";
  o.result = token(completed ? string_or_empty(run, "conclusion") : status);
  o.url = web_url(string_or_empty(run, "html_url"));
  o.completed_at = completed ? time_or_empty(run, "completed_at") : std::string();
  return o;
}

CheckObservation status_observation(const json& status) {
  CheckObservation o;
  o.source = "status";
  o.name = clean(string_or_empty(status, "context"), 200);
  o.app = clean(string_or_empty(member_or_null(status, "creator"), "login"), 100);
  o.result = token(string_or_empty(status, "state"));
  o.url = web_url(string_or_empty(status, "target_url"));
  o.completed_at = o.result == "pending" || o.result == "unknown" ? std::string() : time_or_empty(status, "updated_at");
  return o;
}

CheckObservation check_suite_observation(const json& suite) {
  CheckObservation o;
  o.source = "check_suite";
  const json& app = member_or_null(suite, "app");
  std::string name = string_or_empty(app, "name");
  o.name = clean(name.empty() ? string_or_empty(app, "slug") : name, 200);
  o.app = app_slug(app);
  const std::string status = string_or_empty(suite, "status");
  const bool completed = status == "completed";
  o.result = token(completed ? string_or_empty(suite, "conclusion") : status);
  // A suite has no completion time of its own: its last update is when it completed.
  o.completed_at = completed ? time_or_empty(suite, "updated_at") : std::string();
  return o;
}

std::vector<CheckObservation> fetch_check_runs(RestClient& client, const std::string& owner, const std::string& repo,
                                               const std::string& sha, std::size_t max) {
  require_sha(sha);
  std::vector<CheckObservation> out;
  const json runs =
      client.get_all(fmt::format("/repos/{}/{}/commits/{}/check-runs", url_encode(owner), url_encode(repo), sha),
                     "check_runs", max);
  for (const auto& run : runs) {
    if (run.is_object()) out.push_back(check_run_observation(run));
  }
  return out;
}

std::vector<CheckObservation> fetch_statuses(RestClient& client, const std::string& owner, const std::string& repo,
                                             const std::string& sha, std::size_t max) {
  require_sha(sha);
  std::vector<CheckObservation> out;
  const json statuses = client.get_all(
      fmt::format("/repos/{}/{}/commits/{}/status", url_encode(owner), url_encode(repo), sha), "statuses", max);
  for (const auto& s : statuses) {
    if (s.is_object()) out.push_back(status_observation(s));
  }
  return out;
}

}  // namespace reviewer::github
