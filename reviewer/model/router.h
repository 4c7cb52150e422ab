// Routing across providers: ordered failover on timeouts, 5xx, 429 (with
// retry-after), malformed replies and client errors; a circuit breaker and
// a latency average per provider; a per-review budget in tokens and USD.
// When no provider answers, chat() returns nullopt and the usage records
// the model as unavailable: callers fall back to rules, never to approval.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "reviewer/model/chat.h"
#include "reviewer/model/config.h"
#include "reviewer/model/provider.h"
#include "reviewer/model/usage.h"

namespace reviewer::model {

// Conservative token estimate: one token per 3 bytes, rounded up.
long estimate_tokens(std::size_t bytes);
long estimate_tokens(const ChatRequest& request);

// Providers and their health, shared by every review of a process (the
// breakers outlive one review).
class ProviderPool {
 public:
  explicit ProviderPool(const ModelConfig& config);
  // For tests: providers built elsewhere (same order as config.providers).
  ProviderPool(const ModelConfig& config, std::vector<std::unique_ptr<Provider>> providers);

  struct Health {
    int consecutive_failures = 0;
    std::chrono::steady_clock::time_point open_until{};
    double latency_ms_avg = 0;  // exponential moving average of successful calls
    long successes = 0;
  };
  Health health(std::size_t i) const;
  const ModelConfig& config() const { return config_; }

 private:
  friend class Router;
  ModelConfig config_;
  std::vector<std::unique_ptr<Provider>> providers_;
  mutable std::mutex mutex_;
  std::vector<Health> health_;
};

struct CallMeta {
  std::string agent;
  std::string template_version;
  std::string prompt_hash;
};

// One review's view: the budget and the record of calls. Thread-safe.
class Router {
 public:
  explicit Router(std::shared_ptr<ProviderPool> pool);

  std::optional<ChatReply> chat(const ChatRequest& request, const CallMeta& meta);
  // Records a failure found after the reply arrived (e.g. invalid JSON).
  void record(ModelCall call);
  // Records an answer rejected after its retry (kind "validation").
  void record_rejected(const CallMeta& meta, std::string outcome, std::string detail);
  ModelUsage usage() const;
  const ModelConfig& config() const { return pool_->config(); }

 private:
  // The shortest Retry-After among rate-limited providers that is short
  // enough to wait out, and which provider asked for it.
  struct RetryHint {
    long wait_ms = -1;  // -1: none
    std::size_t provider = 0;
  };
  // One call to provider `i`; nullopt when its breaker is open, the budget
  // does not fit or it fails (recorded in each case).
  std::optional<ChatReply> attempt(std::size_t i, bool ignore_breaker, const ChatRequest& request,
                                   const CallMeta& meta, RetryHint& hint);
  // Bookkeeping after an answer (budget, provider health) and after a failure.
  void settle_success(std::size_t i, ModelCall& call, long reserved_tokens, double reserved_usd);
  void settle_failure(std::size_t i, const ProviderError& e, ModelCall& call, long est_in, long reserved_tokens,
                      double reserved_usd, RetryHint& hint);
  // Reserves the call's worst case against the budget; false when it does not fit.
  bool reserve(const ProviderConfig& p, long tokens_in, long* tokens, double* usd);
  void release(long tokens, double usd);

  std::shared_ptr<ProviderPool> pool_;
  mutable std::mutex mutex_;
  ModelUsage usage_;
  long tokens_spent_ = 0;  // including reservations of calls in flight
  double usd_spent_ = 0;
};

}  // namespace reviewer::model
