#include "reviewer/app/commands_hook.h"

#include <fmt/format.h>

#include "audit/store.h"
#include "reviewer/app/access.h"
#include "reviewer/app/check_suite.h"
#include "reviewer/commands/codeowners.h"
#include "reviewer/commands/events.h"
#include "reviewer/commands/state.h"
#include "reviewer/core/error.h"
#include "reviewer/git/mirror.h"
#include "reviewer/git/repository.h"
#include "reviewer/github/pull_request.h"
#include "reviewer/github/webhook.h"
#include "reviewer/app/log.h"

namespace reviewer::app {

namespace {


commands::CommandOptions command_options(const std::filesystem::path& data_dir, const git::FetchOptions& fetch,
                                         JobContext& ctx) {
  commands::CommandOptions c;
  c.bot_login = ctx.access ? ctx.access->bot_login() : std::string();
  c.mode = ctx.mode;
  c.app = ctx.access && ctx.access->is_app();
  // CODEOWNERS from the base commit: fetch the mirror (base branch and the
  // PR), then read it with libgit2. Never the PR's head.
  GitHubAccess* access = ctx.access;
  const std::int64_t installation = github::installation_of(ctx.payload);
  const std::string url = github::clone_url_of(ctx.payload);
  c.codeowners = [data_dir, fetch, access, installation, url](const github::PullInfo& pr) -> std::optional<std::string> {
    git::Mirror mirror(data_dir, pr.full_name(), url);
    git::FetchOptions fo = fetch;
    if (access) fo.password = access->git_password(installation, url);
    mirror.fetch_pull(pr.pr.base_ref, pr.pr.number, fo);
    return commands::read_codeowners(git::Repository::open(mirror.path()), pr.base_tip_sha);
  };
  c.log = [&ctx](const std::string& m) {
    ctx.log.info("commands", {{"delivery_id", ctx.job.delivery_id}, {"message", m}});
  };
  return c;
}

}  // namespace

void install_commands(AppHandlerOptions& options) {
  KindHandler run = [data_dir = options.data_dir, fetch = options.fetch](JobContext& ctx) -> JobResult {
    if (!ctx.client || !ctx.audit) {
      return {JobResult::Status::done,
              fmt::format("{} recorded; commands need GitHub credentials and the audit log", ctx.job.event), {}};
    }
    commands::CommandContext cc{*ctx.client, *ctx.audit, command_options(data_dir, fetch, ctx)};
    commands::Outcome out = commands::handle_event(cc, ctx.job.event, ctx.payload);
    std::string detail = out.summary().empty() ? "nothing to do" : out.summary();
    if (!out.rerun) return {JobResult::Status::done, detail, {}};
    ReviewTarget t;
    auto slash = out.rerun->repository.find('/');
    t.owner = out.rerun->repository.substr(0, slash);
    t.repo = out.rerun->repository.substr(slash + 1);
    t.number = out.rerun->number;
    t.installation_id = github::installation_of(ctx.payload);
    t.clone_url = github::clone_url_of(ctx.payload);
    t.trigger = "command";
    t.pull = github::fetch_pull(*ctx.client, t.owner, t.repo, t.number);  // the head prepare() judges
    JobResult r = ctx.review(std::move(t));
    r.detail = detail + "; " + r.detail;
    return r;
  };
  for (const char* kind : {"comment", "review_state", "pull_request"}) options.kinds[kind] = run;
  options.kinds["check_suite"] = handle_check_suite;  // test results as evidence

  options.prepare = [prev = options.prepare](ReviewTarget& t, JobContext& ctx) {
    if (prev) prev(t, ctx);
    if (!ctx.audit) return;
    if (ctx.client && ctx.job.event == "pull_request") {
      commands::CommandContext cc{*ctx.client, *ctx.audit, {}};
      cc.options.mode = ctx.mode;
      commands::handle_pull_request(cc, ctx.payload);  // opened, pushed, ready_for_review, reopened
    }
    auto h = ctx.audit->history(t.full_name(), t.number);
    t.human_review_override = t.human_review_override || commands::human_review_required(h);
    // Only the head this target names: review_flow drops it if the head moves.
    t.human_approved_head = t.pull && commands::human_approved_head(h, t.pull->pr.head_sha);
  };
}

}  // namespace reviewer::app
