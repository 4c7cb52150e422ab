// `reviewer audit token-hash` and `reviewer audit serve`'s refusals at
// start, through the shipped binary.
#include <doctest/doctest.h>

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
