// `reviewer serve`: runs the webhook service until SIGTERM or SIGINT, then
// stops gracefully within the configured grace period.
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>

#include <CLI/CLI.hpp>

#include "audit/store.h"
#include "reviewer/cli/cli.h"
#include "reviewer/core/error.h"
#include "reviewer/model/config.h"
#include "reviewer/server/dead_letters.h"
#include "reviewer/server/log.h"
#include "reviewer/server/review_handler.h"
#include "reviewer/server/server.h"
#include "reviewer/server/settings.h"

namespace reviewer {

namespace {

int run_serve(const std::string& config) {
  using namespace reviewer::server;
  std::optional<std::filesystem::path> file;
  if (!config.empty()) file = config;
  ServeSettings settings = load_settings(file, process_environment());
  if (settings.mode != "dry-run") {
    throw Error(Error::Code::usage,
                "REVIEWER_MODE: '" + settings.mode +
                    "' needs the GitHub integration, which this build does not include; use dry-run");
  }
  // Block the stop signals in every thread; this one waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  JsonLog log(stderr);
  std::error_code ec;
  std::filesystem::create_directories(settings.data_dir, ec);
  std::shared_ptr<audit::AuditStore> store = audit::AuditStore::open(settings.audit_db());
  ReviewHandlerOptions ho;
  ho.mirrors_dir = settings.mirrors_dir();
  // Invalid guidance stops the start (file:line:col); later edits are
  // re-read, and a broken edit keeps the last good version.
  ho.guidance = std::make_shared<GuidanceWatcher>(
      settings.guidance_dir ? std::vector<std::filesystem::path>{*settings.guidance_dir}
                            : std::vector<std::filesystem::path>{});
  if (settings.model_config) {
    ho.model_pool = std::make_shared<model::ProviderPool>(model::load_model_config(*settings.model_config));
  }
  ho.mode = settings.mode;
  Server server(
      settings, [&](JsonLog& l, Metrics& m) { return make_dry_run_handler(ho, store, l, m); }, log,
      audit_dead_letter_sink(store));
  server.start();
  int sig = 0;
  sigwait(&stop_signals, &sig);
  log.info("signal", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  int released = server.stop();
  std::fflush(stderr);
  // Released jobs' threads may still be inside a review: leave without
  // running destructors they could race with.
  if (released > 0) std::_Exit(0);
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, Action& run) {
  auto* cmd = app.add_subcommand(
      "serve", "Receive GitHub webhooks durably and review pull requests (settings: REVIEWER_* variables)");
  auto config = std::make_shared<std::string>();
  cmd->add_option("--config", *config, "YAML or JSON settings file (environment variables override it)");
  cmd->callback([&run, config] { run = [config] { return run_serve(*config); }; });
}

}  // namespace reviewer
