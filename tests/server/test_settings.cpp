#include <doctest/doctest.h>

#include "reviewer/core/error.h"
#include "reviewer/server/settings.h"
#include "support/testutil.h"

using namespace reviewer;
using namespace reviewer::server;

namespace {

std::string error_of(const std::optional<std::filesystem::path>& file, const Environment& env) {
  try {
    load_settings(file, env);
  } catch (const Error& e) {
    CHECK(e.code() == Error::Code::usage);
    return e.what();
  }
  return "";
}

}  // namespace

TEST_SUITE("server::settings") {
  TEST_CASE("defaults apply and environment variables set every key") {
    auto s = load_settings(std::nullopt, {{"REVIEWER_WEBHOOK_SECRET", "s3cret"}});
    CHECK(s.listen_host == "127.0.0.1");
    CHECK(s.listen_port == 8080);
    CHECK(s.mode == Mode::dry_run);
    CHECK(s.data_dir == "reviewer-data");
    CHECK(s.github_mutation_interval_ms == 1000);
    s = load_settings(std::nullopt, {{"REVIEWER_WEBHOOK_SECRET", "s3cret"},
                                     {"REVIEWER_LISTEN", "0.0.0.0:9000"},
                                     {"REVIEWER_WORKERS", "8"},
                                     {"REVIEWER_DATA_DIR", "/var/lib/reviewer"},
                                     {"REVIEWER_SHUTDOWN_GRACE_SECONDS", "3"},
                                     {"REVIEWER_GITHUB_MUTATION_INTERVAL_MS", "0"}});
    CHECK(s.listen_host == "0.0.0.0");
    CHECK(s.github_mutation_interval_ms == 0);
    CHECK(s.listen_port == 9000);
    CHECK(s.workers == 8);
    CHECK(s.queue_db() == "/var/lib/reviewer/queue.db");
    CHECK(s.shutdown_grace_seconds == 3);
  }

  TEST_CASE("bad values name the variable and quote the value") {
    const Environment base = {{"REVIEWER_WEBHOOK_SECRET", "s3cret"}};
    auto with = [&](const std::string& k, const std::string& v) {
      Environment e = base;
      e[k] = v;
      return e;
    };
    CHECK(error_of(std::nullopt, with("REVIEWER_WORKERS", "0")) ==
          "environment variable REVIEWER_WORKERS: '0' is out of range (1..64)");
    CHECK(error_of(std::nullopt, with("REVIEWER_WORKERS", "two")) ==
          "environment variable REVIEWER_WORKERS: 'two' is not a whole number");
    CHECK(error_of(std::nullopt, with("REVIEWER_LISTEN", "8080")) ==
          "environment variable REVIEWER_LISTEN: '8080' is not HOST:PORT (for example 127.0.0.1:8080)");
    CHECK(error_of(std::nullopt, with("REVIEWER_LISTEN", "localhost:99999")) ==
          "environment variable REVIEWER_LISTEN: '99999' is out of range (0..65535)");
    CHECK(error_of(std::nullopt, with("REVIEWER_GITHUB_MUTATION_INTERVAL_MS", "-1")) ==
          "environment variable REVIEWER_GITHUB_MUTATION_INTERVAL_MS: '-1' is out of range (0..60000)");
    // Bodies may go after 0 days (the rows that deduplicate stay 3: server.cpp).
    CHECK(error_of(std::nullopt, with("REVIEWER_DELIVERY_RETENTION_DAYS", "-1")) ==
          "environment variable REVIEWER_DELIVERY_RETENTION_DAYS: '-1' is out of range (0..3650)");
    CHECK(error_of(std::nullopt, with("REVIEWER_DEAD_LETTER_RETENTION_DAYS", "-1")) ==
          "environment variable REVIEWER_DEAD_LETTER_RETENTION_DAYS: '-1' is out of range (0..36500)");
    CHECK(error_of(std::nullopt, with("REVIEWER_MODE", "yolo")) ==
          "environment variable REVIEWER_MODE: 'yolo' is not a mode (dry-run, shadow or active)");
    CHECK(error_of(std::nullopt, with("REVIEWER_MODE", "active")).find("needs GITHUB_APP_ID") != std::string::npos);
    CHECK(error_of(std::nullopt, with("REVIEWER_WORKER", "2")) ==
          "environment variable REVIEWER_WORKER: unknown (did you mean REVIEWER_WORKERS?)");
  }

  TEST_CASE("a webhook secret is required, from one source, and never quoted") {
    CHECK(error_of(std::nullopt, {}).find("no webhook secret") == 0);
    auto dir = test::scratch_dir("secret");
    test::write_text(dir / "secret", "from-file\n");
    auto s = load_settings(std::nullopt, {{"REVIEWER_WEBHOOK_SECRET_FILE", (dir / "secret").string()}});
    CHECK(s.webhook_secret == "from-file");
    std::string both = error_of(std::nullopt, {{"REVIEWER_WEBHOOK_SECRET", "abc-secret-value"},
                                               {"REVIEWER_WEBHOOK_SECRET_FILE", (dir / "secret").string()}});
    CHECK(both.find("both set") != std::string::npos);
    CHECK(both.find("abc-secret-value") == std::string::npos);
    CHECK(error_of(std::nullopt, {{"REVIEWER_WEBHOOK_SECRET_FILE", (dir / "nope").string()}})
              .find("cannot read the secret file") != std::string::npos);
  }

  TEST_CASE("a config file sets keys, the environment overrides it, unknown keys are errors") {
    auto dir = test::scratch_dir("config");
    test::write_text(dir / "serve.yml", "listen: 127.0.0.1:9100\nworkers: 3\nwebhook_secret: from-file\n");
    auto s = load_settings(dir / "serve.yml", {{"REVIEWER_WORKERS", "5"}});
    CHECK(s.listen_port == 9100);
    CHECK(s.workers == 5);
    CHECK(s.webhook_secret == "from-file");
    test::write_text(dir / "serve.json", R"({"listen": "127.0.0.1:9200", "webhook_secret": "x", "mode": "dry-run"})");
    CHECK(load_settings(dir / "serve.json", {}).listen_port == 9200);
    test::write_text(dir / "typo.yml", "webhook_secret: x\nworker: 3\n");
    CHECK(error_of(dir / "typo.yml", {}) == (dir / "typo.yml").string() + ":2: unknown key 'worker' (did you mean 'workers'?)");
    test::write_text(dir / "bad.yml", "webhook_secret: x\nworkers: 100\n");
    CHECK(error_of(dir / "bad.yml", {}) == (dir / "bad.yml").string() + ":2: workers: '100' is out of range (1..64)");
    test::write_text(dir / "list.yml", "- a\n- b\n");
    CHECK(error_of(dir / "list.yml", {}).find("must be a mapping") != std::string::npos);
    CHECK(error_of(dir / "missing.yml", {}).find("cannot read the config file") != std::string::npos);
  }
}
