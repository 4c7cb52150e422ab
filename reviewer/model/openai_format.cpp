// The OpenAI Chat Completions wire format (also spoken by Azure OpenAI,
// llama.cpp's server, vLLM and Ollama).
#include <nlohmann/json.hpp>

#include "reviewer/model/provider.h"

namespace reviewer::model {

using nlohmann::json;

namespace {

void append_openai_assistant(json& messages, const Message& m) {
  json msg = {{"role", "assistant"}, {"content", m.text}};
  if (!m.tool_calls.empty()) {
    json calls = json::array();
    for (const auto& c : m.tool_calls) {
      calls.push_back(
          {{"id", c.id}, {"type", "function"}, {"function", {{"name", c.name}, {"arguments", c.arguments.dump()}}}});
    }
    msg["tool_calls"] = std::move(calls);
    if (m.text.empty()) msg["content"] = nullptr;
  }
  messages.push_back(std::move(msg));
}

void append_openai_tool(json& messages, const Message& m) {
  messages.push_back({{"role", "tool"}, {"tool_call_id", m.tool_call_id}, {"content", m.text}});
}

}  // namespace

json append_turns(json messages, const ChatRequest& r, AppendTurn assistant, AppendTurn tool) {
  for (const auto& m : r.messages) {
    switch (m.role) {
      case Message::Role::user: messages.push_back({{"role", "user"}, {"content", m.text}}); break;
      case Message::Role::assistant: assistant(messages, m); break;
      case Message::Role::tool: tool(messages, m); break;
    }
  }
  return messages;
}

json openai_request_body(const ProviderConfig& p, const ChatRequest& r) {
  json system = json::array();
  system.push_back({{"role", "system"}, {"content", r.system}});
  json messages = append_turns(std::move(system), r, append_openai_assistant, append_openai_tool);
  json body = {{"model", p.model},
               {"messages", std::move(messages)},
               {"temperature", 0},
               {"max_tokens", p.max_output_tokens},
               {"response_format", {{"type", "json_object"}}}};
  if (!r.tools.empty()) {
    json tools = json::array();
    for (const auto& t : r.tools) {
      tools.push_back({{"type", "function"},
                       {"function", {{"name", t.name}, {"description", t.description}, {"parameters", t.parameters}}}});
    }
    body["tools"] = std::move(tools);
  }
  return body;
}

void read_token_usage(const json& body, const char* in_key, const char* out_key, ChatReply& reply) {
  if (!body.is_object() || !body.contains("usage") || !body["usage"].is_object()) return;
  const json& u = body["usage"];
  if (u.contains(in_key) && u[in_key].is_number_integer()) reply.tokens_in = u[in_key].get<long>();
  if (u.contains(out_key) && u[out_key].is_number_integer()) reply.tokens_out = u[out_key].get<long>();
}

ChatReply parse_openai_reply(const json& body) {
  if (!body.is_object() || !body.contains("choices") || !body["choices"].is_array() || body["choices"].empty() ||
      !body["choices"][0].is_object() || !body["choices"][0].contains("message") ||
      !body["choices"][0]["message"].is_object()) {
    throw ProviderError(ProviderError::Kind::malformed, "reply has no choices[0].message");
  }
  const json& msg = body["choices"][0]["message"];
  ChatReply out;
  if (msg.contains("content") && msg["content"].is_string()) out.text = msg["content"].get<std::string>();
  if (msg.contains("tool_calls") && msg["tool_calls"].is_array()) {
    for (const auto& c : msg["tool_calls"]) {
      if (!c.is_object() || !c.contains("function") || !c["function"].is_object()) {
        throw ProviderError(ProviderError::Kind::malformed, "malformed tool call");
      }
      ToolCall call;
      call.id = c.value("id", "");
      call.name = c["function"].value("name", "");
      // Arguments arrive as a JSON string; bad ones reach the tool as {} and it complains.
      const json& args = c["function"].contains("arguments") ? c["function"]["arguments"] : json();
      if (args.is_string()) {
        call.arguments = json::parse(args.get<std::string>(), nullptr, false);
        if (call.arguments.is_discarded() || !call.arguments.is_object()) call.arguments = json::object();
      } else if (args.is_object()) {
        call.arguments = args;
      }
      out.tool_calls.push_back(std::move(call));
    }
  }
  read_token_usage(body, "prompt_tokens", "completion_tokens", out);
  return out;
}

}  // namespace reviewer::model
