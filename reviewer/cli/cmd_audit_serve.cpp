// `reviewer audit serve`: the auditor's console (reviewer/console/), until
// SIGTERM or SIGINT; and `reviewer audit token-hash`, the line for its
// tokens file.
#include <signal.h>

#include <charconv>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <iterator>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "audit/readonly_session.h"
#include "reviewer/cli/cli.h"
#include "reviewer/console/auth.h"
#include "reviewer/console/console.h"
#include "reviewer/core/error.h"
#include "reviewer/http/listener.h"
#include "storage/postgres.h"

namespace reviewer {

namespace {

struct ConsoleFlags {
  std::string db, database_url;
  std::string listen = "127.0.0.1:8090";
  std::string tokens, trusted_header, summary_cache;
  bool no_summary_cache = false;
};

std::pair<std::string, int> listen_address(const std::string& v) {
  const auto parts = http::split_listen_address(v);
  int port = -1;
  if (parts) {
    const auto& p = parts->second;
    const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
    if (ec != std::errc() || end != p.data() + p.size() || port < 0 || port > 65535) port = -1;
  }
  if (port < 0) throw Error(Error::Code::usage, fmt::format("--listen '{}' is not HOST:PORT (for example 127.0.0.1:8090)", v));
  return {parts->first, port};
}

int run_console(const ConsoleFlags& f) {
  const std::string location = audit_location(f.db, f.database_url);
  const auto [host, port] = listen_address(f.listen);
  console::ConsoleOptions options{location, console::TokenSet::load(f.tokens), f.trusted_header};
  if (!f.no_summary_cache) {
    options.summary_cache = !f.summary_cache.empty()
                                ? f.summary_cache
                                : console::default_summary_cache(
                                      location, std::filesystem::path(default_audit_db()).parent_path());
  }
  const std::string where = storage::is_postgres_url(options.location) ? storage::redact_url(options.location)
                                                                          : options.location;
  const std::string checked = options.location;
  const auto timeout = options.query_timeout;

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  // The console starts reading the log for its overview at once; the
  // check below runs meanwhile, on a connection of its own.
  console::Console console(std::move(options));
  // Refuse at start what every request would refuse, before anything
  // listens: a log that cannot be read, a PostgreSQL role that can reach
  // the server's files (the overview's reading stops when it throws).
  audit::open_read_only_session(checked, timeout);
  http::HttpLimits limits;
  limits.threads = 4;  // pages run their queries on the I/O threads
  limits.max_connections = 256;
  http::HttpListener listener(limits, console.routes());
  listener.listen(host, port);
  fmt::print(stderr, "reviewer audit serve: the audit console of {} is at http://{}:{}/ (read-only){}\n", where,
             host.find(':') != std::string::npos ? "[" + host + "]" : host, port,
             f.trusted_header.empty() ? "" : fmt::format("; trusting header {} from the proxy", f.trusted_header));
  std::fflush(stderr);
  int sig = 0;
  sigwait(&stop_signals, &sig);
  listener.stop_accepting();
  listener.shutdown(std::chrono::seconds(5));
  return 0;
}

int run_token_hash() {
  const std::string token{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  const std::string hash = console::token_hash(token);
  if (token.find_first_not_of("\r\n") == std::string::npos) {
    throw Error(Error::Code::usage, "no token on standard input (try: printf '%s' \"$TOKEN\" | reviewer audit token-hash)");
  }
  fmt::print("{}\n", hash);
  return 0;
}

}  // namespace

void add_audit_console_commands(CLI::App& audit, Action& run) {
  auto f = std::make_shared<ConsoleFlags>();
  auto* serve = audit.add_subcommand("serve", "Serve the read-only auditor's console (a web page) over the audit log");
  auto* db = serve->add_option("--db", f->db, "Audit database file (default: $REVIEWER_DATABASE_URL, else "
                                              "$REVIEWER_DATA_DIR/audit.db, else ~/.local/share/reviewer/audit.db)");
  serve->add_option("--database-url", f->database_url, "Audit log on PostgreSQL (postgresql://…)")->excludes(db);
  serve->add_option("--listen", f->listen, "HOST:PORT to listen on")->capture_default_str();
  serve->add_option("--tokens", f->tokens,
                    "File of accepted tokens' hashes, one per line as `reviewer audit token-hash` prints them")
      ->required();
  serve->add_option("--trusted-header", f->trusted_header,
                    "Header a reverse proxy sets to the user it authenticated (off by default; only safe behind a "
                    "proxy that removes it from clients' requests)");
  auto* cache = serve->add_option(
      "--summary-cache", f->summary_cache,
      "File the overview's summary is kept in across restarts, so that a start reads only the rows appended "
      "since (written 0600, checked against the log and ignored unless it verifies; default: beside an SQLite "
      "log, LOG.overview-summary, or, when that folder is not writable, the data directory's overview-summary-sqlite-"
      "<hash of its path>; for PostgreSQL, the data directory's overview-summary-pg-<hash of the URL without its "
      "password>; the data directory is $REVIEWER_DATA_DIR, else $XDG_DATA_HOME/reviewer, else ~/.local/share/reviewer)");
  serve->add_flag("--no-summary-cache", f->no_summary_cache,
                  "Keep the summary in memory only: every start reads the whole log")
      ->excludes(cache);
  serve->footer(
      "Pages: / (overview), /changes (and .csv), /change, /sample (and its evidence pack), /sql (and .csv);\n"
      "sign in at /login with a token, or send Authorization: Bearer <token>. Only GET and HEAD are served\n"
      "(anything else gets 405) and the log is opened read-only: nothing the console does can write to it\n"
      "(the one file it writes is the overview's summary cache, above).\n"
      "Make a token:  TOKEN=$(openssl rand -hex 32); printf '%s' \"$TOKEN\" | reviewer audit token-hash >> tokens\n"
      "See reviewer/console/README.md.");
  serve->callback([&run, f] { run = [f] { return run_console(*f); }; });

  auto* hash = audit.add_subcommand("token-hash", "Read a console token on standard input, print its SHA-256 line "
                                                  "for the --tokens file");
  hash->callback([&run] { run = [] { return run_token_hash(); }; });
}

}  // namespace reviewer
