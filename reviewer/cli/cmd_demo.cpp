// `reviewer demo`: builds a demo repository with three sample pull requests,
// reviews each with the real pipeline, records them in the audit log and
// prints each verdict. The audit log then gets months of history
// (demo_history.h) and a console token, and the text output ends with the
// command that opens the auditor's console on it.
#include <cstdlib>
#include <filesystem>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "audit/store.h"
#include "reviewer/cli/cli.h"
#include "reviewer/cli/demo_history.h"
#include "reviewer/cli/demo_repo.h"
#include "reviewer/core/error.h"
#include "reviewer/core/private_files.h"
#include "reviewer/core/random.h"
#include "reviewer/console/auth.h"
#include "reviewer/pipeline/review.h"
#include "reviewer/report/render.h"

namespace reviewer {

namespace {

struct DemoOptions {
  std::string dir;
  std::string format = "text";
  std::vector<std::string> guidance;
  bool no_audit = false;
  int history = DemoHistory{}.changes;
};

std::filesystem::path make_demo_dir(const std::string& requested) {
  namespace fs = std::filesystem;
  if (requested.empty()) {
    std::string tmpl = (fs::temp_directory_path() / "reviewer-demo-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw Error(Error::Code::io, "cannot create a temporary directory");
    return tmpl;
  }
  fs::path p = requested;
  std::error_code ec;
  if (fs::exists(p, ec) && !fs::is_empty(p, ec)) {
    throw Error(Error::Code::usage,
                fmt::format("--dir '{}' is not empty: give a new or empty directory", requested));
  }
  fs::create_directories(p, ec);
  if (ec) throw Error(Error::Code::io, fmt::format("cannot create '{}': {}", requested, ec.message()));
  return p;
}

// A fresh console token, printed once; the tokens file holds only its
// SHA-256 (the line `reviewer audit token-hash` prints), so it keeps no
// secret. Only the text output gets one: JSON, SARIF and Markdown stay
// exactly the reviews.
void print_console(const std::filesystem::path& dir, const DemoHistory& h, const DemoHistoryCounts& n) {
  const std::string token = random_hex(32);
  const auto tokens = dir / "console-tokens";
  write_private_file(tokens, "# reviewer demo: SHA-256 of the console token it printed once\n" +
                                 console::token_hash(token) + "\n");
  fmt::print("\nAudit history:   {} pull requests over {} days: {} merged ({} approved by the bot, {} by a person, "
             "{} without approval), {} reverted, {} /human-review overrides, {} merged with a failing check, {} "
             "before checks completed, {} local runs\n",
             h.changes, h.days, n.merged, n.bot_approved, n.human_approved, n.unapproved, n.reverted, n.overrides,
             n.failing_checks, n.merged_before_checks, n.local_runs);
  fmt::print("Console:         reviewer audit serve --db {} --tokens {}\n"
             "                 then open http://127.0.0.1:8090/login and sign in with the token below\n",
             (dir / "audit.db").string(), tokens.string());
  fmt::print("Console token:   {}  (shown once; console-tokens keeps only its SHA-256)\n", token);
}

int run_demo(const DemoOptions& o) {
  auto format = parse_format(o.format);
  if (!format) throw Error(Error::Code::usage, fmt::format("unknown --format '{}'", o.format));
  auto dir = make_demo_dir(o.dir);
  auto repo_dir = dir / "repo";
  auto prs = build_demo_repository(repo_dir);
  std::unique_ptr<audit::AuditStore> store;
  if (!o.no_audit) store = audit::AuditStore::open(dir / "audit.db");

  int i = 0;
  for (const auto& pr : prs) {
    ReviewRequest req;
    req.repo = repo_dir;
    req.base = "main";
    req.head = pr.branch;
    req.trigger = "demo";
    for (const auto& g : o.guidance) req.guidance_dirs.emplace_back(g);
    ReviewResult r = review_repository(req);
    if (store) store->record_review(r);
    if (*format == Format::text) {
      fmt::print("\n=== PR {}/{}: {} ({}) ===\ntitle: {}\n", ++i, prs.size(), pr.branch, pr.what,
                 r.pr.title);
    }
    std::string out = render(r, *format);
    std::fwrite(out.data(), 1, out.size(), stdout);
  }
  if (*format == Format::text) {
    fmt::print("\nDemo repository: {}\n", repo_dir.string());
    if (store) fmt::print("Audit log:       {}\n", (dir / "audit.db").string());
    fmt::print("Try: reviewer review --repo {} --base main --head {} --format markdown\n",
               repo_dir.string(), prs.front().branch);
  }
  if (store && o.history > 0) {
    DemoHistory h;
    h.changes = o.history;
    DemoHistoryCounts n = write_demo_history(*store, h);
    if (*format == Format::text) print_console(dir, h, n);
  }
  return 0;
}

}  // namespace

void add_demo_command(CLI::App& app, Action& run) {
  auto o = std::make_shared<DemoOptions>();
  auto* cmd = app.add_subcommand(
      "demo", "Build a demo repository with three sample pull requests, review each, and print the verdicts; the "
              "audit log also gets months of sample history for the auditor's console");
  cmd->add_option("--dir", o->dir, "New or empty directory for the demo repository and its audit log "
                                   "(default: a fresh temporary directory)");
  cmd->add_option("--format", o->format, "Output: text, json, sarif or markdown")
      ->check(CLI::IsMember({"text", "json", "sarif", "markdown"}))
      ->capture_default_str();
  cmd->add_option("--guidance", o->guidance, "Guidance directory layered over the shipped defaults");
  cmd->add_flag("--no-audit", o->no_audit, "Do not write the audit log");
  cmd->add_option("--history", o->history,
                  "Pull requests in the audit log's sample history (0: none; 100000 for a console benchmark)")
      ->check(CLI::Range(0, 1000000))
      ->capture_default_str();
  cmd->callback([&run, o] { run = [o] { return run_demo(*o); }; });
}

}  // namespace reviewer
