// `reviewer audit serve`: the auditor's console, a read-only web view of
// the audit log (routes, headers and guarantees: README.md here).
//
// Every answer carries a strict Content-Security-Policy, nosniff,
// no-referrer and no-store. Only GET and HEAD are served: any other
// method, on any path, is answered 405 before its body is read. Nothing
// the console runs can write: the log is opened read-only for each
// request (audit/readonly_session.h), and logging in is a GET too.
//
// Thread-safety: handle() may be called from several threads at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "audit/readonly_session.h"
#include "reviewer/console/auth.h"
#include "reviewer/console/live_overview.h"
#include "reviewer/console/overview_cache.h"
#include "reviewer/console/params.h"
#include "reviewer/http/listener.h"

namespace reviewer::console {

struct ConsoleOptions {
  std::string location;          // the log: an SQLite file or a postgresql:// URL
  TokenSet tokens;               // accepted bearer tokens (hashes)
  std::string trusted_header;    // a proxy's user header; "" (the default): none is trusted
  std::chrono::milliseconds query_timeout{30'000};  // per statement
  std::size_t overview_cache = 16;  // without the summary: overviews kept by (filter, chain head); 0: none
  // Keep the overview's rows in memory (live_overview.h): built in the
  // background at start, then updated from the rows appended since. Off:
  // each overview runs its queries (kept by overview_cache).
  bool overview_summary = true;
  // A file the summary is kept in across restarts (live_overview.h
  // SummaryCache); "": none, it is built from the log at every start.
  // `reviewer audit serve` gives default_summary_cache() unless told
  // otherwise; a Console made elsewhere (tests, benchmarks) has none.
  std::string summary_cache = "";
  // Where the start's line about that file goes; null: standard error.
  std::function<void(const std::string&)> summary_note = nullptr;
  // The clock of the session cookies (tests move it).
  std::function<std::chrono::system_clock::time_point()> now = [] { return std::chrono::system_clock::now(); };
};

// The log's identity in a summary cache's file: the SQLite file's
// absolute path, or the PostgreSQL URL without its password.
std::string log_identity(const std::string& location);

// Where `reviewer audit serve` keeps the summary by default: for an SQLite
// log, beside it (`audit.db` → `audit.db.overview-summary`), or, when this
// process may not write that folder, `data_dir/overview-summary-sqlite-<16
// hex>`; for a PostgreSQL one, `data_dir/overview-summary-pg-<16 hex>`; the
// hex is the SHA-256 of its log_identity() (one file per database, server
// and role).
std::string default_summary_cache(const std::string& location, const std::filesystem::path& data_dir);

// The headers every answer carries.
const http::HttpHeaders& security_headers();

class Console {
 public:
  explicit Console(ConsoleOptions options);

  // The listener's first look at a request (HttpRoutes::on_head): a method
  // other than GET or HEAD is answered 405 at once, its body unread; any
  // other request may carry no body.
  std::optional<http::HttpAnswer> head(const http::HttpRequest& req, std::uint64_t& body_limit) const;

  // Answers a whole request: authentication, then the page. Never throws;
  // a failure is a 500 page that names it.
  http::HttpAnswer handle(const http::HttpRequest& req) const;

  // Routes for http::HttpListener, security headers included.
  http::HttpRoutes routes() const;

  // Returns once the overview's summary has been built at start (or its
  // build failed); at once without a summary.
  void wait_for_warm_up() const;

 private:
  // The signed-in user's name, or the answer that refuses (401) or signs in
  // (303 with the session cookie).
  std::variant<std::string, http::HttpAnswer> authenticate(const http::HttpRequest& req, const Params& params,
                                                           const std::string& path) const;

  ConsoleOptions options_;
  audit::ReadOnlySessions logs_;  // every request's and the summary's reads of the log
  Sessions sessions_;
  mutable OverviewCache overviews_;
  std::unique_ptr<LiveOverview> live_;  // null when options_.overview_summary is off
};

}  // namespace reviewer::console
