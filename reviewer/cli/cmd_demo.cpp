// `reviewer demo`: builds a demo repository with three sample pull requests,
// reviews each with the real pipeline, records them in the audit log and
// prints each verdict.
#include <cstdlib>
#include <filesystem>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "audit/store.h"
#include "reviewer/cli/cli.h"
#include "reviewer/cli/demo_repo.h"
#include "reviewer/core/error.h"
#include "reviewer/pipeline/review.h"
#include "reviewer/report/render.h"

namespace reviewer {

namespace {

struct DemoOptions {
  std::string dir;
  std::string format = "text";
  std::vector<std::string> guidance;
  bool no_audit = false;
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
  return 0;
}

}  // namespace

void add_demo_command(CLI::App& app, Action& run) {
  auto o = std::make_shared<DemoOptions>();
  auto* cmd = app.add_subcommand(
      "demo", "Build a demo repository with three sample pull requests, review each, and print the verdicts");
  cmd->add_option("--dir", o->dir, "New or empty directory for the demo repository and its audit log "
                                   "(default: a fresh temporary directory)");
  cmd->add_option("--format", o->format, "Output: text, json, sarif or markdown")
      ->check(CLI::IsMember({"text", "json", "sarif", "markdown"}))
      ->capture_default_str();
  cmd->add_option("--guidance", o->guidance, "Guidance directory layered over the shipped defaults");
  cmd->add_flag("--no-audit", o->no_audit, "Do not write the audit log");
  cmd->callback([&run, o] { run = [o] { return run_demo(*o); }; });
}

}  // namespace reviewer
