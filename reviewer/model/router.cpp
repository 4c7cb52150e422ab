#include "reviewer/model/router.h"

#include <thread>

#include <fmt/format.h>

namespace reviewer::model {

namespace {

using Clock = std::chrono::steady_clock;

std::string outcome_of(const ProviderError& e) {
  switch (e.kind()) {
    case ProviderError::Kind::timeout: return "timeout";
    case ProviderError::Kind::network: return "network";
    case ProviderError::Kind::server: return "http-5xx";
    case ProviderError::Kind::rate_limited: return "rate-limited";
    case ProviderError::Kind::client: return "http-4xx";
    case ProviderError::Kind::malformed: return "malformed";
    case ProviderError::Kind::config: return "config";
  }
  return "error";
}

double cost(const ProviderConfig& p, long in, long out) {
  return (static_cast<double>(in) * p.usd_per_mtok_input + static_cast<double>(out) * p.usd_per_mtok_output) / 1e6;
}

}  // namespace

long estimate_tokens(std::size_t bytes) { return static_cast<long>((bytes + 2) / 3); }

long estimate_tokens(const ChatRequest& r) {
  std::size_t bytes = r.system.size();
  for (const auto& m : r.messages) {
    bytes += m.text.size() + m.tool_call_id.size() + 16;
    for (const auto& c : m.tool_calls) bytes += c.id.size() + c.name.size() + c.arguments.dump().size();
  }
  for (const auto& t : r.tools) bytes += t.name.size() + t.description.size() + t.parameters.dump().size();
  return estimate_tokens(bytes);
}

ProviderPool::ProviderPool(const ModelConfig& config) : config_(config) {
  for (const auto& p : config_.providers) providers_.push_back(make_provider(p));
  health_.resize(providers_.size());
}

ProviderPool::ProviderPool(const ModelConfig& config, std::vector<std::unique_ptr<Provider>> providers)
    : config_(config), providers_(std::move(providers)) {
  health_.resize(providers_.size());
}

ProviderPool::Health ProviderPool::health(std::size_t i) const {
  std::lock_guard lock(mutex_);
  return health_.at(i);
}

Router::Router(std::shared_ptr<ProviderPool> pool) : pool_(std::move(pool)) {}

bool Router::reserve(const ProviderConfig& p, long tokens_in, long* tokens, double* usd) {
  const auto& b = pool_->config_.budget;
  *tokens = tokens_in + p.max_output_tokens;
  *usd = cost(p, tokens_in, p.max_output_tokens);
  std::lock_guard lock(mutex_);
  if (tokens_spent_ + *tokens > b.tokens_per_review || usd_spent_ + *usd > b.usd_per_review + 1e-12) return false;
  tokens_spent_ += *tokens;
  usd_spent_ += *usd;
  return true;
}

void Router::release(long tokens, double usd) {
  std::lock_guard lock(mutex_);
  tokens_spent_ -= tokens;
  usd_spent_ -= usd;
}

void Router::record(ModelCall call) {
  std::lock_guard lock(mutex_);
  usage_.calls.push_back(std::move(call));
}

ModelUsage Router::usage() const {
  std::lock_guard lock(mutex_);
  return usage_;
}

namespace {

// What this round adds to the conversation: the messages after the model's
// last turn (the prompt on the first round, tool results or the retry note
// later). The audit keeps each round's delta, not the whole transcript again.
std::string new_messages(const ChatRequest& request) {
  std::size_t from = 0;
  for (std::size_t i = 0; i < request.messages.size(); ++i) {
    if (request.messages[i].role == Message::Role::assistant) from = i + 1;
  }
  std::string out;
  for (std::size_t i = from; i < request.messages.size(); ++i) {
    const auto& m = request.messages[i];
    if (!out.empty()) out += "\n";
    if (m.role == Message::Role::tool) out += fmt::format("[tool result {}]\n", m.tool_call_id);
    out += m.text;
  }
  return out;
}

}  // namespace

std::optional<ChatReply> Router::chat(const ChatRequest& request, const CallMeta& meta) {
  RetryHint hint;
  for (std::size_t i = 0; i < pool_->providers_.size(); ++i) {
    if (auto reply = attempt(i, false, request, meta, hint)) return reply;
  }
  if (hint.wait_ms >= 0) {
    // Every provider failed but one only asked us to wait briefly: honour it once.
    std::this_thread::sleep_for(std::chrono::milliseconds(hint.wait_ms));
    if (auto reply = attempt(hint.provider, true, request, meta, hint)) return reply;
  }
  std::lock_guard lock(mutex_);
  usage_.unavailable = true;
  return std::nullopt;
}

std::optional<ChatReply> Router::attempt(std::size_t i, bool ignore_breaker, const ChatRequest& request,
                                         const CallMeta& meta, RetryHint& hint) {
  const Provider& provider = *pool_->providers_[i];
  const ProviderConfig& p = provider.config();
  const long est_in = estimate_tokens(request);
  ModelCall call;
  call.agent = meta.agent;
  call.provider = p.name;
  call.model = p.model;
  call.template_version = meta.template_version;
  call.prompt_hash = meta.prompt_hash;
  call.prompt = new_messages(request);
  {
    std::lock_guard lock(pool_->mutex_);
    if (!ignore_breaker && Clock::now() < pool_->health_[i].open_until) {
      call.outcome = "circuit-open";
      record(std::move(call));
      return std::nullopt;
    }
  }
  long reserved_tokens = 0;
  double reserved_usd = 0;
  if (!reserve(p, est_in, &reserved_tokens, &reserved_usd)) {
    call.outcome = "budget";
    call.detail = fmt::format("needs up to {} tokens", est_in + p.max_output_tokens);
    record(std::move(call));
    return std::nullopt;
  }
  const auto t0 = Clock::now();
  auto elapsed_ms = [&t0] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
  };
  try {
    ChatReply reply = provider.chat(request);
    call.latency_ms = elapsed_ms();
    call.tokens_in = reply.tokens_in >= 0 ? reply.tokens_in : est_in;
    call.tokens_out = reply.tokens_out >= 0 ? reply.tokens_out : estimate_tokens(reply.text.size() + 64);
    call.cost_usd = cost(p, call.tokens_in, call.tokens_out);
    call.outcome = "ok";
    call.answer = reply.text;
    for (const auto& tc : reply.tool_calls) {
      call.answer += fmt::format("\n[tool call {} {}]", tc.name,
                                 tc.arguments.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    settle_success(i, call, reserved_tokens, reserved_usd);
    record(std::move(call));
    return reply;
  } catch (const ProviderError& e) {
    call.latency_ms = elapsed_ms();
    settle_failure(i, e, call, est_in, reserved_tokens, reserved_usd, hint);
    record(std::move(call));
    return std::nullopt;
  }
}

void Router::settle_success(std::size_t i, ModelCall& call, long reserved_tokens, double reserved_usd) {
  {
    std::lock_guard lock(mutex_);
    // Swap the reservation for what the call really cost.
    tokens_spent_ += call.tokens_in + call.tokens_out - reserved_tokens;
    usd_spent_ += call.cost_usd - reserved_usd;
  }
  std::lock_guard lock(pool_->mutex_);
  auto& h = pool_->health_[i];
  h.consecutive_failures = 0;
  h.open_until = {};
  h.latency_ms_avg = h.successes == 0 ? static_cast<double>(call.latency_ms)
                                      : 0.8 * h.latency_ms_avg + 0.2 * static_cast<double>(call.latency_ms);
  ++h.successes;
}

void Router::settle_failure(std::size_t i, const ProviderError& e, ModelCall& call, long est_in,
                            long reserved_tokens, double reserved_usd, RetryHint& hint) {
  const ProviderConfig& p = pool_->providers_[i]->config();
  const auto& cfg = pool_->config_;
  call.outcome = outcome_of(e);
  call.detail = e.what();
  if (e.kind() == ProviderError::Kind::timeout) {
    // The provider may bill a prompt it never answered: keep the input charged.
    release(reserved_tokens - est_in, reserved_usd - cost(p, est_in, 0));
    call.tokens_in = est_in;
    call.cost_usd = cost(p, est_in, 0);
  } else {
    release(reserved_tokens, reserved_usd);
  }
  std::lock_guard lock(pool_->mutex_);
  auto& h = pool_->health_[i];
  if (e.kind() == ProviderError::Kind::rate_limited) {
    h.open_until = Clock::now() + std::chrono::milliseconds(e.retry_after_ms());
    if (e.retry_after_ms() <= cfg.max_retry_after_ms && (hint.wait_ms < 0 || e.retry_after_ms() < hint.wait_ms)) {
      hint.wait_ms = e.retry_after_ms();
      hint.provider = i;
    }
  } else if (++h.consecutive_failures >= cfg.breaker_threshold) {
    h.open_until = Clock::now() + std::chrono::milliseconds(cfg.breaker_cooldown_ms);
  }
}

void Router::record_rejected(const CallMeta& meta, std::string outcome, std::string detail) {
  ModelCall rejected;
  rejected.agent = meta.agent;
  rejected.kind = "validation";
  rejected.template_version = meta.template_version;
  rejected.prompt_hash = meta.prompt_hash;
  rejected.outcome = std::move(outcome);
  rejected.detail = std::move(detail);
  record(std::move(rejected));
}

}  // namespace reviewer::model
