#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "reviewer/server/json_scan.h"
#include "server_fixture.h"

using namespace reviewer;
using namespace reviewer::server;

namespace {

bool keep_all(int, std::string_view) { return true; }
bool keep_top_a(int depth, std::string_view key) { return depth == 1 && key == "a"; }

bool nlohmann_accepts(const std::string& s) { return !nlohmann::json::parse(s, nullptr, false).is_discarded(); }

}  // namespace

TEST_SUITE("server::json_scan") {
  TEST_CASE("kept members are decoded exactly as a full parse, the rest is dropped") {
    const std::string text = R"({"a":{"x":[1,-2.5e3,true,null,"\u00e9\ud83d\ude00 \"q\""]},"b":{"deep":[{"c":1}]},"a\u0062":2})";
    auto all = parse_filtered(text, keep_all);
    REQUIRE(all);
    CHECK(*all == nlohmann::json::parse(text));
    auto some = parse_filtered(text, keep_top_a);
    REQUIRE(some);
    CHECK(*some == nlohmann::json::parse(R"({"a":{}})"));
  }

  TEST_CASE("invalid JSON and invalid UTF-8 are refused, also inside dropped members") {
    for (const std::string& bad : {
             std::string(""), std::string("{"), std::string(R"({"a":1,})"), std::string(R"({"a" 1})"),
             std::string("[1 2]"), std::string("01"), std::string("1."), std::string("-"), std::string("tru"),
             std::string(R"({"b":"\x"})"), std::string(R"({"b":"\ud800"})"), std::string(R"({"b":"\udc00"})"),
             std::string(R"({"b":"\ud800\u0041"})"), std::string("{\"b\":\"\x01\"}"),
             std::string("{\"b\":\"\xC0\xAF\"}"),            // overlong
             std::string("{\"b\":\"\xED\xA0\x80\"}"),        // an encoded surrogate
             std::string("{\"b\":\"\xF4\x90\x80\x80\"}"),    // above U+10FFFF
             std::string("{\"b\":\"\xE2\x82\"}"),            // truncated sequence
             std::string("{\"b\":\"\xFF\"}"), std::string(R"({"a":1} x)"), std::string("{} {}"),
             std::string("/*c*/{}"), std::string("NaN"), std::string("1e400"), std::string(R"({"b":[-1e400]})"),
             R"({"b":1)" + std::string(400, '0') + "}"}) {
      CAPTURE(bad);
      CHECK_FALSE(nlohmann_accepts(bad));  // the reference agrees it is bad
      CHECK_FALSE(parse_filtered(bad, keep_top_a));
      CHECK_FALSE(parse_filtered(bad, keep_all));
    }
  }

  TEST_CASE("a string's special bytes are found at every offset of the sixteen-byte fast path") {
    // Each at offsets 0..40 of a long string: the end of a block, its
    // middle, its last byte and the tail shorter than a block all meet it.
    for (const std::string& special : {std::string("\x01"), std::string("\x1f"), std::string("\xFF"),
                                       std::string("\xC3\xA9"), std::string("\xC3"), std::string("\\n"),
                                       std::string("\\u00e9"), std::string("\\q"), std::string("\x7f"),
                                       std::string("\"")}) {
      for (std::size_t at = 0; at <= 40; ++at) {
        const std::string doc = "{\"a\":\"" + std::string(at, 'x') + special + std::string(40 - at, 'y') + "\"}";
        CAPTURE(at);
        CAPTURE(special);
        const auto ours = parse_filtered(doc, keep_all);
        CHECK(ours.has_value() == nlohmann_accepts(doc));
        if (ours) CHECK(*ours == nlohmann::json::parse(doc));
      }
    }
  }

  TEST_CASE("a byte order mark, surrounding whitespace and scalar documents are accepted as nlohmann does") {
    for (const std::string& good : {std::string("\xEF\xBB\xBF{}"), std::string(" \t\r\n[ ] \n"), std::string("1e300"),
                                   std::string("-0"), std::string("123456789012345678901234567890"), std::string("\"\xF0\x9F\x98\x80\""), std::string("null")}) {
      CAPTURE(good);
      CHECK(nlohmann_accepts(good));
      CHECK(parse_filtered(good, keep_all));
    }
  }

  TEST_CASE("nesting deeper than the limit is refused without exhausting the stack") {
    CHECK(parse_filtered(std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']'), keep_all));
    CHECK_FALSE(parse_filtered(std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']'), keep_all));
    CHECK_FALSE(parse_filtered(std::string(1'000'000, '['), keep_all));
  }

  TEST_CASE("mutated GitHub payloads are accepted or refused exactly as nlohmann does") {
    std::vector<std::string> seeds;
    for (const auto& ex : test::webhook_examples("pull_request")) seeds.push_back(ex.dump());
    seeds.push_back(R"({"a":[1,2.5e3,-0.1,true,false,null,"\u00e9\ud83d\ude00"],"b":{"c":"x\n"}})");
    const std::string alphabet = std::string("{}[]\",:\\/ 0123456789eE+-.tfnrulasx\x01\x7f") +
                                 "\xc0\xc3\xa9\xe0\xed\xa0\xf0\xf4\x90\x80\xbf\xff\xef\xbb";
    std::mt19937 rng(20261126);
    int valid = 0, mismatches = 0;
    for (int round = 0; round < 4000; ++round) {
      std::string s = seeds[rng() % seeds.size()];
      if (s.size() > 200 && rng() % 4 == 0) s = s.substr(rng() % (s.size() - 150), 50 + rng() % 100);
      for (int m = 0, n = 1 + static_cast<int>(rng() % 3); m < n; ++m) {
        const std::size_t pos = s.empty() ? 0 : rng() % s.size();
        const char c = alphabet[rng() % alphabet.size()];
        switch (rng() % 3) {
          case 0: if (!s.empty()) s[pos] = c; break;
          case 1: s.insert(s.begin() + static_cast<std::ptrdiff_t>(pos), c); break;
          default: if (!s.empty()) s.erase(pos, 1); break;
        }
      }
      const bool reference = nlohmann_accepts(s);
      auto ours = parse_filtered(s, keep_all);
      const bool ours_dropping = parse_filtered(s, keep_top_a).has_value();  // checks dropped members alike
      valid += reference;
      if (reference != ours.has_value() || reference != ours_dropping ||
          (reference && *ours != nlohmann::json::parse(s) && ours->dump() != nlohmann::json::parse(s).dump())) {
        ++mismatches;
        CAPTURE(nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        CHECK(reference == ours.has_value());
      }
    }
    CHECK(mismatches == 0);
    CHECK(valid > 400);  // the mutations exercise both outcomes
  }
}
