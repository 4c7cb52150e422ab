// `reviewer guidance check [DIR]`: validates guidance before it goes live.
// `reviewer guidance stats`: per rule, fired / helpful / unhelpful /
// reverted, noisiest first, from the audit log (read-only).
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "audit/rule_stats.h"
#include "guidance/guidance.h"
#include "reviewer/cli/cli.h"
#include "reviewer/core/error.h"
#include "subagents/agent.h"

namespace reviewer {

namespace {

int run_check(const std::string& dir) {
  std::vector<std::string> errors;
  int files = 0;
  Guidance merged;
  if (dir.empty()) {
    merged = load_guidance();  // the shipped defaults
    files = static_cast<int>(merged.sources.size());
  } else {
    errors = check_guidance_dir(dir, &files);
    if (errors.empty()) merged = load_guidance({dir});
  }
  if (errors.empty()) {
    // Each agent checks the section it owns (rules, patterns, vocabularies).
    for (const auto& agent : make_agents()) {
      try {
        agent->check_guidance(merged);
      } catch (const Error& e) {
        errors.push_back(fmt::format("{}: {}", dir.empty() ? "<default>" : dir, e.what()));
      }
    }
  }
  for (const auto& e : errors) fmt::print(stderr, "{}\n", e);
  if (!errors.empty()) {
    fmt::print(stderr, "reviewer: guidance check failed: {} error{}\n", errors.size(),
               errors.size() == 1 ? "" : "s");
    return 1;
  }
  fmt::print("ok: {} file{} checked over the shipped defaults; guidance version {}\n", files,
             files == 1 ? "" : "s", merged.version);
  return 0;
}

}  // namespace

void add_guidance_command(CLI::App& app, Action& run) {
  auto* cmd = app.add_subcommand("guidance", "Work with guidance (policy-as-code)");
  cmd->require_subcommand(1);
  auto dir = std::make_shared<std::string>();
  auto* check = cmd->add_subcommand(
      "check", "Validate every guidance file of DIR (default: the shipped defaults); exit 1 on any error");
  check->add_option("DIR", *dir, "Guidance directory");
  check->callback([&run, dir] { run = [dir] { return run_check(*dir); }; });

  struct StatsOptions {
    std::string db, database_url, format = "table";
  };
  auto so = std::make_shared<StatsOptions>();
  auto* stats = cmd->add_subcommand(
      "stats", "Per rule: findings, helpful and unhelpful votes, later-reverted PRs; noisiest first");
  auto* db = stats->add_option("--db,--audit-db", so->db,
                               "Audit database file (default: $REVIEWER_DATABASE_URL, else "
                               "$REVIEWER_DATA_DIR/audit.db, else ~/.local/share/reviewer/audit.db)");
  stats->add_option("--database-url", so->database_url,
                    "Audit log on PostgreSQL (postgresql://…), read as an auditor role as by `audit query`")
      ->excludes(db);
  stats->add_option("--format", so->format, "table (default), csv or json");
  stats->callback([&run, so] {
    run = [so] {
      auto format = audit::parse_format(so->format);
      if (!format) throw Error(Error::Code::usage, fmt::format("unknown --format '{}' (table, csv or json)", so->format));
      audit::rule_stats(audit_location(so->db, so->database_url), *format, std::cout);
      return 0;
    };
  });
}

}  // namespace reviewer
