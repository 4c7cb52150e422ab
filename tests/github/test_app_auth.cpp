#include <doctest/doctest.h>

#include <jwt.h>

#include "github_fixture.h"
#include "reviewer/github/app_auth.h"

using namespace reviewer;
using namespace reviewer::github;
using namespace reviewer::test;
using namespace std::chrono;

namespace {

struct FakeClock {
  system_clock::time_point t = system_clock::now();
  std::function<system_clock::time_point()> fn() {
    return [this] { return t; };
  }
};

AppConfig app_config() {
  AppConfig c;
  c.app_id = "4242";
  c.private_key_pem = test_rsa_key().private_pem;
  return c;
}

}  // namespace

TEST_SUITE("github::GitHubApp") {
  TEST_CASE("the App JWT is RS256, back-dated 60 s, expires within 10 minutes, and names the App") {
    auto now = system_clock::now();
    std::string token = make_app_jwt("4242", test_rsa_key().private_pem, now);
    jwt_t* jwt = nullptr;
    const auto& pub = test_rsa_key().public_pem;
    REQUIRE(jwt_decode(&jwt, token.c_str(), reinterpret_cast<const unsigned char*>(pub.data()),
                       static_cast<int>(pub.size())) == 0);
    long t = static_cast<long>(system_clock::to_time_t(now));
    CHECK(jwt_get_alg(jwt) == JWT_ALG_RS256);
    CHECK(jwt_get_grant_int(jwt, "iat") == t - 60);
    CHECK(jwt_get_grant_int(jwt, "exp") - jwt_get_grant_int(jwt, "iat") <= 600);
    CHECK(jwt_get_grant_int(jwt, "exp") > t);
    CHECK(jwt_get_grant_int(jwt, "iss") == 4242);
    jwt_free(jwt);
  }

  TEST_CASE("a bad private key is refused at start-up without echoing the key") {
    FakeGitHub fake;
    AppConfig c = app_config();
    c.private_key_pem = "-----BEGIN RSA PRIVATE KEY-----\nnot a key\n-----END RSA PRIVATE KEY-----\n";
    try {
      GitHubApp app(c, fake_options(fake, nullptr));
      FAIL("expected an error");
    } catch (const Error& e) {
      std::string msg = e.what();
      CHECK(msg.find("RSA private key") != std::string::npos);
      CHECK(msg.find("not a key") == std::string::npos);
    }
  }

  TEST_CASE("installation tokens are minted with the JWT, narrowed, cached, and refreshed before expiry") {
    FakeGitHub fake;
    FakeClock clock;
    fake.set_clock(clock.fn());
    fake.set_app_public_key(test_rsa_key().public_pem);
    auto opts = fake_options(fake, nullptr);
    opts.now = clock.fn();
    GitHubApp app(app_config(), opts);

    std::string t1 = app.installation_token(99);
    CHECK(t1 == "ghs_fake99_1");
    CHECK(app.installation_token(99) == t1);  // cached
    auto mints = fake.requests("POST", "/app/installations/99/access_tokens");
    REQUIRE(mints.size() == 1);
    CHECK(mints[0].body["permissions"] == bot_token_permissions());
    CHECK(mints[0].headers["authorization"].rfind("Bearer ey", 0) == 0);

    clock.t += minutes(54);  // still more than 5 minutes left
    CHECK(app.installation_token(99) == t1);
    clock.t += minutes(2);   // 4 minutes left: refreshed early
    std::string t2 = app.installation_token(99);
    CHECK(t2 != t1);
    CHECK(fake.requests("POST", "/app/installations/99/access_tokens").size() == 2);

    // Another installation has its own token.
    CHECK(app.installation_token(7) != t2);
  }

  TEST_CASE("a revoked installation token is replaced after one 401") {
    FakeGitHub fake;
    fake.set_app_public_key(test_rsa_key().public_pem);
    fake.set_pull_head("o/r", 3, kHead);
    GitHubApp app(app_config(), fake_options(fake, nullptr));
    RestClient client(fake_options(fake, app.installation_credentials(5)));
    CHECK(client.get("/repos/o/r/pulls/3").status == 200);
    fake.revoke_all_tokens();
    CHECK(client.get("/repos/o/r/pulls/3").status == 200);
    CHECK(fake.requests("POST", "/app/installations/5/access_tokens").size() == 2);
    auto gets = fake.requests("GET", "/repos/o/r/pulls/3");
    REQUIRE(gets.size() == 3);
    CHECK(gets[1].headers["authorization"] != gets[2].headers["authorization"]);
  }

  TEST_CASE("a JWT GitHub rejects is reported as an authentication error") {
    FakeGitHub fake;
    // A different key: the fake verifies with it and rejects our JWT.
    fake.set_app_public_key("-----BEGIN PUBLIC KEY-----\nMFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf\n9Cnzj4p4WGeKLs1Pt8QuKUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQ==\n-----END PUBLIC KEY-----\n");
    GitHubApp app(app_config(), fake_options(fake, nullptr));
    try {
      app.installation_token(1);
      FAIL("expected an error");
    } catch (const GitHubError& e) {
      CHECK(e.status() == 401);
      CHECK(std::string(e.what()).find("/app/installations/1/access_tokens") != std::string::npos);
    }
  }

  TEST_CASE("the bot login comes from the App's slug") {
    FakeGitHub fake;
    fake.set_bot_login("my-reviewer[bot]");
    GitHubApp app(app_config(), fake_options(fake, nullptr));
    CHECK(app.bot_login() == "my-reviewer[bot]");
    CHECK(app.bot_login() == "my-reviewer[bot]");
    CHECK(fake.requests("GET", "/app").size() == 1);
  }
}
