#include "reviewer/core/metrics.h"

#include <fmt/format.h>

#include "reviewer/core/error.h"

namespace reviewer {

namespace {

std::string escape_label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string label_text(const Labels& labels, const std::string& extra = {}) {
  std::string out;
  for (const auto& [k, v] : labels) {
    out += out.empty() ? "{" : ",";
    out += fmt::format("{}=\"{}\"", k, escape_label(v));
  }
  if (!extra.empty()) out += (out.empty() ? "{" : ",") + extra;
  if (!out.empty()) out += "}";
  return out;
}

std::string number(double v) {
  if (v == static_cast<double>(static_cast<long long>(v))) return fmt::format("{}", static_cast<long long>(v));
  return fmt::format("{}", v);
}

}  // namespace

Metrics::Metrics() {
  const std::vector<double> review_buckets = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
  const std::vector<double> agent_buckets = {0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
  declare("reviewer_webhook_deliveries_total", "counter",
          "Webhook deliveries by event and outcome (queued, ignored, ping, duplicate, rejected_*)");
  declare("reviewer_webhook_rejected_total", "counter",
          "Deliveries refused before storage, by reason (signature, too_large, bad_request)");
  declare("reviewer_http_refused_total", "counter",
          "Requests refused or connections closed by the HTTP listener's limits, by reason");
  declare("reviewer_jobs_total", "counter",
          "Finished job attempts by result (done, failed, retried, dead, superseded, released)");
  declare("reviewer_job_retries_total", "counter", "Job attempts scheduled for a retry after a failure");
  declare("reviewer_github_api_calls_total", "counter", "GitHub REST calls by HTTP status");
  declare("reviewer_review_duration_seconds", "histogram", "Duration of a whole review job", review_buckets);
  declare("reviewer_agent_duration_seconds", "histogram", "Duration of each sub-agent in a review",
          agent_buckets);
  declare("reviewer_model_calls_total", "counter",
          "Model layer calls by provider, kind (chat, tool, validation) and outcome (ok, timeout, ...)");
  declare("reviewer_model_tokens_total", "counter", "Model tokens by provider and direction (in, out)");
  declare("reviewer_model_cost_usd_total", "counter", "Model cost in US dollars by provider");
  declare("reviewer_model_unavailable_total", "counter",
          "Reviews in which the model was configured but no provider answered (rules alone judged)");
  declare("reviewer_intake_commit_seconds", "histogram",
          "Time to commit one batch of deliveries to the queue database",
          {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1});
}

void Metrics::declare(const std::string& name, const std::string& type, const std::string& help,
                      std::vector<double> buckets) {
  families_[name] = Family{type, help, std::move(buckets), {}, {}};
}

void Metrics::inc(const std::string& name, const Labels& labels, double by) {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end() || it->second.type != "counter") {
    throw Error(Error::Code::internal, "undeclared counter " + name);
  }
  it->second.values[labels] += by;
}

void Metrics::observe(const std::string& name, const Labels& labels, double seconds) {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end() || it->second.type != "histogram") {
    throw Error(Error::Code::internal, "undeclared histogram " + name);
  }
  auto& f = it->second;
  auto& h = f.hist[labels];
  if (h.empty()) h.assign(f.buckets.size() + 3, 0.0);
  for (size_t i = 0; i < f.buckets.size(); ++i) {
    if (seconds <= f.buckets[i]) h[i] += 1;
  }
  h[f.buckets.size()] += 1;      // +Inf
  h[f.buckets.size() + 1] += seconds;  // sum
  h[f.buckets.size() + 2] += 1;  // count
}

double Metrics::counter(const std::string& name, const Labels& labels) const {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  auto v = it->second.values.find(labels);
  return v == it->second.values.end() ? 0 : v->second;
}

void Metrics::add_gauge(const std::string& name, const std::string& help, std::function<GaugeRows()> read) {
  std::lock_guard lock(mu_);
  gauges_[name] = Gauge{help, std::move(read)};
}

void Metrics::add_counter_read(const std::string& name, const std::string& help, std::function<GaugeRows()> read) {
  std::lock_guard lock(mu_);
  gauges_[name] = Gauge{help, std::move(read), "counter"};
}

std::string Metrics::render() const {
  std::string out;
  std::map<std::string, Gauge> gauges;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, f] : families_) {
      out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, f.help, name, f.type);
      if (f.type == "counter") {
        for (const auto& [labels, v] : f.values) out += fmt::format("{}{} {}\n", name, label_text(labels), number(v));
        continue;
      }
      for (const auto& [labels, h] : f.hist) {
        for (size_t i = 0; i < f.buckets.size(); ++i) {
          out += fmt::format("{}_bucket{} {}\n", name, label_text(labels, fmt::format("le=\"{}\"", f.buckets[i])),
                             number(h[i]));
        }
        out += fmt::format("{}_bucket{} {}\n", name, label_text(labels, "le=\"+Inf\""), number(h[f.buckets.size()]));
        out += fmt::format("{}_sum{} {}\n", name, label_text(labels), number(h[f.buckets.size() + 1]));
        out += fmt::format("{}_count{} {}\n", name, label_text(labels), number(h[f.buckets.size() + 2]));
      }
    }
    gauges = gauges_;
  }
  // Gauges read the database: outside the lock, so counters stay cheap.
  for (const auto& [name, g] : gauges) {
    GaugeRows rows;
    try {
      rows = g.read();
    } catch (const std::exception&) {
      continue;
    }
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, g.help, name, g.type);
    for (const auto& [labels, v] : rows) out += fmt::format("{}{} {}\n", name, label_text(labels), number(v));
  }
  return out;
}

void record_review_metrics(Metrics& metrics, const ReviewResult& r) {
  for (const auto& a : r.agents) {
    metrics.observe("reviewer_agent_duration_seconds", {{"agent", a.name}}, a.duration_ms / 1000.0);
  }
  if (!r.model) return;
  if (r.model->unavailable) metrics.inc("reviewer_model_unavailable_total");
  for (const auto& c : r.model->records) {
    const std::string provider = c.provider.empty() ? "none" : c.provider;
    metrics.inc("reviewer_model_calls_total", {{"provider", provider}, {"kind", c.kind}, {"outcome", c.outcome}});
    if (c.kind != "chat") continue;
    metrics.inc("reviewer_model_tokens_total", {{"provider", provider}, {"direction", "in"}},
                static_cast<double>(c.tokens_in));
    metrics.inc("reviewer_model_tokens_total", {{"provider", provider}, {"direction", "out"}},
                static_cast<double>(c.tokens_out));
    metrics.inc("reviewer_model_cost_usd_total", {{"provider", provider}}, c.cost_usd);
  }
}

}  // namespace reviewer
