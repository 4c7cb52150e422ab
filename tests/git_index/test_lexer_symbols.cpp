#include <doctest/doctest.h>

#include <deque>
#include <random>
#include <string>

#include "reviewer/git/index/language.h"
#include "reviewer/git/index/lexer.h"
#include "reviewer/git/index/symbols.h"

using namespace reviewer::index;

namespace {

std::string kinds(const std::vector<Token>& toks) {
  std::string s;
  for (const auto& t : toks) {
    s += t.kind == TokKind::ident ? 'i' : t.kind == TokKind::string ? 's' : t.kind == TokKind::number ? 'n' : 'p';
  }
  return s;
}

const Definition* def(const Analysis& a, std::string_view name) {
  for (const auto& d : a.defs) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

// Analysis views point into the text: keep every text alive for the test.
Analysis analyze_text(Lang lang, std::string text) {
  static std::deque<std::string> texts;
  texts.push_back(std::move(text));
  return analyze(lang, tokenize(lang, texts.back()));
}

}  // namespace

TEST_SUITE("index::lexer") {
  TEST_CASE("languages are recognised from extensions and names") {
    CHECK(language_of("src/a.cpp") == Lang::c);
    CHECK(language_of("inc/A.HPP") == Lang::c);
    CHECK(language_of("app/x.py") == Lang::python);
    CHECK(language_of("web/x.tsx") == Lang::js);
    CHECK(language_of("Rakefile") == Lang::ruby);
    CHECK(language_of("config/a.yml") == Lang::data);
    CHECK(language_of("README.md") == Lang::unknown);
    CHECK(stem_of("a/b.test.js") == "b.test");
    CHECK(dir_of("a/b/c.go") == "a/b");
    CHECK(dir_of("c.go").empty());
  }

  TEST_CASE("comments are skipped and collected, strings keep their content") {
    std::vector<Comment> comments;
    auto t = tokenize(Lang::c, "int x = 1; // note\n/* block\n more */ f(\"a\\\"b\", 'c');\n", &comments);
    CHECK(kinds(t) == "iipnpipspsp" "p");
    REQUIRE(comments.size() == 2);
    CHECK(comments[0].text == " note");
    CHECK(comments[1].line == 2);
    CHECK(t[7].text == "a\\\"b");
    CHECK(t[5].line == 3);
  }

  TEST_CASE("raw strings, triple quotes, lifetimes and backticks are one token each") {
    auto cpp = tokenize(Lang::c, "auto s = R\"x(a \"quoted\" )\" text)x\";");
    CHECK(kinds(cpp) == "iipsp");
    CHECK(cpp[3].text == "a \"quoted\" )\" text");
    auto py = tokenize(Lang::python, "s = f'''a\nb''' # c\nx = rb\"q\"");
    CHECK(kinds(py) == "ipsips");
    CHECK(py[3].line == 3);
    auto rs = tokenize(Lang::rust, "fn f<'a>(x: &'a str) -> char { 'x' }");
    CHECK(rs.back().kind == TokKind::punct);
    CHECK(rs[rs.size() - 2].kind == TokKind::string);
    auto go = tokenize(Lang::go, "s := `raw\\n\nline`");
    CHECK(kinds(go) == "ipps");
  }

  TEST_CASE("garbage and unterminated literals never hang or throw") {
    std::mt19937 gen(7);
    std::string junk;
    for (int i = 0; i < 20000; ++i) junk.push_back(static_cast<char>(gen() % 256));
    junk += "\"unterminated /* and R\"( and '''";
    for (Lang l : {Lang::c, Lang::python, Lang::js, Lang::go, Lang::java, Lang::ruby, Lang::rust, Lang::data}) {
      auto toks = tokenize(l, junk);
      auto a = analyze(l, toks);
      CHECK(toks.size() > 0);
      (void)a;
    }
  }
}

TEST_SUITE("index::symbols") {
  TEST_CASE("definitions and parameter counts are found per language") {
    auto c = analyze_text(Lang::c, "static int add(int a, int b = 2);\nint Foo::bar(void) const {\n}\n"
                                   "struct Point { int x; };\n#define MAX(a, b) ((a) > (b))\nint v(const char* f, ...);");
    REQUIRE(def(c, "add"));
    CHECK(def(c, "add")->min_arity == 1);
    CHECK(def(c, "add")->max_arity == 2);
    REQUIRE(def(c, "bar"));
    CHECK(def(c, "bar")->max_arity == 0);
    CHECK(def(c, "Point"));
    REQUIRE(def(c, "MAX"));
    CHECK(def(c, "MAX")->max_arity == 2);
    CHECK(def(c, "v")->max_arity == kVariadic);

    auto py = analyze_text(Lang::python, "class A:\n    def m(self, a, b=1, *args):\n        pass\nLIMIT = 3\n");
    REQUIRE(def(py, "m"));
    CHECK(def(py, "m")->has_self);
    CHECK(def(py, "m")->min_arity == 1);
    CHECK(def(py, "m")->max_arity == kVariadic);
    CHECK(def(py, "A"));
    CHECK(def(py, "LIMIT"));

    auto js = analyze_text(Lang::js, "export const f = (a, b) => a;\nclass K {\n  async run(x, y = 1) {\n  }\n}\n"
                                     "function g(...rest) {}\nif (x) {\n}\n");
    REQUIRE(def(js, "f"));
    CHECK(def(js, "f")->max_arity == 2);
    REQUIRE(def(js, "run"));
    CHECK(def(js, "run")->min_arity == 1);
    CHECK(def(js, "g")->max_arity == kVariadic);
    CHECK_FALSE(def(js, "if"));

    auto go = analyze_text(Lang::go, "func (s *S) Get(k string, d int) (int, error) {\n}\ntype T struct{}\n"
                                     "const (\n\tA = 1\n\tB = 2\n)\nfunc V(xs ...int) {}\n");
    REQUIRE(def(go, "Get"));
    CHECK(def(go, "Get")->kind == DefKind::method);
    CHECK(def(go, "Get")->max_arity == 2);
    CHECK(def(go, "T"));
    CHECK(def(go, "B"));
    CHECK(def(go, "V")->max_arity == kVariadic);

    auto java = analyze_text(Lang::java, "public class C {\n  public List<String> find(Map<String, Integer> m, int k) "
                                         "throws IOException {\n    return new ArrayList<>(m);\n  }\n}\n");
    REQUIRE(def(java, "find"));
    CHECK(def(java, "find")->max_arity == 2);
    CHECK_FALSE(def(java, "ArrayList"));

    auto rb = analyze_text(Lang::ruby, "module M\n  class K\n    def self.make(a, b = 1)\n    end\n    def size\n    end\n  end\nend\n");
    REQUIRE(def(rb, "make"));
    CHECK(def(rb, "make")->min_arity == 1);
    CHECK(def(rb, "size")->max_arity == 0);

    auto rs = analyze_text(Lang::rust, "pub fn get<T: Clone>(&self, k: &str) -> T {}\nstruct P;\nconst N: u32 = 3;\n");
    REQUIRE(def(rs, "get"));
    CHECK(def(rs, "get")->has_self);
    CHECK(def(rs, "get")->max_arity == 1);
    CHECK(def(rs, "P"));
    CHECK(def(rs, "N"));
  }

  TEST_CASE("calls record their argument count, nested calls included") {
    auto a = analyze_text(Lang::python, "x = fun(a, gen(b, c), [d, e])\nobj.meth()\nhop(*args)\n");
    int found = 0;
    for (const auto& o : a.occs) {
      if (o.text == "fun") {
        CHECK(o.argc == 3);
        ++found;
      } else if (o.text == "gen") {
        CHECK(o.argc == 2);
        ++found;
      } else if (o.text == "meth") {
        CHECK(o.kind == OccKind::method_call);
        CHECK(o.argc == 0);
        ++found;
      } else if (o.text == "hop") {
        CHECK(o.argc == kUnknownArity);
        ++found;
      }
    }
    CHECK(found == 4);
  }
}
