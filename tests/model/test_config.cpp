#include <doctest/doctest.h>

#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "reviewer/model/config.h"
#include "support/testutil.h"

using namespace reviewer;
using namespace reviewer::model;

namespace {

const char* kDesignExample = R"(providers:
  - name: primary
    kind: openai
    base_url: https://api.openai.com/v1/
    model: gpt-4.1
    api_key_env: OPENAI_API_KEY
    timeout_ms: 30000
    max_output_tokens: 2000
    price_per_mtok: {input: 2.0, output: 8.0}
  - name: backup
    kind: anthropic
    base_url: https://api.anthropic.com/v1
    model: claude-sonnet-4
    api_key_env: ANTHROPIC_API_KEY
budget: {tokens_per_review: 200000, usd_per_review: 0.50}
)";

std::string error_of(const std::string& yaml) {
  try {
    parse_model_config(yaml, "model.yml");
  } catch (const Error& e) {
    CHECK(e.code() == Error::Code::invalid_input);
    return e.what();
  }
  return "";
}

}  // namespace

TEST_SUITE("model::config") {
  TEST_CASE("the DESIGN.md example parses into ordered providers and a budget") {
    auto cfg = parse_model_config(kDesignExample, "model.yml");
    REQUIRE(cfg.providers.size() == 2);
    CHECK(cfg.providers[0].name == "primary");
    CHECK(cfg.providers[0].kind == ProviderKind::openai);
    CHECK(cfg.providers[0].base_url == "https://api.openai.com/v1");  // trailing slash dropped
    CHECK(cfg.providers[0].api_key_env == "OPENAI_API_KEY");
    CHECK(cfg.providers[0].usd_per_mtok_input == doctest::Approx(2.0));
    CHECK(cfg.providers[0].usd_per_mtok_output == doctest::Approx(8.0));
    CHECK(cfg.providers[1].kind == ProviderKind::anthropic);
    CHECK(cfg.providers[1].timeout_ms == 30000);  // default
    CHECK(cfg.budget.tokens_per_review == 200000);
    CHECK(cfg.budget.usd_per_review == doctest::Approx(0.5));
  }

  TEST_CASE("errors name the file, line and column of the bad value") {
    CHECK(error_of("providers:\n  - name: a\n    kind: gemini\n    base_url: https://x\n    model: m\n") ==
          "model.yml:3:11: 'kind' must be openai or anthropic, got 'gemini'");
    CHECK(error_of("providers:\n  - name: a\n    kind: openai\n    base_url: https://x\n    model: m\n    timeout_ms: 0\n") ==
          "model.yml:6:17: 'timeout_ms' must be between 1 and 600000");
    CHECK(error_of("providers:\n  - name: a\n    kind: openai\n    base_url: https://x\n    model: m\n    tmeout_ms: 5\n") ==
          "model.yml:6:5: unknown key 'tmeout_ms' in a provider");
    CHECK(error_of("budget: {tokens_per_review: 5}\n").find("'providers' must be a non-empty list") != std::string::npos);
    CHECK(error_of("providers: [\n").rfind("model.yml:", 0) == 0);
    CHECK(error_of("providers:\n  - name: a\n    kind: openai\n    base_url: ftp://x\n    model: m\n") ==
          "model.yml:4:15: 'base_url' must start with http:// or https://");
    CHECK(error_of("providers:\n  - name: a\n    kind: openai\n    base_url: https://x\n    model: m\n"
                   "  - name: a\n    kind: openai\n    base_url: https://y\n    model: m\n")
              .find("duplicate provider name 'a'") != std::string::npos);
  }

  TEST_CASE("plain http:// is only for a loopback address: the key would cross the network in clear") {
    auto with_url = [](const std::string& url) {
      return error_of("providers:\n  - name: a\n    kind: openai\n    base_url: " + url + "\n    model: m\n");
    };
    for (const char* url : {"http://api.example.com/v1", "http://127.0.0.1.evil.example/v1",
                            "http://localhost.evil.example:80/v1", "http://10.0.0.8:8080/v1", "http://[::2]/v1",
                            "http://127.0.0.1@evil.example/v1"}) {
      CAPTURE(url);
      CHECK(with_url(url) == fmt::format("model.yml:4:15: 'base_url' must be https:// (plain http:// only to a "
                                         "loopback address: localhost, 127.0.0.0/8 or [::1]), got '{}'",
                                         url));
    }
    for (const char* url : {"https://api.example.com/v1", "http://127.0.0.1:8081/v1", "http://127.9.0.1/v1",
                            "http://localhost:11434/v1", "http://LOCALHOST/v1", "http://[::1]:8080/v1"}) {
      CAPTURE(url);
      CHECK(with_url(url).empty());
    }
  }

  TEST_CASE("a key written into the file is refused without echoing it") {
    auto msg = error_of("providers:\n  - name: a\n    kind: openai\n    base_url: https://x\n    model: m\n"
                        "    api_key: sk-live-SECRET123\n");
    CHECK(msg.find("model.yml:6:") == 0);
    CHECK(msg.find("api_key_env") != std::string::npos);
    CHECK(msg.find("SECRET123") == std::string::npos);
    CHECK(error_of("providers:\n  - name: a\n    kind: openai\n    base_url: https://x\n    model: m\n"
                   "    api_key_env: 'sk-abc def'\n")
              .find("must be an environment variable name") != std::string::npos);
  }

  TEST_CASE("an unreadable file is a usage error naming it") {
    try {
      load_model_config("/nonexistent/model.yml");
      FAIL("no error");
    } catch (const Error& e) {
      CHECK(e.code() == Error::Code::usage);
      CHECK(std::string(e.what()).find("/nonexistent/model.yml") != std::string::npos);
    }
    auto dir = test::scratch_dir("model-config");
    test::write_text(dir / "m.yml", kDesignExample);
    CHECK(load_model_config(dir / "m.yml").providers.size() == 2);
  }
}
