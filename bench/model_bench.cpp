// Model layer overhead (issue 11). With an instant local OpenAI-compatible
// server: (1) the wall time the model step adds to a review, against the raw
// HTTP round trip of the same requests; (2) with a server that takes 200 ms
// per call, the model agents' calls overlap, so a review costs about the
// slowest call rather than the sum.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "model/fake_server.h"
#include "reviewer/model/model_review.h"
#include "reviewer/model/provider.h"
#include "reviewer/pipeline/review.h"

using namespace reviewer;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

Diff bench_diff() {
  Diff d;
  for (int f = 0; f < 20; ++f) {
    FileDiff fd;
    fd.old_path = fd.new_path = fmt::format("src/mod{}/file{}.cpp", f % 4, f);
    Hunk h;
    h.new_start = h.old_start = 1;
    h.new_lines = 30;
    std::vector<std::string> texts;
    for (int i = 1; i <= 30; ++i) texts.push_back(fmt::format("int v{} = compute({});", i, i));
    for (int i = 1; i <= 30; ++i) {
      h.lines.push_back({.origin = LineOrigin::added, .new_line = i, .content = texts[static_cast<std::size_t>(i - 1)]});
    }
    fd.additions = 30;
    fd.hunks.push_back(std::move(h));
    own_text(fd);
    d.files.push_back(std::move(fd));
  }
  return d;
}

}  // namespace

int main() {
  const int runs = 50;
  PullRequest pr;
  pr.title = "Refactor compute";
  pr.body = "Moves compute() calls into modules.";
  const Diff diff = bench_diff();

  test::FakeServer server;
  server.script({test::openai_text(R"({"findings":[]})")});
  model::ModelConfig cfg;
  model::ProviderConfig p;
  p.name = "local";
  p.base_url = server.base_url();
  p.model = "bench";
  p.timeout_ms = 5000;
  cfg.providers.push_back(p);
  cfg.budget.tokens_per_review = 10000000;
  auto pool = std::make_shared<model::ProviderPool>(cfg);

  // Raw round trips: the same two request bodies posted by the bare client.
  std::vector<double> raw, layer, review_without, review_with;
  auto provider = model::make_provider(p);
  const auto nonce = std::string("0123456789abcdef");
  for (int i = 0; i < runs + 5; ++i) {
    auto t0 = Clock::now();
    for (const auto& agent : model::model_agents()) {
      model::ChatRequest req;
      req.system = "s";
      req.messages.push_back({model::Message::Role::user, model::build_prompts(agent, pr, diff, nonce, 60000)[0], {}, {}});
      provider->chat(req);
    }
    if (i >= 5) raw.push_back(ms_since(t0) / 2);  // per call
    t0 = Clock::now();
    auto run = model::run_model_agents(pool, pr, diff, {});
    if (i >= 5) layer.push_back(ms_since(t0));
    t0 = Clock::now();
    review_change({pr, diff, load_guidance(), {}, "cli", Mode::dry_run, "", nullptr, {}});
    if (i >= 5) review_without.push_back(ms_since(t0));
    t0 = Clock::now();
    review_change({pr, diff, load_guidance(), {}, "cli", Mode::dry_run, "", pool, {}});
    if (i >= 5) review_with.push_back(ms_since(t0));
  }
  std::printf("instant server, %d runs, 20 files x 30 added lines, 2 model agents (medians):\n", runs);
  std::printf("  raw HTTP round trip per call (bare client, same body): %.2f ms\n", median(raw));
  std::printf("  model step (2 agents concurrently, prompts, validation): %.2f ms\n", median(layer));
  std::printf("  review without model: %.2f ms, with model: %.2f ms, added: %.2f ms\n", median(review_without),
              median(review_with), median(review_with) - median(review_without));

  // Parallelism: every call takes 200 ms at the server.
  test::FakeServer slow;
  auto slow_reply = test::openai_text(R"({"findings":[]})");
  slow_reply.delay_ms = 200;
  slow.script({slow_reply});
  model::ModelConfig scfg = cfg;
  scfg.providers[0].base_url = slow.base_url();
  auto slow_pool = std::make_shared<model::ProviderPool>(scfg);
  std::vector<double> concurrent, sequential;
  for (int i = 0; i < 5; ++i) {
    auto t0 = Clock::now();
    model::run_model_agents(slow_pool, pr, diff, {});
    concurrent.push_back(ms_since(t0));
    t0 = Clock::now();
    model::Router router(slow_pool);
    for (const auto& agent : model::model_agents()) model::model_review(router, agent, pr, diff, {});
    sequential.push_back(ms_since(t0));
  }
  std::printf("server taking 200 ms per call, 2 agents (medians of 5):\n");
  std::printf("  concurrent: %.1f ms, sequential: %.1f ms, ratio %.2f\n", median(concurrent), median(sequential),
              median(sequential) / median(concurrent));
  return 0;
}
