// Provider clients on cpprestsdk: OpenAI-compatible Chat Completions and the
// Anthropic Messages API. Request building and reply parsing are separate
// pure functions so tests can check the wire format field by field.
#pragma once

#include <memory>

#include <nlohmann/json.hpp>

#include "reviewer/model/chat.h"
#include "reviewer/model/config.h"

namespace reviewer::model {

// POST {base_url}/chat/completions body: model, temperature 0, max_tokens,
// messages (system first), response_format json_object, tools as functions.
nlohmann::json openai_request_body(const ProviderConfig& p, const ChatRequest& r);
// Throws ProviderError(malformed) when the reply lacks choices[0].message.
ChatReply parse_openai_reply(const nlohmann::json& body);

// POST {base_url}/messages body: model, max_tokens, temperature 0, system,
// messages with tool_use / tool_result blocks, tools with input_schema.
nlohmann::json anthropic_request_body(const ProviderConfig& p, const ChatRequest& r);
ChatReply parse_anthropic_reply(const nlohmann::json& body);

// Both formats: the request's turns appended to `messages` in order, user
// turns as {"role": "user", "content": text}, assistant and tool turns as
// the format's own `assistant` and `tool` append them.
using AppendTurn = void (*)(nlohmann::json& messages, const Message& m);
nlohmann::json append_turns(nlohmann::json messages, const ChatRequest& r, AppendTurn assistant, AppendTurn tool);

// Both formats: the token counts in the reply's "usage" object, under the
// API's own names; counts that are absent or not integers stay as they are.
void read_token_usage(const nlohmann::json& body, const char* in_key, const char* out_key, ChatReply& reply);

class Provider {
 public:
  virtual ~Provider() = default;
  virtual const ProviderConfig& config() const = 0;
  // One HTTP call, bounded by the provider's timeout. Throws ProviderError.
  virtual ChatReply chat(const ChatRequest& request) const = 0;
};

// The API key is read from the environment at each call, never stored.
std::unique_ptr<Provider> make_provider(const ProviderConfig& config);

}  // namespace reviewer::model
