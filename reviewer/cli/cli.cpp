#include "reviewer/cli/cli.h"

#include <cstdio>
#include <cstdlib>
#include <future>
#include <system_error>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "guidance/guidance.h"
#include "reviewer/core/edit_distance.h"
#include "reviewer/core/error.h"
#include "reviewer/core/review_result.h"
#include "reviewer/git/handles.h"
#include "storage/postgres.h"

namespace reviewer {

namespace {

int error_exit(const std::string& message) {
  std::fflush(stdout);
  fmt::print(stderr, "reviewer: error: {}\n", message);
  return 1;
}

}  // namespace

std::string default_audit_db() {
  if (const char* d = std::getenv("REVIEWER_DATA_DIR"); d && *d) return std::string(d) + "/audit.db";
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) return std::string(x) + "/reviewer/audit.db";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.local/share/reviewer/audit.db";
  return "reviewer-data/audit.db";
}

std::string audit_location(const std::string& db, const std::string& database_url) {
  if (!database_url.empty() && !storage::is_postgres_url(database_url)) {
    throw Error(Error::Code::usage, fmt::format("--database-url must be a postgresql:// URL, not '{}'",
                                                storage::redact_url(database_url)));
  }
  if (!database_url.empty()) return database_url;
  if (!db.empty()) return db;
  const char* env = std::getenv("REVIEWER_DATABASE_URL");
  return env && *env ? std::string(env) : default_audit_db();
}

namespace {
std::string (*heap_setup)(std::string_view command) = nullptr;
}  // namespace

void set_heap_setup(std::string (*setup)(std::string_view command)) { heap_setup = setup; }

int run_cli(int argc, char** argv) {
  CLI::App app{"reviewer: reviews pull requests with independent sub-agents (intent, safety, logic,\n"
               "size, history) and a deterministic policy, and keeps an audit log of every decision.",
               "reviewer"};
  app.set_version_flag("--version", reviewer_version());
  app.require_subcommand(1);
  app.fallthrough(false);
  Action run;
  add_review_command(app, run);
  add_demo_command(app, run);
  add_audit_command(app, run);
  add_guidance_command(app, run);
  add_simulate_command(app, run);
  add_serve_command(app, run);
  add_risk_command(app, run);

  if (argc > 1 && argv[1][0] != '-') {
    std::string name = argv[1];
    bool known = false;
    std::string best;
    size_t best_d = 3;  // suggest only close names
    for (const auto* sub : app.get_subcommands({})) {
      if (sub->get_name() == name) known = true;
      size_t d = edit_distance(name, sub->get_name());
      if (d < best_d) best_d = d, best = sub->get_name();
    }
    if (!known) {
      return error_exit(fmt::format("unknown command '{}'{}; run 'reviewer --help' for the list", name,
                                    best.empty() ? "" : fmt::format(" (did you mean '{}'?)", best)));
    }
  }

  int rc;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return error_exit(fmt::format("{} (see --help)", e.what()));
  }
  // Commands that build their data once (a review, the console's summary)
  // take it in huge pages; the long-running webhook server keeps 4 KB
  // pages, whose memory tcmalloc can give back page by page.
  if (heap_setup && !app.got_subcommand("serve")) (void)heap_setup(app.get_subcommands().front()->get_name());
  // The shipped guidance (about 11 ms of YAML) is parsed on another thread
  // while libgit2 sets up (it reads the system's CA bundle) and the
  // command opens its repository; the audit commands read no guidance.
  std::future<void> guidance_parsed;
  try {
    if (!app.got_subcommand("audit")) guidance_parsed = std::async(std::launch::async, parse_shipped_guidance);
  } catch (const std::system_error&) {
    // No thread to spare: the command parses it when it loads guidance.
  }
  git::Library git;  // no command touches libgit2 before run()
  try {
    rc = run ? run() : 1;
  } catch (const Error& e) {
    return error_exit(e.what());
  } catch (const std::exception& e) {
    return error_exit(fmt::format("internal error: {}", e.what()));
  }
  std::fflush(stdout);
  return rc;
}

}  // namespace reviewer
