// The command line: subcommands, help, and the one place errors become
// "reviewer: error: <message>" and an exit code.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace CLI { class App; }

namespace reviewer {

// Parses argv, runs the chosen subcommand, returns the process exit code.
int run_cli(int argc, char** argv);

// What run_cli runs once the command line is parsed, before any command
// but `serve` starts, with the command's name: set by the `reviewer`
// executable to put tcmalloc's heap in huge pages (huge_page_heap.h);
// returns why not, or "" when applied. Unset in the tests, which use
// glibc's malloc.
void set_heap_setup(std::string (*setup)(std::string_view command));

// Each subcommand file adds its CLI11 subcommand to `app` and sets `run`
// to the action to perform if that subcommand is chosen.
using Action = std::function<int()>;
void add_review_command(CLI::App& app, Action& run);
void add_demo_command(CLI::App& app, Action& run);
void add_guidance_command(CLI::App& app, Action& run);
void add_audit_command(CLI::App& app, Action& run);
void add_simulate_command(CLI::App& app, Action& run);
void add_serve_command(CLI::App& app, Action& run);
void add_risk_command(CLI::App& app, Action& run);
// `audit serve` and `audit token-hash`, added to the `audit` subcommand.
void add_audit_console_commands(CLI::App& audit, Action& run);

// Where the audit database goes when no --audit-db is given:
// $REVIEWER_DATA_DIR/audit.db, else $XDG_DATA_HOME/reviewer/audit.db, else
// ~/.local/share/reviewer/audit.db.
std::string default_audit_db();

// The audit log a command reads: `database_url` (which must be a
// postgresql:// URL: Error(usage) otherwise), else `db`, else
// $REVIEWER_DATABASE_URL, else default_audit_db().
std::string audit_location(const std::string& db, const std::string& database_url);

}  // namespace reviewer
