// Shared by the model tests: configs pointing at loopback fake servers.
#pragma once

#include <string>

#include "reviewer/model/config.h"

namespace reviewer::test {

inline model::ProviderConfig provider_at(const std::string& name, model::ProviderKind kind, const std::string& url,
                                         int timeout_ms = 2000) {
  model::ProviderConfig p;
  p.name = name;
  p.kind = kind;
  p.base_url = url;
  p.model = kind == model::ProviderKind::openai ? "gpt-test" : "claude-test";
  p.timeout_ms = timeout_ms;
  p.max_output_tokens = 500;
  p.usd_per_mtok_input = 2.0;
  p.usd_per_mtok_output = 8.0;
  return p;
}

}  // namespace reviewer::test
