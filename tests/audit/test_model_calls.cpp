#include <doctest/doctest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "audit/pack.h"
#include "audit/query.h"
#include "audit/store.h"
#include "audit/verify.h"
#include "audit_fixtures.h"
#include "support/testutil.h"

using namespace reviewer;
using reviewer::audit::AuditStore;

namespace {

nlohmann::json query_json(const std::filesystem::path& path, const std::string& sql) {
  std::ostringstream out;
  audit::query(path, sql, audit::Format::json, out);
  return nlohmann::json::parse(out.str());
}

ReviewResult review_with_model_and_shadow() {
  ReviewResult r = test::sample_review("run-m", 2);
  r.agents[1].findings[0].shadow = true;  // one shadow finding, one counted
  ModelSummary m;
  m.used = true;
  m.calls = 1;
  ModelCallRecord chat;
  chat.agent = "logic";
  chat.kind = "chat";
  chat.provider = "local";
  chat.model = "test-model";
  chat.template_version = "system@1+logic@1";
  chat.prompt_hash = std::string(64, 'a');
  chat.tokens_in = 1200;
  chat.tokens_out = 80;
  chat.latency_ms = 35;
  chat.cost_usd = 0.00123;
  chat.outcome = "ok";
  chat.prompt = std::string(5000, 'x') + "\nthe hunks, redacted";
  chat.answer = R"({"findings":[]})";
  ModelCallRecord tool;
  tool.agent = "logic";
  tool.kind = "tool";
  tool.outcome = "ok";
  tool.detail = "read_file {\"path\":\"src/a.cc\"}";
  m.records = {chat, tool};
  r.model = m;
  return r;
}

}  // namespace

TEST_SUITE("audit::model_calls") {
  TEST_CASE("shadow findings are audited apart from the findings that counted") {
    auto path = test::scratch_dir("shadow") / "audit.db";
    AuditStore::open(path)->record_review(review_with_model_and_shadow());
    auto counted = query_json(path, "SELECT count(*) AS n FROM findings WHERE run_id = 'run-m'");
    auto shadow = query_json(path, "SELECT rule, agent FROM shadow_findings WHERE run_id = 'run-m'");
    CHECK(counted[0]["n"] == 1);
    REQUIRE(shadow.size() == 1);
    CHECK(shadow[0]["agent"] == "safety");
    auto agents = query_json(path, "SELECT agent, finding_count FROM agent_results ORDER BY agent");
    CHECK(agents[0]["finding_count"] == 0);  // safety: its one finding was shadow
    CHECK(audit::verify(path).ok);
  }

  TEST_CASE("every model call is recorded with cost and compressed text an auditor can read") {
    auto path = test::scratch_dir("model-calls") / "audit.db";
    AuditStore::open(path)->record_review(review_with_model_and_shadow());
    auto rows = query_json(path,
                           "SELECT call_index, kind, provider, model, template_version, tokens_in, tokens_out, "
                           "latency_ms, cost_micro_usd, outcome, detail, length(prompt_z) AS stored, "
                           "unpack(prompt_z) AS prompt, unpack(answer_z) AS answer "
                           "FROM model_calls WHERE run_id = 'run-m' ORDER BY call_index");
    REQUIRE(rows.size() == 2);
    CHECK(rows[0]["kind"] == "chat");
    CHECK(rows[0]["provider"] == "local");
    CHECK(rows[0]["template_version"] == "system@1+logic@1");
    CHECK(rows[0]["tokens_in"] == 1200);
    CHECK(rows[0]["cost_micro_usd"] == 1230);
    CHECK(rows[0]["prompt"] == std::string(5000, 'x') + "\nthe hunks, redacted");
    CHECK(rows[0]["stored"].get<int>() < 500);  // compressed
    CHECK(rows[0]["answer"] == R"({"findings":[]})");
    CHECK(rows[1]["kind"] == "tool");
    CHECK(rows[1]["detail"] == "read_file {\"path\":\"src/a.cc\"}");
    CHECK(rows[1]["prompt"] == "");
    CHECK(audit::verify(path).ok);
  }

  TEST_CASE("unpack gives NULL for anything pack_text did not write") {
    CHECK(audit::unpack_text(audit::pack_text("hello\nworld")) == "hello\nworld");
    CHECK(audit::unpack_text("") == "");
    CHECK_FALSE(audit::unpack_text("not base64!"));
    CHECK_FALSE(audit::unpack_text("aGVsbG8="));  // base64, but not zlib
    auto path = test::scratch_dir("unpack-null") / "audit.db";
    AuditStore::open(path)->record_review(test::sample_review("run-1", 1));
    auto rows = query_json(path, "SELECT unpack('garbage') AS g, unpack(NULL) AS n");
    CHECK(rows[0]["g"].is_null());
    CHECK(rows[0]["n"].is_null());
  }
}
