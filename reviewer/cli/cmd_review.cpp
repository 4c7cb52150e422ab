// `reviewer review`: reviews a range of a local repository and prints the
// verdict. Exit codes: 0 approve or comment, 2 request_changes,
// 3 needs_human, 1 usage or runtime error.
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "audit/store.h"
#include "reviewer/cli/cli.h"
#include "reviewer/core/error.h"
#include "reviewer/model/config.h"
#include "reviewer/pipeline/review.h"
#include "reviewer/report/render.h"
#include "subagents/safety/scanner.h"

namespace reviewer {

namespace {

struct ReviewOptions {
  std::string repo = ".";
  std::string base;
  std::string head = "HEAD";
  std::string title;
  std::string body;
  std::string body_file;
  std::string format = "text";
  std::vector<std::string> guidance;
  std::string audit_db;
  bool no_audit = false;
  std::string model_config;
};

std::string read_body_file(const std::string& path) {
  if (path == "-") return std::string(std::istreambuf_iterator<char>(std::cin), {});
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw Error(Error::Code::usage, fmt::format("cannot read --body-file '{}'", path));
  std::string s;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  std::fclose(f);
  return s;
}

int run_review(const ReviewOptions& o, CLI::App* cmd) {
  // One review, then the process ends: its PR-text patterns need not stay
  // compiled in the rule set (scanner.h).
  safety::set_one_review_per_process(true);
  auto format = parse_format(o.format);
  if (!format) throw Error(Error::Code::usage, fmt::format("unknown --format '{}'", o.format));

  ReviewRequest req;
  req.repo = o.repo;
  req.base = o.base;
  req.head = o.head;
  if (cmd->count("--title")) req.title = o.title;
  if (cmd->count("--body")) req.body = o.body;
  if (!o.body_file.empty()) req.body = read_body_file(o.body_file);
  for (const auto& g : o.guidance) req.guidance_dirs.emplace_back(g);
  if (!o.model_config.empty()) {
    req.model = std::make_shared<const model::ModelConfig>(model::load_model_config(o.model_config));
  }

  req.refresh_history = true;
  req.on_history_refresh = [](const HistoryRefresh& r) {
    // Said only when it cost time: a first index of a large repository.
    if (r.seconds >= 2) {
      std::fprintf(stderr, "history index: %zu commits indexed in %.1f s (kept in the git directory's reviewer-history/; "
                   "later reviews only add new commits)\n", r.added, r.seconds);
    }
  };
  ReviewResult result = review_repository(req);
  std::string out = render(result, *format);
  // Audit first: if the decision cannot be recorded, nothing is printed as
  // if it had been.
  if (!o.no_audit) {
    auto store = audit::AuditStore::open(o.audit_db.empty() ? default_audit_db() : o.audit_db);
    store->record_review(result);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return exit_code(result.decision.kind);
}

}  // namespace

void add_review_command(CLI::App& app, Action& run) {
  auto o = std::make_shared<ReviewOptions>();
  auto* cmd = app.add_subcommand(
      "review",
      "Review a branch of a local repository (GitHub's three-dot diff from the merge base) and print "
      "the verdict. Exit 0 approve/comment, 2 request_changes, 3 needs_human, 1 error. A change above the "
      "guidance's thresholds.partial_review (default 50,000 changed lines or 50 MB) is read whole by safety and "
      "size; the logic agent then checks part of it and says so (\"partial\"), and the run cannot approve. "
      "Files past 256 MB of diff (lines and bytes, whole review) are not read, and the run needs a person.");
  cmd->add_option("--repo", o->repo, "Repository to review: a work tree or a bare repository")
      ->capture_default_str();
  cmd->add_option("--base", o->base,
                  "Base revision (default: the repository's default branch: origin/HEAD, main, master)");
  cmd->add_option("--head", o->head, "Head revision to review")->capture_default_str();
  cmd->add_option("--title", o->title, "Pull request title (default: the head commit's summary)");
  auto* body = cmd->add_option("--body", o->body,
                               "Pull request description (default: the head commit's message body)");
  cmd->add_option("--body-file", o->body_file, "Read the description from a file ('-' for stdin)")
      ->excludes(body);
  cmd->add_option("--format", o->format, "Output: text, json, sarif or markdown")
      ->check(CLI::IsMember({"text", "json", "sarif", "markdown"}))
      ->capture_default_str();
  cmd->add_option("--guidance", o->guidance,
                  "Guidance directory layered over the shipped defaults (repeatable; later wins)");
  auto* db = cmd->add_option("--audit-db", o->audit_db,
                             "Audit database (default: $REVIEWER_DATA_DIR/audit.db, else "
                             "~/.local/share/reviewer/audit.db)");
  cmd->add_option("--model-config", o->model_config,
                  "Model providers YAML (optional): model-backed findings are added to the rules' findings");
  cmd->add_flag("--no-audit", o->no_audit, "Do not write the audit log")->excludes(db);
  cmd->callback([&run, o, cmd] { run = [o, cmd] { return run_review(*o, cmd); }; });
}

}  // namespace reviewer
