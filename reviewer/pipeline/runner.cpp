#include "reviewer/pipeline/runner.h"

#include <chrono>
#include <future>
#include <map>
#include <stop_token>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>

#include "reviewer/core/error.h"

namespace reviewer {

namespace {

using Clock = std::chrono::steady_clock;

long ms_since(Clock::time_point t0) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count());
}

struct Outcome {
  std::vector<Finding> findings;
  std::optional<Risk> risk;
  std::string partial;
  std::string error;  // non-empty when the agent threw
  bool timed_out = false;  // it threw Error::Code::timeout: it saw its deadline pass
  long duration_ms = 0;
};

// Content of the new-side line `line` of `path`, or nullptr.
const std::string_view* line_content(const Diff& diff, const std::string& path, int line) {
  for (const auto& f : diff.files) {
    if (f.path() != path) continue;
    for (const auto& h : f.hunks) {
      if (line < h.new_start || line >= h.new_start + std::max(h.new_lines, 1)) continue;
      for (const auto& l : h.lines) {
        if (l.new_line == line) return &l.content;
      }
    }
  }
  return nullptr;
}

}  // namespace

void assign_finding_ids(std::vector<AgentReport>& reports, const Diff& diff) {
  std::unordered_map<std::string, int> seen;
  for (auto& r : reports) {
    for (auto& f : r.findings) {
      if (f.id.empty()) {
        const std::string_view* content = f.line > 0 ? line_content(diff, f.path, f.line) : nullptr;
        f.id = make_finding_id(f.rule, f.path, content ? *content : f.message);
      }
      int n = ++seen[f.id];
      if (n > 1) f.id += fmt::format("-{}", n);
    }
  }
}

namespace {

// One agent on the pool: its deadline and where its answer lands.
struct Running {
  std::shared_ptr<const Agent> agent;
  Clock::time_point deadline;
  std::future<Outcome> result;
};

Outcome assess(const Agent& agent, const AgentContext& ctx, Clock::time_point t0, Clock::time_point deadline) {
  Outcome o;
  try {
    AgentOutput out = agent.assess(ctx);
    o.findings = std::move(out.findings);
    o.risk = std::move(out.risk);
    o.partial = std::move(out.partial);
  } catch (const Error& e) {
    o.error = e.what();
    o.timed_out = e.code() == Error::Code::timeout;
  } catch (const std::exception& e) {
    o.error = e.what();
  } catch (...) {
    o.error = "unknown exception";
  }
  // Whatever it threw after its deadline, the deadline is why it stopped.
  if (!o.error.empty() && (Clock::now() >= deadline || ctx.deadline.stop.stop_requested())) o.timed_out = true;
  o.duration_ms = ms_since(t0);
  return o;
}

AgentReport report_of(Running& r, long deadline_ms, Clock::time_point t0) {
  AgentReport rep;
  rep.name = std::string(r.agent->name());
  if (r.result.wait_until(r.deadline) != std::future_status::ready) {
    rep.status = AgentStatus::timed_out;
    rep.error = fmt::format("no answer within {} ms", deadline_ms);
    rep.duration_ms = ms_since(t0);
    return rep;
  }
  Outcome o = r.result.get();
  rep.duration_ms = o.duration_ms;
  if (o.error.empty()) {
    rep.status = AgentStatus::ok;
    rep.findings = std::move(o.findings);
    rep.risk = std::move(o.risk);
    rep.partial = std::move(o.partial);
  } else {
    rep.status = o.timed_out ? AgentStatus::timed_out : AgentStatus::failed;
    rep.error = o.error;
  }
  return rep;
}

}  // namespace

std::vector<AgentReport> run_agents(const std::vector<std::shared_ptr<const Agent>>& agents, AgentContext& ctx) {
  const auto t0 = Clock::now();
  std::stop_source stop;
  // A stop asked by the caller (serve shutting down) reaches the agents too.
  std::stop_callback forward(ctx.deadline.stop, [&stop] { stop.request_stop(); });
  ctx.deadline.stop = stop.get_token();
  std::vector<Running> running;
  running.reserve(agents.size());
  std::vector<std::jthread> pool;
  pool.reserve(agents.size());
  for (const auto& agent : agents) {
    const auto deadline = t0 + std::chrono::milliseconds(ctx.guidance.deadline_ms(agent->name()));
    std::packaged_task<Outcome()> task(
        [&a = *agent, &ctx, t0, deadline] { return assess(a, ctx, t0, deadline); });
    running.push_back({agent, deadline, task.get_future()});
    pool.emplace_back(std::move(task));
  }

  std::vector<AgentReport> reports;
  for (auto& r : running) reports.push_back(report_of(r, ctx.guidance.deadline_ms(r.agent->name()), t0));
  // Late agents see the stop at their next check; joined before returning.
  stop.request_stop();
  for (auto& t : pool) t.join();
  assign_finding_ids(reports, ctx.diff);
  return reports;
}

}  // namespace reviewer
