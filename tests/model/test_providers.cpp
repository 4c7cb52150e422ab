#include <cstdlib>

#include <doctest/doctest.h>

#include "fake_server.h"
#include "model_fixture.h"
#include "reviewer/model/provider.h"

using namespace reviewer;
using namespace reviewer::model;
using nlohmann::json;

namespace {

ChatRequest sample_request() {
  ChatRequest r;
  r.system = "be careful";
  r.messages.push_back({Message::Role::user, "review this", {}, {}});
  r.messages.push_back({Message::Role::assistant, "", {{"call_1", "list_hunks", {{"path", "a.cpp"}}}}, {}});
  r.messages.push_back({Message::Role::tool, "a.cpp lines 1-3", {}, "call_1"});
  r.tools.push_back({"list_hunks", "List hunks", {{"type", "object"}, {"properties", json::object()}}});
  return r;
}

}  // namespace

TEST_SUITE("model::providers") {
  TEST_CASE("the OpenAI body follows Chat Completions: system first, temperature 0, max_tokens, json mode, tools") {
    auto p = test::provider_at("p", ProviderKind::openai, "http://x");
    json b = openai_request_body(p, sample_request());
    CHECK(b["model"] == "gpt-test");
    CHECK(b["temperature"] == 0);
    CHECK(b["max_tokens"] == 500);
    CHECK(b["response_format"] == json({{"type", "json_object"}}));
    REQUIRE(b["messages"].size() == 4);
    CHECK(b["messages"][0] == json({{"role", "system"}, {"content", "be careful"}}));
    CHECK(b["messages"][1]["role"] == "user");
    CHECK(b["messages"][2]["role"] == "assistant");
    CHECK(b["messages"][2]["content"].is_null());
    CHECK(b["messages"][2]["tool_calls"][0]["type"] == "function");
    CHECK(b["messages"][2]["tool_calls"][0]["function"]["arguments"] == R"({"path":"a.cpp"})");  // a string
    CHECK(b["messages"][3] == json({{"role", "tool"}, {"tool_call_id", "call_1"}, {"content", "a.cpp lines 1-3"}}));
    CHECK(b["tools"][0]["type"] == "function");
    CHECK(b["tools"][0]["function"]["name"] == "list_hunks");
    CHECK(b["tools"][0]["function"]["parameters"]["type"] == "object");
  }

  TEST_CASE("the Anthropic body follows the Messages API: top-level system, tool_use and tool_result blocks") {
    auto p = test::provider_at("p", ProviderKind::anthropic, "http://x");
    json b = anthropic_request_body(p, sample_request());
    CHECK(b["model"] == "claude-test");
    CHECK(b["max_tokens"] == 500);
    CHECK(b["temperature"] == 0);
    CHECK(b["system"] == "be careful");
    REQUIRE(b["messages"].size() == 3);  // the system prompt is not a message
    CHECK(b["messages"][0] == json({{"role", "user"}, {"content", "review this"}}));
    CHECK(b["messages"][1]["role"] == "assistant");
    CHECK(b["messages"][1]["content"][0] ==
          json({{"type", "tool_use"}, {"id", "call_1"}, {"name", "list_hunks"}, {"input", {{"path", "a.cpp"}}}}));
    CHECK(b["messages"][2]["role"] == "user");
    CHECK(b["messages"][2]["content"][0]["type"] == "tool_result");
    CHECK(b["messages"][2]["content"][0]["tool_use_id"] == "call_1");
    CHECK(b["tools"][0]["input_schema"]["type"] == "object");
    CHECK_FALSE(b.contains("response_format"));
  }

  TEST_CASE("replies are parsed with usage; a reply without the expected shape is malformed") {
    auto o = parse_openai_reply(json::parse(test::openai_text("{\"findings\":[]}", 11, 7).body));
    CHECK(o.text == "{\"findings\":[]}");
    CHECK(o.tokens_in == 11);
    CHECK(o.tokens_out == 7);
    auto t = parse_openai_reply(json::parse(test::openai_tool_call("c1", "read_file", {{"path", "x"}}).body));
    REQUIRE(t.tool_calls.size() == 1);
    CHECK(t.tool_calls[0].arguments["path"] == "x");
    auto a = parse_anthropic_reply(json::parse(test::anthropic_tool_use("tu1", "list_hunks", json::object()).body));
    REQUIRE(a.tool_calls.size() == 1);
    CHECK(a.tool_calls[0].id == "tu1");
    CHECK_THROWS_AS(parse_openai_reply(json::parse(R"({"choices":[]})")), ProviderError);
    CHECK_THROWS_AS(parse_anthropic_reply(json::parse(R"({"content":"x"})")), ProviderError);
  }

  TEST_CASE("the OpenAI client posts to /chat/completions with a bearer key read from the environment") {
    test::FakeServer server;
    server.script({test::openai_text("{\"findings\":[]}")});
    auto p = test::provider_at("p", ProviderKind::openai, server.base_url());
    p.api_key_env = "REVIEWER_TEST_OPENAI_KEY";
    ::setenv("REVIEWER_TEST_OPENAI_KEY", "sk-test-123", 1);
    auto reply = make_provider(p)->chat(sample_request());
    CHECK(reply.text == "{\"findings\":[]}");
    auto got = server.received();
    REQUIRE(got.size() == 1);
    CHECK(got[0].path == "/chat/completions");
    CHECK(got[0].headers["authorization"] == "Bearer sk-test-123");
    CHECK(got[0].headers["content-type"].find("application/json") == 0);
    CHECK(got[0].body == openai_request_body(p, sample_request()));
    ::unsetenv("REVIEWER_TEST_OPENAI_KEY");
    try {
      make_provider(p)->chat(sample_request());
      FAIL("no error for a missing key");
    } catch (const ProviderError& e) {
      CHECK(e.kind() == ProviderError::Kind::config);
    }
    CHECK(server.received().size() == 1);  // nothing sent without the key
  }

  TEST_CASE("the Anthropic client posts to /messages with x-api-key and anthropic-version") {
    test::FakeServer server;
    server.script({test::anthropic_text("{\"findings\":[]}")});
    auto p = test::provider_at("p", ProviderKind::anthropic, server.base_url());
    p.api_key_env = "REVIEWER_TEST_ANTHROPIC_KEY";
    ::setenv("REVIEWER_TEST_ANTHROPIC_KEY", "ak-test", 1);
    auto reply = make_provider(p)->chat(sample_request());
    ::unsetenv("REVIEWER_TEST_ANTHROPIC_KEY");
    CHECK(reply.tokens_in == 100);
    auto got = server.received();
    REQUIRE(got.size() == 1);
    CHECK(got[0].path == "/messages");
    CHECK(got[0].headers["x-api-key"] == "ak-test");
    CHECK(got[0].headers["anthropic-version"] == "2023-06-01");
    CHECK(got[0].headers.count("authorization") == 0);
    CHECK(got[0].body == anthropic_request_body(p, sample_request()));
  }

  TEST_CASE("HTTP failures map to error kinds: 500, 429 with retry-after, a hang past the timeout, junk") {
    test::FakeServer server;
    auto p = test::provider_at("p", ProviderKind::openai, server.base_url(), 300);
    auto provider = make_provider(p);
    auto kind_of = [&](test::Canned c, long* retry = nullptr) {
      server.script({c});
      try {
        provider->chat(sample_request());
      } catch (const ProviderError& e) {
        if (retry) *retry = e.retry_after_ms();
        return e.kind();
      }
      FAIL("no error");
      return ProviderError::Kind::config;
    };
    CHECK(kind_of(test::http_status(500)) == ProviderError::Kind::server);
    long retry = 0;
    CHECK(kind_of(test::http_status(429, {{"retry-after", "7"}}), &retry) == ProviderError::Kind::rate_limited);
    CHECK(retry == 7000);
    CHECK(kind_of(test::http_status(400)) == ProviderError::Kind::client);
    CHECK(kind_of({200, "not json", {}, 0}) == ProviderError::Kind::malformed);
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(kind_of({200, test::openai_text("{}").body, {}, 3000}) == ProviderError::Kind::timeout);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(2000));
  }
}
