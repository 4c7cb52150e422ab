// A provider-neutral chat exchange: what the router sends and gets back.
// Each provider client translates it to and from its own wire format.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace reviewer::model {

struct ToolCall {
  std::string id;
  std::string name;
  nlohmann::json arguments = nlohmann::json::object();
};

struct Message {
  enum class Role { user, assistant, tool };
  Role role = Role::user;
  std::string text;
  std::vector<ToolCall> tool_calls;  // assistant turns that asked for tools
  std::string tool_call_id;          // tool turns: which call this answers
};

struct ToolSpec {
  std::string name;
  std::string description;
  nlohmann::json parameters;  // JSON Schema of the arguments object
};

struct ChatRequest {
  std::string system;
  std::vector<Message> messages;
  std::vector<ToolSpec> tools;
};

struct ChatReply {
  std::string text;
  std::vector<ToolCall> tool_calls;
  long tokens_in = -1;   // as the provider reported; -1 when it did not
  long tokens_out = -1;
};

// Why a provider call failed; the router decides on failover from `kind`.
class ProviderError : public std::runtime_error {
 public:
  enum class Kind { timeout, network, server, rate_limited, client, malformed, config };
  ProviderError(Kind kind, const std::string& what, long retry_after_ms = 0)
      : std::runtime_error(what), kind_(kind), retry_after_ms_(retry_after_ms) {}
  Kind kind() const { return kind_; }
  long retry_after_ms() const { return retry_after_ms_; }

 private:
  Kind kind_;
  long retry_after_ms_;
};

}  // namespace reviewer::model
