// Who may read the console: bearer tokens, the login form's cookie, the
// trusted header (off by default); everything else gets 401.
#include <doctest/doctest.h>

#include <fstream>

#include "console_fixture.h"
#include "reviewer/console/auth.h"
#include "reviewer/core/error.h"
#include "support/testutil.h"

namespace reviewer::console {

using test::get;
using test::header_of;
using test::kToken;
using test::request;

TEST_SUITE("console::auth") {
  TEST_CASE("a request without a token, with a wrong one or another scheme is 401; the right bearer token is 200") {
    Console c(test::console_options(test::console_log(test::scratch_dir("auth")).string()));
    for (const auto& h : std::vector<test::Headers>{{},
                                                    {{"Authorization", "Bearer wrong-token"}},
                                                    {{"Authorization", "Bearer "}},
                                                    {{"Authorization", "Basic " + kToken}},
                                                    {{"Cookie", "reviewer_console=" + kToken}}}) {
      for (const char* path : {"/", "/changes", "/change?repo=acme/web&pr=1", "/sql?q=select+1", "/nope"}) {
        const auto a = request(c, path, h);
        CAPTURE(path);
        CHECK(a.status == 401);
        CHECK(header_of(a, "WWW-Authenticate").starts_with("Bearer"));
        CHECK(a.body.find("acme/web") == std::string::npos);
      }
    }
    CHECK(get(c, "/").status == 200);
    CHECK(request(c, "/", {{"Authorization", "bearer " + kToken}}).status == 200);  // the scheme is case-blind
    CHECK(get(c, "/nope").status == 404);
  }

  TEST_CASE("the login page and the static files need no token; nothing else is public") {
    Console c(test::console_options(test::console_log(test::scratch_dir("public")).string()));
    CHECK(request(c, "/login").status == 200);
    CHECK(request(c, "/login").body.find("name=\"token\"") != std::string::npos);
    for (const char* file : {"/static/chart.js", "/static/console.js", "/static/console.css"}) {
      const auto a = request(c, file);
      CAPTURE(file);
      CHECK(a.status == 200);
      CHECK(a.body.size() > 1000);
    }
    CHECK(request(c, "/static/../audit.db").status == 404);
  }

  TEST_CASE("the login form's token becomes a session cookie and leaves the address") {
    auto now = std::chrono::system_clock::now();
    auto options = test::console_options(test::console_log(test::scratch_dir("cookie")).string());
    options.now = [&now] { return now; };
    Console c(std::move(options));

    const auto wrong = request(c, "/changes?token=nope&approver=bot");
    CHECK(wrong.status == 401);
    CHECK(header_of(wrong, "Set-Cookie").empty());

    const auto login = request(c, "/changes?approver=bot&token=" + kToken + "&reverted=yes");
    REQUIRE(login.status == 303);
    CHECK(header_of(login, "Location") == "/changes?approver=bot&reverted=yes");
    const std::string set = header_of(login, "Set-Cookie");
    CHECK(set.starts_with("reviewer_console="));
    for (const char* attribute : {"; HttpOnly", "; SameSite=Strict", "; Path=/", "; Max-Age=43200"}) {
      CHECK(set.find(attribute) != std::string::npos);
    }
    CHECK(set.find("Secure") == std::string::npos);  // plain HTTP: a browser would refuse it
    const std::string value = set.substr(17, set.find(';') - 17);
    CHECK(value.find(kToken) == std::string::npos);
    CHECK(value.find(token_hash(kToken)) == std::string::npos);

    CHECK(request(c, "/changes", {{"Cookie", "theme=dark; reviewer_console=" + value}}).status == 200);
    std::string forged = value;
    forged.back() = forged.back() == '0' ? '1' : '0';
    CHECK(request(c, "/changes", {{"Cookie", "reviewer_console=" + forged}}).status == 401);
    CHECK(request(c, "/changes", {{"Cookie", "reviewer_console=" + value.substr(value.find('.'))}}).status == 401);

    // A session ends after 12 hours, and with the process (another key).
    now += std::chrono::hours(13);
    CHECK(request(c, "/changes", {{"Cookie", "reviewer_console=" + value}}).status == 401);
    Console other(test::console_options(test::console_log(test::scratch_dir("cookie2")).string()));
    CHECK(request(other, "/changes", {{"Cookie", "reviewer_console=" + value}}).status == 401);

    const auto tls = request(c, "/?token=" + kToken, {{"X-Forwarded-Proto", "https"}});
    CHECK(header_of(tls, "Set-Cookie").find("; Secure") != std::string::npos);
    CHECK(header_of(request(c, "/logout"), "Set-Cookie").find("Max-Age=0") != std::string::npos);
  }

  TEST_CASE("the trusted header is ignored unless --trusted-header names it; its user is shown as text") {
    const auto log = test::console_log(test::scratch_dir("trusted")).string();
    Console off(test::console_options(log));
    CHECK(request(off, "/", {{"X-Auth-User", "eve"}}).status == 401);
    Console on(test::console_options(log, "X-Auth-User"));
    const auto a = request(on, "/", {{"X-Auth-User", "<b>eve</b>"}});
    CHECK(a.status == 200);
    CHECK(a.body.find("&lt;b&gt;eve&lt;/b&gt;") != std::string::npos);
    CHECK(a.body.find("<b>eve") == std::string::npos);
    CHECK(request(on, "/", {{"X-Other-User", "eve"}}).status == 401);
  }

  TEST_CASE("the tokens file holds hashes: unreadable, empty or malformed files are refused at start") {
    const auto dir = test::scratch_dir("tokens");
    CHECK_THROWS_WITH_AS(TokenSet::load(dir / "missing"), doctest::Contains("cannot read the tokens file"), Error);
    test::write_text(dir / "empty", "# auditors\n\n");
    CHECK_THROWS_WITH_AS(TokenSet::load(dir / "empty"), doctest::Contains("holds no token hash"), Error);
    test::write_text(dir / "plain", "# auditors\n" + token_hash("a") + "\nnot-a-hash\n");
    CHECK_THROWS_WITH_AS(TokenSet::load(dir / "plain"), doctest::Contains("plain:3: not a token hash"), Error);
    test::write_text(dir / "good", "# alice\n  " + token_hash("a") + "  \n\n" + token_hash("b") + "\n");
    const auto tokens = TokenSet::load(dir / "good");
    CHECK(tokens.hashes().size() == 2);
    CHECK(tokens.accept("b") == token_hash("b"));
    CHECK_FALSE(tokens.accept("c"));
    CHECK_FALSE(tokens.accept(""));
  }

  TEST_CASE("token-hash is the SHA-256 of the token, a trailing newline aside") {
    CHECK(token_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(token_hash("abc\n") == token_hash("abc"));
    CHECK(token_hash("abc\r\n") == token_hash("abc"));
  }
}

}  // namespace reviewer::console
