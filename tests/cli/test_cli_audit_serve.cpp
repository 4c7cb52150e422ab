// `reviewer audit token-hash`, `reviewer audit serve`'s refusals at start
// and its heap in huge pages (the webhook server's in 4 KB pages), through
// the shipped binary.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>

#include "cli_fixture.h"
#include "support/testutil.h"

namespace reviewer {

TEST_SUITE("cli::audit_serve") {
  TEST_CASE("token-hash prints the SHA-256 line of the token on standard input") {
    std::string out;
    CHECK(test::run_command(fmt::format("printf 'abc' | {} audit token-hash", REVIEWER_BINARY), &out) == 0);
    CHECK(out == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n");
    CHECK(test::run_command(fmt::format("echo abc | {} audit token-hash", REVIEWER_BINARY), &out) == 0);
    CHECK(out == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n");
    CHECK(test::run_command(fmt::format("printf '' | {} audit token-hash", REVIEWER_BINARY), &out, true) == 1);
    CHECK(out.find("no token on standard input") != std::string::npos);
  }

  TEST_CASE("serve builds the overview in huge pages where the kernel gives them") {
    std::ifstream mode_file("/sys/kernel/mm/transparent_hugepage/enabled");
    const std::string mode{std::istreambuf_iterator<char>(mode_file), std::istreambuf_iterator<char>()};
    if (mode.empty() || mode.find("[never]") != std::string::npos) return;  // the kernel gives none
    std::string libs;
    test::run_command(fmt::format("ldd {}", REVIEWER_BINARY), &libs);
    if (libs.find("tcmalloc") == std::string::npos) return;  // a sanitizer build: its own allocator
    const auto dir = test::scratch_dir("serve-huge-pages");
    REQUIRE(test::run_command(fmt::format("{} demo --dir {} >/dev/null 2>&1", REVIEWER_BINARY, dir.string()), nullptr) ==
            0);
    // Start the console, ask for the all-time overview (it builds the
    // summary), then read how much of the process is in huge pages.
    const std::string script = fmt::format(
        R"(set -e; cd {dir}; T=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'); printf '%s' "$T" | {bin} audit token-hash > tokens
P=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
{bin} audit serve --db audit.db --tokens tokens --listen 127.0.0.1:$P 2>serve.log & S=$!
for i in $(seq 300); do curl -s -o /dev/null http://127.0.0.1:$P/login && break; sleep 0.02; done
curl -s -o /dev/null -w '%{{http_code}} ' -H "Authorization: Bearer $T" "http://127.0.0.1:$P/?period=all"
awk '/AnonHugePages/ {{print $2}}' /proc/$S/smaps_rollup; kill $S; wait $S || true)",
        fmt::arg("dir", dir.string()), fmt::arg("bin", REVIEWER_BINARY));
    std::string out;
    test::write_text(dir / "start.sh", script);
    REQUIRE(test::run_command(fmt::format("bash {}", (dir / "start.sh").string()), &out) == 0);
    CAPTURE(out);
    CHECK(out.rfind("200 ", 0) == 0);
    CHECK(std::stol(out.substr(4)) >= 2048);  // kB: at least one 2 MB page
  }

  TEST_CASE("serve keeps the overview's summary beside the log by default, and a restart loads it") {
    const auto dir = test::scratch_dir("serve-default-summary-cache");
    REQUIRE(test::run_command(fmt::format("{} demo --dir {} >/dev/null 2>&1", REVIEWER_BINARY, dir.string()), nullptr) ==
            0);
    // Three starts, each asked for the all-time overview: the first writes
    // the file, the second loads it, the third is told to keep none.
    const std::string script = fmt::format(
        R"(set -e; cd {dir}; T=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'); printf '%s' "$T" | {bin} audit token-hash > tokens
for run in 1 2 3; do
  extra=""; [ $run = 3 ] && extra=--no-summary-cache
  P=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  {bin} audit serve --db audit.db --tokens tokens --listen 127.0.0.1:$P $extra 2>serve$run.log & S=$!
  for i in $(seq 300); do curl -s -o /dev/null http://127.0.0.1:$P/login && break; sleep 0.02; done
  curl -s -o overview$run.html -w '%{{http_code}} ' -H "Authorization: Bearer $T" "http://127.0.0.1:$P/?period=all"
  kill $S; wait $S || true
done
stat -c %a audit.db.overview-summary; cmp overview1.html overview2.html; cmp overview1.html overview3.html)",
        fmt::arg("dir", dir.string()), fmt::arg("bin", REVIEWER_BINARY));
    std::string out;
    test::write_text(dir / "start.sh", script);
    REQUIRE(test::run_command(fmt::format("bash {}", (dir / "start.sh").string()), &out) == 0);
    CAPTURE(out);
    CHECK(out == "200 200 200 600\n");
    const auto log = [&](int run) { return test::read_text(dir / fmt::format("serve{}.log", run)); };
    CHECK(log(1).find("audit.db.overview-summary: none yet; the whole log read") != std::string::npos);
    CHECK(log(2).find("audit.db.overview-summary: loaded at seq") != std::string::npos);
    CHECK(log(3).find("summary cache") == std::string::npos);
  }

  TEST_CASE("the webhook server keeps its heap in 4 KB pages") {
    // Only the console and the one-shot commands take huge pages; under
    // `always` the kernel gives every process some, so nothing to check.
    std::ifstream mode_file("/sys/kernel/mm/transparent_hugepage/enabled");
    const std::string mode{std::istreambuf_iterator<char>(mode_file), std::istreambuf_iterator<char>()};
    if (mode.find("[madvise]") == std::string::npos) return;
    const auto dir = test::scratch_dir("webhook-small-pages");
    const std::string script = fmt::format(
        R"(set -e; cd {dir}
P=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
REVIEWER_WEBHOOK_SECRET=s REVIEWER_LISTEN=127.0.0.1:$P REVIEWER_DATA_DIR={dir}/data {bin} serve 2>serve.log & S=$!
for i in $(seq 300); do curl -sf -o /dev/null http://127.0.0.1:$P/healthz && break; sleep 0.02; done
curl -s -o /dev/null -w '%{{http_code}} ' http://127.0.0.1:$P/healthz
awk '/AnonHugePages/ {{print $2}}' /proc/$S/smaps_rollup; kill $S; wait $S || true)",
        fmt::arg("dir", dir.string()), fmt::arg("bin", REVIEWER_BINARY));
    test::write_text(dir / "start.sh", script);
    std::string out;
    REQUIRE(test::run_command(fmt::format("bash {}", (dir / "start.sh").string()), &out) == 0);
    CAPTURE(out);
    CHECK(out.rfind("200 ", 0) == 0);
    CHECK(std::stol(out.substr(4)) == 0);
  }

