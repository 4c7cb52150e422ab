// `reviewer serve`: runs the webhook service until SIGTERM or SIGINT, then
// stops gracefully within the configured grace period.
#include <signal.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>

#include <CLI/CLI.hpp>

#include "audit/store.h"
#include "reviewer/app/access.h"
#include "reviewer/app/handler.h"
#include "reviewer/server/serve_options.h"
#include "reviewer/cli/cli.h"
#include "reviewer/core/error.h"
#include "reviewer/core/private_files.h"
#include "reviewer/server/dead_letters.h"
#include "reviewer/app/log.h"
#include "reviewer/server/server.h"
#include "reviewer/server/settings.h"

namespace reviewer {

namespace {

int run_serve(const std::string& config) {
  using namespace reviewer::server;
  std::optional<std::filesystem::path> file;
  if (!config.empty()) file = config;
  // Refuses shadow/active without GitHub credentials, naming the variables.
  ServeSettings settings = load_settings(file, process_environment());
  // Block the stop signals in every thread; this one waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  app::JsonLog log(stderr);
  // Everything serve writes (queue, audit log, mirrors, bodies, caches,
  // whatever a library creates) is for this user only.
  ::umask(077);
  create_private_directories(settings.data_dir);
  std::shared_ptr<audit::AuditStore> store = audit::AuditStore::open_location(settings.audit_location());
  app::AppHandlerOptions options;
  Server server(
      settings, [&](app::JsonLog& l, Metrics& m) { return app::make_github_handler(options, store, l, m); }, log,
      audit_dead_letter_sink(store));
  // Reads the App key, the guidance and the model config now: a bad one
  // stops serve here (later guidance edits are re-read; a broken edit keeps
  // the last good version).
  options = server::handler_options(settings, &log, &server.metrics());
  log.info("github", {{"mode", std::string(to_string(settings.mode))},
                      {"credentials", !options.access ? "none (local mirrors only)"
                                      : options.access->is_app() ? "app" : "token"},
                      {"api_url", settings.github_api_url}});
  server.start();
  int sig = 0;
  sigwait(&stop_signals, &sig);
  log.info("signal", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  // Jobs still running past the grace period are released and their
  // handlers stopped and joined: nothing runs on once this returns.
  server.stop();
  std::fflush(stderr);
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, Action& run) {
  auto* cmd = app.add_subcommand(
      "serve",
      "Receive GitHub webhooks durably, review pull requests and post the reviews (settings: REVIEWER_* and "
      "GITHUB_* variables)");
  cmd->footer(
      "Modes (REVIEWER_MODE): dry-run (default) posts nothing; shadow posts comment-only reviews; active posts\n"
      "reviews, labels and the check run `reviewer`, approving only where guidance auto_approve allows.\n"
      "shadow and active need GitHub credentials: GITHUB_APP_ID + GITHUB_APP_PRIVATE_KEY_FILE (a GitHub App)\n"
      "or GITHUB_TOKEN; GITHUB_API_URL for GitHub Enterprise Server (REVIEWER_GITHUB_MUTATION_INTERVAL_MS,\n"
      "1000: the least time between two posts of one client). Required: REVIEWER_WEBHOOK_SECRET or\n"
      "REVIEWER_WEBHOOK_SECRET_FILE. Others: REVIEWER_LISTEN, REVIEWER_DATA_DIR, REVIEWER_DATABASE_URL\n"
      "(postgresql://: queue and audit log on PostgreSQL, shared by several instances), REVIEWER_WORKERS,\n"
      "REVIEWER_GUIDANCE_DIR, REVIEWER_MODEL_CONFIG (see reviewer/server/README.md).\n"
      "Retention: REVIEWER_DELIVERY_RETENTION_DAYS (3; raw bodies older are deleted, then finished jobs\n"
      "and their deliveries, those never before 3 days: GitHub's redelivery window), REVIEWER_DEAD_LETTER_RETENTION_DAYS (0: dead\n"
      "letters are kept; N: those already in the audit log are deleted from the queue after N days).\n"
      "HTTP limits (what an unsigned client can cost): REVIEWER_HTTP_THREADS (I/O threads, 2),\n"
      "REVIEWER_MAX_BODY_BYTES (25 MB + 64 KB; a larger Content-Length gets 413 before the body is read),\n"
      "REVIEWER_MAX_BODY_MEMORY_BYTES (64 MB; the bodies being read, together: past it the request read\n"
      "longest is closed), REVIEWER_MAX_HEADER_BYTES (65536; 431), REVIEWER_MAX_CONNECTIONS (1024; the oldest\n"
      "idle connection, else the request read longest, is closed to make room, else 503),\n"
      "REVIEWER_HEADER_TIMEOUT_MS (10000), REVIEWER_BODY_TIMEOUT_MS (10000: a body's grace, then it must keep\n"
      "up REVIEWER_MIN_BODY_RATE, 262144 bytes/s, on average), REVIEWER_IDLE_TIMEOUT_MS (15000).");
  auto config = std::make_shared<std::string>();
  cmd->add_option("--config", *config, "YAML or JSON settings file (environment variables override it)");
  cmd->callback([&run, config] { run = [config] { return run_serve(*config); }; });
}

}  // namespace reviewer
