// Helpers for the console's tests: a small audit log with the hostile
// titles, merges approved by the bot and by people, a revert, an override,
// votes, check results and a local run; a Console over it; requests made
// in process (or, for the listener's part, over loopback).
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "audit/store.h"
#include "reviewer/console/console.h"
#include "reviewer/http/listener.h"

namespace reviewer::test {

inline const std::string kToken = "test-token-for-the-console";
inline const std::string kScriptTitle = "<script>alert(1)</script>";
inline const std::string kImgTitle = "\"><img src=x onerror=alert(1)>";
// A title a spreadsheet would run as a formula.
inline const std::string kFormulaTitle = "=cmd|' /C calc'!A0";

// Writes the log (see above) through `store`: acme/web #1 (kScriptTitle,
// bot-approved, merged, checks passed), acme/web #2 (kImgTitle, approved
// by bob, merged, a failed check, reverted by #3; the approval recorded
// last, just before acme/api #1's rows), acme/web #3 (the revert,
// merged), acme/api #1 (needs_human, /human-review, an unhelpful vote,
// approved by erin, merged), acme/api #2 (kFormulaTitle, request_changes,
// open), and a
// local run of local/tool.
void write_console_log(audit::AuditStore& store);

// A webhook run of `repo` #`pr` on `head` at `at` (test::sample_review
// with `findings` warnings otherwise), for rows appended to a log.
ReviewResult webhook_run(const std::string& id, const std::string& repo, std::int64_t pr, const std::string& head,
                         const std::string& at, DecisionKind d, Mode mode, int findings = 0);

// The log above in a new SQLite file under `dir`.
std::filesystem::path console_log(const std::filesystem::path& dir);

console::ConsoleOptions console_options(const std::string& location, const std::string& trusted_header = "");

using Headers = std::vector<std::pair<std::string, std::string>>;

// A request handled in process, as the listener would hand it over.
http::HttpAnswer request(const console::Console& c, const std::string& target, const Headers& headers = {},
                         boost::beast::http::verb method = boost::beast::http::verb::get, const std::string& body = "");
// The same with the bearer token.
http::HttpAnswer get(const console::Console& c, const std::string& target);

// The value of header `name` in `a` ("" when absent).
std::string header_of(const http::HttpAnswer& a, const std::string& name);

// The files of a ustar archive, by path.
std::vector<std::pair<std::string, std::string>> untar(const std::string& tar);

// The rows of an RFC 4180 CSV text.
std::vector<std::vector<std::string>> parse_csv(const std::string& text);

}  // namespace reviewer::test
