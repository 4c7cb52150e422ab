#include <doctest/doctest.h>

#include "subagents/safety/secret_checks.h"
#include "support/testutil.h"

using namespace reviewer::safety;

TEST_SUITE("safety::secret_checks") {
  TEST_CASE("redact shows the kind, the first four characters and the length only") {
    const std::string value = std::string("AKIA") + "Q7RX2MZP4KWT9BNC";
    CHECK(redact("aws-access-key", value) == "aws-access-key AKIA\u2026 (20 chars)");
    CHECK(redact("aws-access-key", value).find("Q7RX") == std::string::npos);
  }

  TEST_CASE("redact shows less of short values, and nothing of tiny ones") {
    CHECK(redact("db", "hunter22") == "db hu\u2026 (8 chars)");
    CHECK(redact("db", "abc") == "db \u2026 (3 chars)");
  }

  TEST_CASE("redact never shows non-ASCII or whitespace bytes") {
    CHECK(redact("k", "a\xC3\xA9" "bcdefghijklmnop") == "k a\u2026 (18 chars)");
  }

  TEST_CASE("Shannon entropy is zero for one repeated byte and log2(n) for n distinct bytes") {
    CHECK(shannon_entropy("aaaaaaaa") == doctest::Approx(0.0));
    CHECK(shannon_entropy("abcd") == doctest::Approx(2.0));
    CHECK(shannon_entropy("0123456789abcdef") == doctest::Approx(4.0));
    CHECK(shannon_entropy("") == doctest::Approx(0.0));
  }

  TEST_CASE("crc32 matches the IEEE check value") {
    CHECK(crc32("123456789") == 0xCBF43926u);
    CHECK(crc32("") == 0u);
  }

  TEST_CASE("GitHub checksum: the published example token validates, a changed character does not") {
    // The example from therootcompany/base62-token.js's spec, built from
    // pieces so the source holds no literal token.
    const std::string random = "zQWBuTSOoRi4A9spHcVY5ncnsDkxkJ";
    CHECK(github_checksum(random) == "0mLq17");
    CHECK(github_checksum_valid(std::string("gh") + "p_" + random + "0mLq17"));
    CHECK_FALSE(github_checksum_valid(std::string("gh") + "p_" + random + "0mLq18"));
    std::string flipped = random;
    flipped[3] = 'X';
    CHECK_FALSE(github_checksum_valid(std::string("gh") + "p_" + flipped + "0mLq17"));
    CHECK_FALSE(github_checksum_valid("ghp_"));
    CHECK_FALSE(github_checksum_valid("no-underscore"));
  }

  TEST_CASE("printable_excerpt makes invisible characters visible and cuts long text") {
    CHECK(printable_excerpt("a\xE2\x80\xAE" "b", 100) == "a<U+202E>b");
    CHECK(printable_excerpt("x\xE2\x80\x8By", 100) == "x<U+200B>y");
    CHECK(printable_excerpt("bad\xFF", 100) == "bad<0xFF>");
    CHECK(printable_excerpt("tab\there", 100) == "tab here");
    CHECK(printable_excerpt(std::string(500, 'a'), 10) == std::string(10, 'a') + "\u2026");
  }
}

TEST_SUITE("safety::secret_checks") {
  TEST_CASE("jwt_issued reads the payload's claims: an issuer's claim counts, a hand-made payload does not") {
    const std::string head = "eyJhbGciOiJIUzI1NiJ9";
    CHECK_FALSE(jwt_issued(head + ".eyJzdWIiOiJmb28ifQ.sig"));                   // {"sub":"foo"}
    CHECK(jwt_issued(head + ".eyJpYXQiOjE1MTYyMzkwMjJ9.sig"));                   // {"iat":1516239022}
    CHECK_FALSE(jwt_issued(head + ".eyJzdWIiOiJleHAifQ.sig"));                   // {"sub":"exp"}: a value, not a claim
    CHECK(jwt_issued(head + ".not*base64.sig"));                                 // undecodable: reported
    CHECK(jwt_issued("no-dots-at-all"));
    // Test vectors: RFC 7519's example (exp 1300819380, 2011), an issuer and
    // audience with no time ({"iss":"test","aud":"single"}); a token id counts.
    CHECK_FALSE(jwt_issued(head + ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.sig"));
    CHECK_FALSE(jwt_issued(head + ".eyJpc3MiOiJ0ZXN0IiwiYXVkIjoic2luZ2xlIn0.sig"));
    CHECK(jwt_issued(head + ".eyJqdGkiOiJhYmMxMjMifQ.sig"));                      // {"jti":"abc123"}
    CHECK(jwt_issued(head + ".eyJpc3MiOiJ4IiwiZXhwIjoxLjc1ZSswOX0.sig"));          // {"iss":"x","exp":1.75e+09}
  }

  TEST_CASE("DataUriCheck: inside a binary data URI's payload, after its first group, only") {
    const std::string line = "src=\"data:image/png;base64,iVBORw0KGgoEAAAxyz\" alt=\"EAAA\"";
    CHECK(DataUriCheck()(line, line.find("EAAAxyz")));
    // A value that opens the payload is not skipped: a key pasted as the
    // whole payload is still a key.
    CHECK_FALSE(DataUriCheck()(line, line.find("iVBOR")));
    CHECK_FALSE(DataUriCheck()(line, line.find("EAAA\"")));
    CHECK_FALSE(DataUriCheck()("token = \"base64,EAAAxyz\"", 16));
    CHECK_FALSE(DataUriCheck()("x", 5));
    // Fonts, sound and video are binary too; text and no type are not.
    CHECK(DataUriCheck()("url(data:font/woff2;base64,d09GMgABAAAAAEAAxyz)", 31));
    CHECK(DataUriCheck()("url(data:application/x-font-ttf;base64,AAEAAAAKAIAAAwAgxyz)", 43));
    CHECK_FALSE(DataUriCheck()("\"data:;base64,QUFBQUFBQUKIAxyz\"", 18));
    CHECK_FALSE(DataUriCheck()("data:text/plain;base64,QUFBQUFBQUKIAxyz", 27));
  }

  TEST_CASE("DataUriCheck: the hits of one line reuse the run it read, and the next line is read afresh") {
    DataUriCheck check;
    const std::string image = "a data:image/png;base64,QUFBQUFBQUFBQUFB//QUFB rest";
    CHECK(check(image, image.find("//QU")));
    CHECK(check(image, image.find("//QU") + 2));
    CHECK_FALSE(check(image, image.find("rest")));
    const std::string text = "a data:text/plain;base64,QUFBQUFBQUFBQUFB//QUFB rest";
    CHECK_FALSE(check(text, text.find("//QU") + 2));
    // `data:` more than 256 bytes before the mark names no media type.
    const std::string far = "data:image/png" + std::string(300, 'x') + ";base64,QUFBQUFBQUFB";
    CHECK_FALSE(check(far, far.size() - 4));
  }
}
