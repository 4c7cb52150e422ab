// The model configuration (DESIGN.md "Model providers"): an ordered list of
// providers and a per-review budget. The file names the environment
// variable holding each API key, never the key: keys are read at call time.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace reviewer::model {

enum class ProviderKind { openai, anthropic };

struct ProviderConfig {
  std::string name;
  ProviderKind kind = ProviderKind::openai;
  std::string base_url;          // without the trailing "/chat/completions" or "/messages"
  std::string model;
  std::string api_key_env;       // empty: no key sent (local servers)
  int timeout_ms = 30000;
  int max_output_tokens = 2000;
  double usd_per_mtok_input = 0;
  double usd_per_mtok_output = 0;
};

struct BudgetConfig {
  long tokens_per_review = 200000;
  double usd_per_review = 0.50;
};

struct ModelConfig {
  std::vector<ProviderConfig> providers;  // tried in this order
  BudgetConfig budget;
  // `walkthrough: true`: the review's walkthrough is written by the model
  // (plain-text bullets, escaped when rendered); the deterministic summary
  // stays the fallback. Off by default: one more call per review.
  bool walkthrough = false;
  // Router tuning; not in the file (defaults suit every provider).
  int breaker_threshold = 3;       // consecutive failures that open a provider's circuit
  int breaker_cooldown_ms = 30000; // how long it stays open
  int max_retry_after_ms = 5000;   // longest retry-after the router waits out itself
  int max_tool_steps = 4;          // tool-use rounds per agent call
};

// Parses the YAML text; `name` is used in error messages ("name:line:col: ...").
// Throws reviewer::Error(invalid_input) for anything missing, unknown or out of range.
ModelConfig parse_model_config(const std::string& text, const std::string& name);
// Reads and parses a file; throws reviewer::Error(usage) when unreadable.
ModelConfig load_model_config(const std::filesystem::path& path);

}  // namespace reviewer::model
