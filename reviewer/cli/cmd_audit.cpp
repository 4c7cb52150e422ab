// `reviewer audit verify | checkpoint | query SQL | export | migrate`:
// auditors' access to the log. Everything here but `migrate` (which writes
// only its target) opens the database read-only. `serve` and `token-hash`
// (the console) are in cmd_audit_serve.cpp.
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "audit/copy.h"
#include "audit/query.h"
#include "audit/store.h"
#include "audit/verify.h"
#include "reviewer/cli/cli.h"
#include "reviewer/core/error.h"
#include "reviewer/server/queue.h"
#include "storage/postgres.h"

namespace reviewer {

namespace {

struct AuditOptions {
  std::string db;
  std::string database_url;
  std::string from, to;
  std::string sql;
  std::string query_format = "table";
  std::string export_format = "json";
  std::string since, until;
  std::vector<std::string> checkpoint_files;
  std::string path() const { return db.empty() ? default_audit_db() : db; }
  std::string location() const { return audit_location(db, database_url); }
};

audit::Format format_of(const std::string& name) {
  auto f = audit::parse_format(name);
  if (!f) throw Error(Error::Code::usage, fmt::format("unknown --format '{}'", name));
  return *f;
}

int run_verify(const AuditOptions& o) {
  std::vector<audit::Checkpoint> checkpoints;
  for (const auto& file : o.checkpoint_files) {
    std::ifstream in(file);
    if (!in) throw Error(Error::Code::usage, fmt::format("cannot read checkpoint file '{}'", file));
    std::string line;
    while (std::getline(in, line)) {
      if (auto c = audit::Checkpoint::parse(line)) checkpoints.push_back(*c);
    }
  }
  auto r = audit::verify_location(o.location(), checkpoints);
  fmt::print("{}\n", r.message);
  return r.exit_code();
}

void add_db_option(CLI::App* cmd, AuditOptions& o) {
  auto* db = cmd->add_option("--db", o.db, "Audit database file (default: $REVIEWER_DATABASE_URL, else "
                                           "$REVIEWER_DATA_DIR/audit.db, else ~/.local/share/reviewer/audit.db)");
  cmd->add_option("--database-url", o.database_url, "Audit log on PostgreSQL (postgresql://…)")->excludes(db);
}

int run_migrate(const AuditOptions& o) {
  if (o.from.empty()) {
    // The owner's set-up step: every table the instances use, so that they
    // can run as a role that may not create or alter any (README,
    // "Several instances on PostgreSQL").
    if (!storage::is_postgres_url(o.to)) {
      throw Error(Error::Code::usage, fmt::format("--to must be a postgresql:// URL, not '{}'", storage::redact_url(o.to)));
    }
    audit::AuditStore::open_url(o.to);
    server::JobQueue::open_postgres(o.to, {});
    fmt::print("{}: the audit log's and the queue's tables are at this build's schema\n", storage::redact_url(o.to));
    return 0;
  }
  if (!o.from.starts_with("sqlite:")) {
    throw Error(Error::Code::usage, fmt::format("--from must be sqlite:PATH, not '{}'", o.from));
  }
  if (!storage::is_postgres_url(o.to)) {
    throw Error(Error::Code::usage, fmt::format("--to must be a postgresql:// URL, not '{}'", storage::redact_url(o.to)));
  }
  auto copied = audit::copy_log(o.from.substr(7), o.to);
  fmt::print("copied {} rows; head {}\n", copied.rows, copied.head_hash);
  auto r = audit::verify_location(o.to);
  fmt::print("{}\n", r.message);
  return r.exit_code();
}

}  // namespace

void add_audit_command(CLI::App& app, Action& run) {
  auto o = std::make_shared<AuditOptions>();
  auto* cmd = app.add_subcommand("audit", "Verify, query, export and serve the audit log (read-only); copy it to PostgreSQL");
  cmd->require_subcommand(1);

  auto* verify = cmd->add_subcommand(
      "verify", "Re-compute the hash chain; exit 2 naming the first edited, inserted or removed row");
  add_db_option(verify, *o);
  verify->add_option("--checkpoint", o->checkpoint_files,
                     "File of checkpoint lines kept elsewhere, to detect a rewritten or cut log (repeatable)");
  verify->callback([&run, o] { run = [o] { return run_verify(*o); }; });

  auto* checkpoint = cmd->add_subcommand(
      "checkpoint", "Print the log's checkpoint line (row count + head hash) to store elsewhere");
  add_db_option(checkpoint, *o);
  checkpoint->callback([&run, o] {
    run = [o] {
      fmt::print("{}\n", audit::checkpoint_location(o->location()).to_line());
      return 0;
    };
  });

  auto* query = cmd->add_subcommand("query", "Run one read-only SQL statement and print the rows");
  query->add_option("SQL", o->sql, "SELECT, WITH or a read-only PRAGMA; writes and ATTACH are refused")
      ->required();
  query->add_option("--format", o->query_format, "Output: table, csv or json")->capture_default_str();
  add_db_option(query, *o);
  query->callback([&run, o] {
    run = [o] {
      audit::query_location(o->location(), o->sql, format_of(o->query_format), std::cout);
      return 0;
    };
  });

  auto* exp = cmd->add_subcommand("export", "Write all evidence recorded in a period, chain columns included");
  exp->add_option("--since", o->since, "Start date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)")->required();
  exp->add_option("--until", o->until, "End date, inclusive (default: now)");
  exp->add_option("--format", o->export_format, "Output: csv or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"csv", "json"}));
  add_db_option(exp, *o);
  exp->callback([&run, o] {
    run = [o] {
      audit::export_location(o->location(), o->since, o->until, format_of(o->export_format), std::cout);
      return 0;
    };
  });

  auto* migrate = cmd->add_subcommand(
      "migrate", "Create or update the tables of a PostgreSQL database (the audit log's and the queue's); with "
                 "--from, also copy an SQLite log with its chain into it, then verify the copy");
  migrate->add_option("--from", o->from, "sqlite:PATH of the log to copy (read-only)");
  migrate->add_option("--to", o->to, "postgresql://… of the target database (migrated, must hold no rows)")
      ->required();
  migrate->callback([&run, o] { run = [o] { return run_migrate(*o); }; });

  add_audit_console_commands(*cmd, run);
}

}  // namespace reviewer
