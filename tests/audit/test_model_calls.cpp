#include <doctest/doctest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "audit/pack.h"
#include "audit/query.h"
#include "audit/store.h"
#include "audit/verify.h"
#include "audit_fixtures.h"
#include "storage/postgres.h"
#include "support/postgres.h"
#include "support/testutil.h"

using namespace reviewer;
using reviewer::audit::AuditStore;

namespace {


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
    test::on_each_backend("shadow", [](const std::string& at) {
      AuditStore::open_location(at)->record_review(review_with_model_and_shadow());
      const test::LogAuditor auditor(at);
      auto counted = test::query_rows(auditor.url(), "SELECT count(*) AS n FROM findings WHERE run_id = 'run-m'");
      auto shadow = test::query_rows(auditor.url(), "SELECT rule, agent FROM shadow_findings WHERE run_id = 'run-m'");
      CHECK(counted[0]["n"] == 1);
      REQUIRE(shadow.size() == 1);
      CHECK(shadow[0]["agent"] == "safety");
      auto agents = test::query_rows(auditor.url(), "SELECT agent, finding_count FROM agent_results ORDER BY agent");
      CHECK(agents[0]["finding_count"] == 0);  // safety: its one finding was shadow
      CHECK(audit::verify_location(at).ok);
    });
  }

  TEST_CASE("every model call is recorded with cost and compressed text an auditor can read") {
    test::on_each_backend("model-calls", [](const std::string& at) {
      AuditStore::open_location(at)->record_review(review_with_model_and_shadow());
      const test::LogAuditor auditor(at);
      auto rows = test::query_rows(auditor.url(),
                                   "SELECT call_index, kind, provider, model, template_version, tokens_in, tokens_out, "
                                   "latency_ms, cost_micro_usd, outcome, detail, length(prompt_z) AS stored, "
                                   "prompt_z, answer_z FROM model_calls WHERE run_id = 'run-m' ORDER BY call_index");
      REQUIRE(rows.size() == 2);
      CHECK(rows[0]["kind"] == "chat");
      CHECK(rows[0]["provider"] == "local");
      CHECK(rows[0]["template_version"] == "system@1+logic@1");
      CHECK(rows[0]["tokens_in"] == 1200);
      CHECK(rows[0]["cost_micro_usd"] == 1230);
      CHECK(audit::unpack_text(rows[0]["prompt_z"].get<std::string>()) ==
            std::string(5000, 'x') + "\nthe hunks, redacted");
      CHECK(rows[0]["stored"].get<int>() < 500);  // compressed
      CHECK(audit::unpack_text(rows[0]["answer_z"].get<std::string>()) == R"({"findings":[]})");
      CHECK(rows[1]["kind"] == "tool");
      CHECK(rows[1]["detail"] == "read_file {\"path\":\"src/a.cc\"}");
      CHECK(audit::unpack_text(rows[1]["prompt_z"].get<std::string>()) == "");
      CHECK(audit::verify_location(at).ok);
      if (storage::is_postgres_url(at)) return;
      // SQLite's auditors unpack in SQL.
      auto text = test::query_rows(auditor.url(), "SELECT unpack(prompt_z) AS prompt, unpack(answer_z) AS answer "
                                                  "FROM model_calls WHERE run_id = 'run-m' ORDER BY call_index");
      CHECK(text[0]["prompt"] == std::string(5000, 'x') + "\nthe hunks, redacted");
      CHECK(text[0]["answer"] == R"({"findings":[]})");
      CHECK(text[1]["prompt"] == "");
    });
  }

  TEST_CASE("unpack gives NULL for anything pack_text did not write") {
    CHECK(audit::unpack_text(audit::pack_text("hello\nworld")) == "hello\nworld");
    CHECK(audit::unpack_text("") == "");
    CHECK_FALSE(audit::unpack_text("not base64!"));
    CHECK_FALSE(audit::unpack_text("aGVsbG8="));  // base64, but not zlib
    auto path = test::scratch_dir("unpack-null") / "audit.db";
    AuditStore::open(path)->record_review(test::sample_review("run-1", 1));
    auto rows = test::query_rows(path, "SELECT unpack('garbage') AS g, unpack(NULL) AS n");
    CHECK(rows[0]["g"].is_null());
    CHECK(rows[0]["n"].is_null());
  }
}
