// Prometheus metrics in the text exposition format (version 0.0.4).
// Counters and histograms are kept in memory; gauges that describe the
// queue are read from it when /metrics is scraped.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "reviewer/core/review_result.h"

namespace reviewer {

using Labels = std::map<std::string, std::string>;

class Metrics {
 public:
  Metrics();

  // Adds `by` to counter `name` with `labels`. `name` must be declared.
  void inc(const std::string& name, const Labels& labels = {}, double by = 1);
  // Records one observation (seconds) in histogram `name`.
  void observe(const std::string& name, const Labels& labels, double seconds);
  // Reads a counter (tests and benchmarks).
  double counter(const std::string& name, const Labels& labels = {}) const;

  // A gauge computed at scrape time: the callback returns (labels, value) rows.
  using GaugeRows = std::vector<std::pair<Labels, double>>;
  void add_gauge(const std::string& name, const std::string& help, std::function<GaugeRows()> read);
  // A counter kept elsewhere (the queue database's totals), read the same way.
  void add_counter_read(const std::string& name, const std::string& help, std::function<GaugeRows()> read);

  // The whole exposition. A gauge whose callback throws is left out (the
  // scrape still succeeds; the failure shows as missing series).
  std::string render() const;

 private:
  struct Family {
    std::string type;  // counter | histogram
    std::string help;
    std::vector<double> buckets;  // histograms only
    std::map<Labels, double> values;             // counters
    std::map<Labels, std::vector<double>> hist;  // per-bucket counts, then +Inf, sum, count
  };
  void declare(const std::string& name, const std::string& type, const std::string& help,
               std::vector<double> buckets = {});
  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
  struct Gauge {
    std::string help;
    std::function<GaugeRows()> read;
    std::string type = "gauge";
  };
  std::map<std::string, Gauge> gauges_;
};

// What one finished review adds to the metrics: each agent's duration and
// the model layer's calls, tokens and cost.
void record_review_metrics(Metrics& metrics, const ReviewResult& result);

}  // namespace reviewer