  TEST_CASE("serve refuses to start without a usable tokens file, log or address") {
    const auto dir = test::scratch_dir("serve-refusals");
    test::write_text(dir / "empty", "# no auditors yet\n");
    test::write_text(dir / "tokens", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n");
    const auto run = [&](const std::string& args) {
      std::string out;
      const int rc = test::run_command(fmt::format("{} audit serve {} 2>&1", REVIEWER_BINARY, args), &out);
      return std::make_pair(rc, out);
    };
    auto r = run(fmt::format("--db {} --tokens {}", (dir / "missing.db").string(), (dir / "empty").string()));
    CHECK(r.first == 1);
    CHECK(r.second.find("holds no token hash") != std::string::npos);
    r = run(fmt::format("--db {} --tokens {}", (dir / "missing.db").string(), (dir / "tokens").string()));
    CHECK(r.first == 1);
    CHECK(r.second.find("missing.db") != std::string::npos);
    r = run(fmt::format("--db {} --tokens {} --listen nowhere", (dir / "missing.db").string(),
                        (dir / "tokens").string()));
    CHECK(r.first == 1);
    CHECK(r.second.find("--listen 'nowhere' is not HOST:PORT") != std::string::npos);
    r = run("--db x.db");
    CHECK(r.first == 1);
    CHECK(r.second.find("--tokens is required") != std::string::npos);
  }
}

}  // namespace reviewer
