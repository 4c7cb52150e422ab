#include "reviewer/pipeline/runner.h"

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>

#include "reviewer/core/error.h"

namespace reviewer {

namespace {

std::atomic<bool> g_abandoned{false};

using Clock = std::chrono::steady_clock;

long ms_since(Clock::time_point t0) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count());
}

struct Outcome {
  std::vector<Finding> findings;
  std::optional<Risk> risk;
  std::string error;  // non-empty when the agent threw
  bool timed_out = false;  // it threw Error::Code::timeout: it saw its deadline pass
  long duration_ms = 0;
};

// Content of the new-side line `line` of `path`, or nullptr.
const std::string* line_content(const Diff& diff, const std::string& path, int line) {
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

bool agents_abandoned() { return g_abandoned.load(); }

void assign_finding_ids(std::vector<AgentReport>& reports, const Diff& diff) {
  std::unordered_map<std::string, int> seen;
  for (auto& r : reports) {
    for (auto& f : r.findings) {
      if (f.id.empty()) {
        const std::string* content = f.line > 0 ? line_content(diff, f.path, f.line) : nullptr;
        f.id = make_finding_id(f.rule, f.path, content ? *content : f.message);
      }
      int n = ++seen[f.id];
      if (n > 1) f.id += fmt::format("-{}", n);
    }
  }
}

std::vector<AgentReport> run_agents(const std::vector<std::shared_ptr<const Agent>>& agents,
                                    std::shared_ptr<const AgentContext> ctx) {
  struct Running {
    std::shared_ptr<const Agent> agent;
    std::future<Outcome> result;
    Clock::time_point deadline;
  };
  const auto t0 = Clock::now();
  std::vector<Running> running;
  running.reserve(agents.size());
  for (const auto& agent : agents) {
    std::promise<Outcome> promise;
    Running r{agent, promise.get_future(),
              t0 + std::chrono::milliseconds(ctx->guidance.deadline_ms(agent->name()))};
    // Detached so a hung agent cannot hold the review hostage; the shared
    // pointers keep what it reads alive until it returns.
    std::thread([agent, ctx, t0, p = std::move(promise)]() mutable {
      Outcome o;
      try {
        AgentOutput out = agent->assess(*ctx);
        o.findings = std::move(out.findings);
        o.risk = std::move(out.risk);
      } catch (const Error& e) {
        o.error = e.what();
        o.timed_out = e.code() == Error::Code::timeout;
      } catch (const std::exception& e) {
        o.error = e.what();
      } catch (...) {
        o.error = "unknown exception";
      }
      o.duration_ms = ms_since(t0);
      p.set_value(std::move(o));
    }).detach();
    running.push_back(std::move(r));
  }

  std::vector<AgentReport> reports;
  for (auto& r : running) {
    AgentReport rep;
    rep.name = std::string(r.agent->name());
    if (r.result.wait_until(r.deadline) == std::future_status::ready) {
      Outcome o = r.result.get();
      rep.duration_ms = o.duration_ms;
      if (o.error.empty()) {
        rep.status = AgentStatus::ok;
        rep.findings = std::move(o.findings);
        rep.risk = std::move(o.risk);
      } else {
        rep.status = o.timed_out ? AgentStatus::timed_out : AgentStatus::failed;
        rep.error = o.error;
      }
    } else {
      g_abandoned = true;
      rep.status = AgentStatus::timed_out;
      rep.error = fmt::format("no answer within {} ms", ctx->guidance.deadline_ms(rep.name));
      rep.duration_ms = ms_since(t0);
    }
    reports.push_back(std::move(rep));
  }
  assign_finding_ids(reports, ctx->diff);
  return reports;
}

}  // namespace reviewer
