#include <doctest/doctest.h>

#include "reviewer/github/signature.h"

using namespace reviewer::github;

TEST_SUITE("github::signature") {
  TEST_CASE("GitHub's published example vector verifies") {
    const std::string secret = "It's a Secret to Everybody";
    const std::string body = "Hello, World!";
    const std::string hex = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    CHECK(hmac_sha256_hex(secret, body) == hex);
    CHECK(verify_signature(secret, body, "sha256=" + hex) == SignatureCheck::valid);
    CHECK(verify_signature(secret, body, "sha256=757107EA0EB2509FC211221CCE984B8A37570B6D7586C22C46F4379C8B043E17") ==
          SignatureCheck::valid);
  }

  TEST_CASE("forged, missing, malformed and SHA-1 signatures are refused") {
    const std::string secret = "It's a Secret to Everybody";
    const std::string good = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    CHECK(verify_signature(secret, "Hello, World?", good) == SignatureCheck::mismatch);
    CHECK(verify_signature("another secret", "Hello, World!", good) == SignatureCheck::mismatch);
    CHECK(verify_signature(secret, "Hello, World!", "") == SignatureCheck::missing);
    CHECK(verify_signature(secret, "Hello, World!", "sha256=") == SignatureCheck::malformed);
    CHECK(verify_signature(secret, "Hello, World!", good.substr(0, good.size() - 1)) == SignatureCheck::malformed);
    CHECK(verify_signature(secret, "Hello, World!", good + "0") == SignatureCheck::malformed);
    CHECK(verify_signature(secret, "Hello, World!", "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17") ==
          SignatureCheck::malformed);
    CHECK(verify_signature(secret, "Hello, World!", "sha256=zz7107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17") ==
          SignatureCheck::malformed);
    // The legacy X-Hub-Signature (SHA-1) format is never accepted.
    CHECK(verify_signature(secret, "Hello, World!", "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59") ==
          SignatureCheck::wrong_algorithm);
    CHECK(verify_signature(secret, "Hello, World!", "sha512=" + std::string(128, 'a')) ==
          SignatureCheck::wrong_algorithm);
  }
}
