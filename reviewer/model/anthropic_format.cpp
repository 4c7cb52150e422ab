// The Anthropic Messages API wire format.
#include <nlohmann/json.hpp>

#include "reviewer/model/provider.h"

namespace reviewer::model {

using nlohmann::json;

namespace {

void append_anthropic_assistant(json& messages, const Message& m) {
  json blocks = json::array();
  if (!m.text.empty()) blocks.push_back({{"type", "text"}, {"text", m.text}});
  for (const auto& c : m.tool_calls) {
    blocks.push_back({{"type", "tool_use"}, {"id", c.id}, {"name", c.name}, {"input", c.arguments}});
  }
  messages.push_back({{"role", "assistant"}, {"content", std::move(blocks)}});
}

void append_anthropic_tool(json& messages, const Message& m) {
  json block = {{"type", "tool_result"}, {"tool_use_id", m.tool_call_id}, {"content", m.text}};
  // Consecutive tool results belong in one user turn (roles must alternate).
  if (!messages.empty() && messages.back()["role"] == "user" && messages.back()["content"].is_array()) {
    messages.back()["content"].push_back(std::move(block));
  } else {
    messages.push_back({{"role", "user"}, {"content", json::array({std::move(block)})}});
  }
}

}  // namespace

json anthropic_request_body(const ProviderConfig& p, const ChatRequest& r) {
  json messages = append_turns(json::array(), r, append_anthropic_assistant, append_anthropic_tool);
  json body = {{"model", p.model},
               {"max_tokens", p.max_output_tokens},
               {"temperature", 0},
               {"system", r.system},
               {"messages", std::move(messages)}};
  if (!r.tools.empty()) {
    json tools = json::array();
    for (const auto& t : r.tools) {
      tools.push_back({{"name", t.name}, {"description", t.description}, {"input_schema", t.parameters}});
    }
    body["tools"] = std::move(tools);
  }
  return body;
}

ChatReply parse_anthropic_reply(const json& body) {
  if (!body.is_object() || !body.contains("content") || !body["content"].is_array()) {
    throw ProviderError(ProviderError::Kind::malformed, "reply has no content array");
  }
  ChatReply out;
  for (const auto& b : body["content"]) {
    if (!b.is_object()) throw ProviderError(ProviderError::Kind::malformed, "malformed content block");
    const std::string type = b.value("type", "");
    if (type == "text" && b.contains("text") && b["text"].is_string()) {
      out.text += b["text"].get<std::string>();
    } else if (type == "tool_use") {
      ToolCall call;
      call.id = b.value("id", "");
      call.name = b.value("name", "");
      if (b.contains("input") && b["input"].is_object()) call.arguments = b["input"];
      out.tool_calls.push_back(std::move(call));
    }
  }
  read_token_usage(body, "input_tokens", "output_tokens", out);
  return out;
}

}  // namespace reviewer::model
