#include <doctest/doctest.h>

#include "subagents/intent/code_scan.h"
#include "subagents/intent/text.h"

using namespace reviewer;
using namespace reviewer::intent;

TEST_SUITE("intent text and code scanning") {
  TEST_CASE("evidence masks secret-like runs, drops control characters and is capped") {
    CHECK(redact("key AKIAIOSFODNN7EXAMPLE123 here") == "key [redacted] here");
    CHECK(redact("src/billing/invoice_total_v2.py") == "src/billing/invoice_total_v2.py");
    CHECK(redact("a\x1b[31mb\nc") == "a [31mb c");
    CHECK(redact(std::string(500, 'x'), 10) == "xxxxxxxxxx…");
  }

  TEST_CASE("stems make plurals and -ing forms meet") {
    CHECK(stem("invoices") == stem("invoice"));
    CHECK(stem("billing") == "bill");
    CHECK(stem("classes") == "class");
    CHECK(stem("policies") == "policy");
  }

  TEST_CASE("comment lines are recognized across languages and block comments") {
    reviewer::Hunk h;
    for (const char* l : {"// c++", "# python", "#include <x>", "-- sql", "x = 1", " * in block", "", "/* start",
                          "   middle", "end */", "y = 2", "\"\"\"doc", "text", "\"\"\"", "z = 3"}) {
      reviewer::DiffLine dl;
      dl.content = l;
      h.lines.push_back(dl);
    }
    auto k = classify_lines(h);
    using K = LineKind;
    std::vector<K> want = {K::comment, K::comment, K::code, K::comment, K::code, K::comment, K::blank, K::comment,
                           K::comment, K::comment, K::code, K::comment, K::comment, K::comment, K::code};
    CHECK(k == want);
  }

  TEST_CASE("a hunk that starts inside a block comment is recognized when the comment closes") {
    reviewer::Hunk h;
    for (const char* l : {"   the retry", "   policy", "*/", "int x = 1;"}) {
      reviewer::DiffLine dl;
      dl.content = l;
      h.lines.push_back(dl);
    }
    auto k = classify_lines(h);
    CHECK(k[0] == LineKind::comment);
    CHECK(k[2] == LineKind::comment);
    CHECK(k[3] == LineKind::code);
  }

  TEST_CASE("tokens elide strings and drop comments, and logic tokens are the ones that change behaviour") {
    CHECK(skeleton("if (n > 10) return \"too many\"; // cap") == "if ( n > 10 ) return \"…\" ;");
    CHECK(skeleton("x = 'it\\'s' # note") == "x = \"…\"");
    CHECK(skeleton("#define MAX 3") == "# define MAX 3");
    auto t = tokenize("a >= 0x1F && !done");
    REQUIRE(t.size() == 6);
    CHECK(is_logic_token(t[1]));
    CHECK(is_logic_token(t[2]));
    CHECK(is_logic_token(t[3]));
    CHECK_FALSE(is_logic_token(t[0]));
    CHECK(tokenize("s = \"abc\"", true)[2].text == "\"abc\"");
  }
}
