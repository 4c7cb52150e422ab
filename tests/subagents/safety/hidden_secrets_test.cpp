#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "reviewer/core/secret_scan.h"
#include "safety_fixtures.h"
#include "subagents/safety/hidden_secrets.h"
#include "subagents/safety/safety_agent.h"

using namespace reviewer;
using namespace reviewer::safety;
using namespace reviewer::test;

namespace {

// Fake values built from pieces: the source holds no whole token.
const std::string kAwsId = std::string("AK") + "IA" + "Q7RX2MZP4KWT9BNC";
const std::string kLiveStripe = std::string("sk_") + "live_" + "4eC39HqLyjWDarjtT1zdp7dc9Fq2";

std::string to_base64(const std::string& s) {
  static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < s.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(s[i]) << 16) |
                       (i + 1 < s.size() ? static_cast<unsigned char>(s[i + 1]) << 8 : 0) |
                       (i + 2 < s.size() ? static_cast<unsigned char>(s[i + 2]) : 0);
    out += a[(n >> 18) & 63];
    out += a[(n >> 12) & 63];
    out += i + 1 < s.size() ? a[(n >> 6) & 63] : '=';
    out += i + 2 < s.size() ? a[n & 63] : '=';
  }
  return out;
}

std::string to_hex(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    out += "0123456789abcdef"[c >> 4];
    out += "0123456789abcdef"[c & 15];
  }
  return out;
}

std::vector<Finding> scan_all(const AgentContext& ctx) { return make_safety_agent()->review(ctx); }

const Finding* secret_finding(const std::vector<Finding>& fs) {
  auto it = std::find_if(fs.begin(), fs.end(), [](const Finding& f) { return f.rule.rfind("safety/secret/", 0) == 0; });
  return it == fs.end() ? nullptr : &*it;
}

const Finding* review_secret(const std::string& path, const std::vector<std::string>& lines,
                             std::vector<Finding>& keep) {
  keep = scan_all(context_with({added_lines(path, lines)}));
  return secret_finding(keep);
}

struct Lines final : AddedLines {
  std::vector<std::string> v;
  std::size_t size() const override { return v.size(); }
  std::string_view line(std::size_t i) const override { return v[i]; }
  int number(std::size_t i) const override { return static_cast<int>(i) + 1; }
};

std::size_t joined(const std::string& path, std::vector<std::string> lines, std::string_view how = "joined strings") {
  Lines l;
  l.v = std::move(lines);
  const auto rs = hidden_readings(l, path);
  return static_cast<std::size_t>(std::count_if(rs.begin(), rs.end(), [&](const auto& r) { return r.how == how; }));
}

}  // namespace

TEST_SUITE("safety") {
  TEST_CASE("adjacent literals join only where the language joins them") {
    CHECK(joined("src/a.c", {"const char *s = \"ab\" \"cd\";"}) == 1);
    CHECK(joined("app/a.py", {"S = (\"ab\"", "     \"cd\")"}) == 1);
    // HCL labels and shell arguments are separate strings.
    CHECK(joined("infra/main.tf", {"resource \"aws_s3_bucket\" \"logs\" {"}) == 0);
    CHECK(joined("run.sh", {"echo \"ab\" \\", "  \"cd\""}) == 0);
    // Operators join everywhere; a literal alone joins nothing.
    CHECK(joined("run.js", {"const s = 'ab' + 'cd';"}) == 1);
    CHECK(joined("Run.java", {"String s = \"ab\"", "    + \"cd\";"}) == 1);
    CHECK(joined("app/a.py", {"print(\"hello\")", "print(\"world\")"}) == 0);
  }

  TEST_CASE("a line of many joined groups reads in linear space") {
    // Each group used to copy the rest of the line after it and all of the
    // line before it: a 1 MB line of "a"+"b", ... needed ~125 GB.
    std::string line;
    for (int i = 0; i < 20000; ++i) line += "\"aa\"+\"bb\", ";
    Lines l;
    l.v = {line};
    const auto rs = hidden_readings(l, "min.js");
    std::size_t bytes = 0;
    for (const auto& r : rs) bytes += r.text.size();
    CHECK(rs.size() == 20000);
    CHECK(bytes < 40 * line.size());
  }

  TEST_CASE("encoded runs are decoded in place, one level, printable text only") {
    HiddenReading r;
    REQUIRE(decode_runs("BLOB = \"" + to_base64(kAwsId + ":x") + "\"", r));
    CHECK(r.how == "base64");
    CHECK(r.text == "BLOB = \"" + kAwsId + ":x\"");
    REQUIRE(r.raw.size() == 1);
    CHECK(r.raw[0] == to_base64(kAwsId + ":x"));

    HiddenReading h;
    REQUIRE(decode_runs("t = bytes.fromhex(\"" + to_hex(kLiveStripe) + "\")", h));
    CHECK(h.how == "hex");
    CHECK(h.text.find(kLiveStripe) != std::string::npos);

    HiddenReading p;
    REQUIRE(decode_runs("k=sk%5Flive%5Fabc", p));
    CHECK(p.text == "k=sk_live_abc");

    HiddenReading x;
    REQUIRE(decode_runs(R"(s = "\x67\x68\x70\x5f\x61\x62\x63")", x));
    CHECK(x.how == "\\x escapes");
    CHECK(x.text == "s = \"ghp_abc\"");

    // A line break in decoded text becomes `\n`, as in a string literal.
    HiddenReading nl;
    REQUIRE(decode_runs("k: " + to_base64("line one\nline two"), nl));
    CHECK(nl.text == "k: line one\\nline two");

    // Binary (an image, a digest), short runs, identifiers and non-ASCII
    // escapes are left alone.
    HiddenReading none;
    CHECK_FALSE(decode_runs("icon = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB'", none));
    CHECK_FALSE(decode_runs("SHA1 = bytes.fromhex(\"2fd4e1c67a2d28fced849ee1bb76e7391b93eb12\")", none));
    CHECK_FALSE(decode_runs("LEVEL: aW5mbw==", none));
    CHECK_FALSE(decode_runs("reviewer_agent_safety_scanner_configuration = 1", none));
    CHECK_FALSE(decode_runs(R"({"greeting": "\u00a1Hola, se\u00f1or!"})", none));
    CHECK_FALSE(decode_runs(R"(printf("\x1b[31merror\x1b[0m");)", none));
  }

  TEST_CASE("a secret hidden by encoding is reported on its line, named and redacted") {
    std::vector<Finding> keep;
    const std::string blob = to_base64(kAwsId + ":" + "wJalrXUtnFEMIK7MDENGbPxRfiCYzzKEY29s");
    const Finding* f = review_secret("app/aws.py", {"import base64", "_BLOB = \"" + blob + "\""}, keep);
    REQUIRE(f);
    CHECK(f->line == 2);
    CHECK(f->evidence.find("base64") != std::string::npos);
    CHECK(f->evidence.find(kAwsId) == std::string::npos);
    CHECK(f->evidence.find(blob) == std::string::npos);
    CHECK(f->message.find("base64") != std::string::npos);

    CHECK(review_secret("app/billing.py", {"URL = \"https://proxy.internal/charge?k=sk%5Flive%5F" + kLiveStripe.substr(8) + "\""},
                        keep));
    // The same text not encoded: the plain rules report it, once.
    auto plain = scan_all(context_with({added_lines("app/billing.py", {"KEY = \"" + kLiveStripe + "\""})}));
    CHECK(std::count_if(plain.begin(), plain.end(), [](const Finding& x) { return x.rule.rfind("safety/secret/", 0) == 0; }) == 1);
  }

  TEST_CASE("the redactor learns the encoded form of a secret") {
    const std::string blob = to_base64(kAwsId + ":" + "wJalrXUtnFEMIK7MDENGbPxRfiCYzzKEY29s");
    AgentContext ctx = context_with({added_lines("app/aws.py", {"_BLOB = \"" + blob + "\""})});
    ctx.secret_scan = std::make_shared<SecretScan>();
    scan_all(ctx);
    REQUIRE(ctx.secret_scan->files.size() == 1);
    const auto& values = ctx.secret_scan->files[0].values;
    CHECK(std::any_of(values.begin(), values.end(), [&](const auto& v) { return v.first == blob; }));
  }

  TEST_CASE("string literals are joined across +, ., .., juxtaposition and continuations") {
    std::vector<Finding> keep;
    CHECK(review_secret("app/aws.py", {"_KID = \"AKIA\" + \"" + kAwsId.substr(4) + "\""}, keep));
    CHECK(review_secret("src/key.php", {"$k = '" + kLiveStripe.substr(0, 8) + "' . '" + kLiveStripe.substr(8) + "';"}, keep));
    const Finding* f = review_secret("app/notify.py",
                                     {"x = 1", "HOOK = \"https://hooks.slack.com/services/T04K2LQ9D8R/\" \\",
                                      "       \"B07H3N6PZ2C/qL8vXc2RkT9mWz4YbN1sJd6F\""},
                                     keep);
    REQUIRE(f);
    CHECK(f->line == 2);
    CHECK(f->evidence.find("joined strings") != std::string::npos);
    // Ordinary words joined are no secret.
    CHECK_FALSE(review_secret("app/views.py", {"msg = \"Hello, \" + \"world\"", "ERR = (\"could not read: \"",
                                               "       \"check its permissions\")"},
                              keep));
  }

  TEST_CASE("literals joined by a join or concat call with an empty separator, and reversed literals") {
    std::vector<Finding> keep;
    const std::string a = kLiveStripe.substr(0, 8), b = kLiveStripe.substr(8, 10), c = kLiveStripe.substr(18);
    const std::string rev(kLiveStripe.rbegin(), kLiveStripe.rend());
    for (const auto& [path, line] : std::vector<std::pair<std::string, std::string>>{
             {"app/pay.py", "KEY = \"\".join((\"" + a + "\", \"" + b + "\", \"" + c + "\"))"},
             {"app/pay.py", "KEY = ''.join(['" + a + "', '" + b + "', '" + c + "'])"},
             {"pay/key.go", "var key = []byte(strings.Join([]string{\"" + a + "\", \"" + b + "\", \"" + c + "\"}, \"\"))"},
             {"Pay/Key.cs", "var key = string.Concat(\"" + a + "\", \"" + b + "\", \"" + c + "\");"},
             {"src/Pay.java", "String key = String.join(\"\", \"" + a + "\", \"" + b + "\", \"" + c + "\");"},
             {"web/pay.js", "const key = ['" + a + "', '" + b + "', '" + c + "'].join('');"},
             {"src/key.php", "$key = implode('', ['" + a + "', '" + b + "', '" + c + "']);"},
             {"src/key.rs", "const KEY: &str = concat!(\"" + a + "\", \"" + b + "\", \"" + c + "\");"},
             {"app/pay.py", "KEY = \"" + rev + "\"[::-1]"},
             {"app/pay.rb", "KEY = \"" + rev + "\".reverse"},
             {"web/pay.js", "const key = '" + rev + "'.split('').reverse().join('');"},
         }) {
      CAPTURE(line);
      const Finding* f = review_secret(path, {line}, keep);
      REQUIRE(f);
      CHECK(f->evidence.find(kLiveStripe) == std::string::npos);
    }
    // A separator that is not empty, or ordinary words: not joined as one
    // string (a one-character separator is read apart: session 26).
    CHECK(joined("app/x.py", {"s = \", \".join([\"ab\", \"cd\"])"}) == 0);
    CHECK(joined("app/x.go", {"s := strings.Join([]string{\"ab\", \"cd\"}, \"-\")"}) == 0);
    CHECK(joined("app/x.py", {"print(\"ab\", \"cd\")"}) == 0);
    CHECK(joined("src/X.java", {"String s = String.join(\", \", \"ab\", \"cd\");"}) == 0);
    CHECK(joined("src/X.cs", {"var s = string.Join(\", \", \"ab\", \"cd\");"}) == 0);
    CHECK_FALSE(review_secret("app/x.py", {"MSG = \"\".join((\"Hello, \", \"world\"))", "W = \"olleh\"[::-1]"}, keep));
  }

  TEST_CASE("a list of literals over several lines, joined later by its name") {
    std::vector<Finding> keep;
    const std::string a = kLiveStripe.substr(0, 8), b = kLiveStripe.substr(8, 10), c = kLiveStripe.substr(18);
    const std::vector<std::pair<std::string, std::vector<std::string>>> cases{
        {"app/pay.py", {"parts = [", "    \"" + a + "\",", "    \"" + b + "\",  # middle", "    \"" + c + "\",", "]", "",
                        "KEY = \"\".join(parts)"}},
        {"app/pay.py", {"PARTS = (\"" + a + "\", \"" + b + "\",", "         \"" + c + "\")", "def key():", "    return ''.join(PARTS)"}},
        {"web/pay.js", {"const parts = [", "  '" + a + "',", "  '" + b + "',", "  '" + c + "',", "];",
                        "const key = parts.join('');"}},
        {"pay/key.go", {"parts := []string{", "\t\"" + a + "\",", "\t\"" + b + "\",", "\t\"" + c + "\",", "}",
                        "key := strings.Join(parts, \"\")"}},
        {"src/Pay.java", {"String[] parts = {", "    \"" + a + "\",", "    \"" + b + "\", \"" + c + "\"", "};",
                          "String key = String.join(\"\", parts);"}},
        {"src/key.php", {"$parts = [", "  '" + a + "',", "  '" + b + "',", "  '" + c + "',", "];", "$key = implode('', $parts);"}},
    };
    for (const auto& [path, lines] : cases) {
      CAPTURE(lines[0]);
      const Finding* f = review_secret(path, lines, keep);
      REQUIRE(f);
      CHECK(f->line == 1);
      CHECK(f->evidence.find("joined list") != std::string::npos);
      CHECK(f->evidence.find(kLiveStripe) == std::string::npos);
    }
    // The list opened by the call that joins it, or closed by the join.
    const std::string x = std::string("Qx7v") + "Lm2R", y = std::string("tZp4") + "nKw8", z = std::string("HsJd") + "6yTb";
    for (const auto& [path, lines] : std::vector<std::pair<std::string, std::vector<std::string>>>{
             {"web/keys.js", {"const apiToken = ['" + x + "', '" + y + "',", "  '" + z + "'].join('');"}},
             {"store/keys.go", {"var apiToken = strings.Join([]string{", "\t\"" + x + "\",", "\t\"" + y + "\", \"" + z + "\",", "}, \"\")"}},
             {"app/keys.py", {"API_TOKEN = \"\".join([", "    \"" + x + "\",", "    \"" + y + "\",", "    \"" + z + "\",", "])"}},
             {"Mail/Keys.cs", {"var apiToken = string.Concat(", "    \"" + x + "\",", "    \"" + y + "\",", "    \"" + z + "\");"}},
         }) {
      CAPTURE(lines[0]);
      const Finding* f = review_secret(path, lines, keep);
      REQUIRE(f);
      CHECK(f->line == 1);
      CHECK(f->end_line == static_cast<int>(lines.size()));
      CHECK(f->evidence.find(x + y) == std::string::npos);
    }
    // Slices of a tuple joined with separators and added up (Python).
    const std::string tail = kLiveStripe.substr(8);
    const Finding* f = review_secret("app/pay.py", {"_PARTS = (\"sk\", \"live\", \"" + tail.substr(0, 10) + "\", \"" + tail.substr(10) + "\")", "",
                                                    "stripe.api_key = \"_\".join(_PARTS[:2]) + \"_\" + \"\".join(_PARTS[2:])"},
                                     keep);
    REQUIRE(f);
    CHECK(f->rule == "safety/secret/stripe-secret-key");
    CHECK_FALSE(review_secret("app/x.py", {"WORDS = (\"alpha\", \"beta\", \"gamma\")", "label = \", \".join(WORDS[:2]) + \"!\""}, keep));
    CHECK(joined("store/x.go", {"s := strings.Join([]string{", "\t\"ab\",", "\t\"cd\",", "}, \"-\")"}, "joined list") == 0);
    CHECK(joined("web/x.js", {"const s = ['ab',", "  'cd'].join(', ');"}, "joined list") == 0);
    // A separator, a list of names or calls, or words: no reading of a value.
    CHECK(joined("app/x.py", {"parts = [", "    \"" + a + "\",", "    \"" + b + "\",", "]", "key = \"-\".join(parts)"},
                 "joined list") == 0);
    CHECK(joined("app/x.py", {"parts = [", "    \"" + a + "\",", "    prefix,", "    \"" + b + "\",", "]", "key = \"\".join(parts)"},
                 "joined list") == 0);
    CHECK_FALSE(review_secret("app/x.py", {"words = [", "    \"Hello, \",", "    \"world\",", "]", "msg = \"\".join(words)"}, keep));
  }

  TEST_CASE("a value built by appending literals, and literals carried by an operator at a line's end") {
    std::vector<Finding> keep;
    const std::string a = kLiveStripe.substr(0, 12), b = kLiveStripe.substr(12, 12), c = kLiveStripe.substr(24);
    for (const auto& [path, lines] : std::vector<std::pair<std::string, std::vector<std::string>>>{
             {"app/pay.py", {"key = \"" + a + "\"", "key += \"" + b + "\"", "key += \"" + c + "\""}},
             {"web/pay.js", {"let key = '" + a + "';", "key += '" + b + c + "';"}},
             {"src/key.php", {"$key = '" + a + "';", "$key .= '" + b + c + "';"}},
             {"src/Pay.java", {"String key = \"" + a + "\" +", "    \"" + b + "\" +", "    \"" + c + "\";"}},
             {"app/pay.py", {"KEY = (", "    \"" + a + b + "\"", "    \"" + c + "\"", ")"}},
         }) {
      CAPTURE(lines[1]);
      const Finding* f = review_secret(path, lines, keep);
      REQUIRE(f);
      CHECK(f->evidence.find("joined strings") != std::string::npos);
      CHECK(f->evidence.find(kLiveStripe) == std::string::npos);
    }
    // Another name appended to, or words: nothing.
    CHECK(joined("app/x.py", {"key = \"" + a + "\"", "other += \"" + b + c + "\""}) == 0);
    CHECK_FALSE(review_secret("web/x.js", {"let msg = 'Hello, ';", "msg += 'world';"}, keep));
  }

  TEST_CASE("literals joined by a call are read as the name's value, whatever the call wraps") {
    std::vector<Finding> keep;
    // Made-up values without a vendor's prefix: only a secret-named
    // variable given the joined value tells.
    const std::string a = std::string("Qx7v") + "Lm2R", b = std::string("tZp4") + "nKw8", c = std::string("HsJd") + "6yTb";
    auto chars = [](const std::string& s) {
      std::string out;
      for (char ch : s) out += std::string(out.empty() ? "" : ", ") + "'" + ch + "'";
      return out;
    };
    for (const auto& [path, line] : std::vector<std::pair<std::string, std::string>>{
             {"store/sign.go", "var signingKey = []byte(strings.Join([]string{\"" + a + "\", \"" + b + "\", \"" + c + "\"}, \"\"))"},
             {"Mail/Smtp.cs", "var pwd = string.Concat(\"" + a + "\", \"" + b + "\", \"#\", \"" + c + "\");"},
             {"src/Keys.java", "static final String TOKEN = String.join(\"\", \"" + a + "\", \"" + b + "\", \"" + c + "\");"},
             {"src/Keys.java", "static final String SECRET = String.format(\"%s%s%s\", \"" + a + "\", \"" + b + "\", \"" + c + "\");"},
             {"cmd/keys.go", "var apiToken = fmt.Sprintf(\"%s%s%s\", \"" + a + "\", \"" + b + "\", \"" + c + "\")"},
             {"src/Keys.java", "static final String DB_PASSWORD = new StringBuilder(\"" + a + "\").append(\"" + b + "\").append(\"" + c + "\").toString();"},
             {"web/keys.js", "const secretKey = '" + a + "'.concat('" + b + "', '" + c + "');"},
             {"app/keys.py", "API_KEY = \"{}{}{}\".format(\"" + a + "\", \"" + b + "\", \"" + c + "\")"},
             {"src/Keys.java", "private static final char[] PASSWORD = { " + chars(a + b) + " };"},
             {"Keys.cs", "static readonly string ApiKey = new string(new[] { " + chars(a + b + c) + " });"},
         }) {
      CAPTURE(line);
      const Finding* f = review_secret(path, {line}, keep);
      REQUIRE(f);
      // (The builder's first literal alone is a password already.)
      if (line.find("StringBuilder") == std::string::npos) CHECK(f->evidence.find("joined strings") != std::string::npos);
      CHECK(f->evidence.find(a + b) == std::string::npos);
    }
    // Character codes turned into a string where used.
    auto codes = [](const std::string& v, bool hex) {
      std::string out;
      for (unsigned char ch : v) {
        if (!out.empty()) out += ", ";
        out += hex ? "0x" + std::string(1, "0123456789abcdef"[ch >> 4]) + "0123456789abcdef"[ch & 15] : std::to_string(ch);
      }
      return out;
    };
    for (const auto& [path, line] : std::vector<std::pair<std::string, std::string>>{
             {"web/keys.js", "const apiKey = String.fromCharCode(" + codes(a + b + c, false) + ");"},
             {"app/keys.py", "DB_PASSWORD = bytes([" + codes(a + "#" + b, false) + "]).decode()"},
             {"cmd/keys.go", "var apiToken = string([]byte{" + codes(a + b + c, true) + "})"},
         }) {
      CAPTURE(line);
      const Finding* f = review_secret(path, {line}, keep);
      REQUIRE(f);
      CHECK(f->evidence.find("character codes") != std::string::npos);
    }
    CHECK_FALSE(review_secret("app/img.py", {"HEADER = bytes([137, 80, 78, 71, 13, 10, 26, 10])"}, keep));
    // Words, a format with text of its own, a separator, a char array of
    // punctuation under an ordinary name: nothing.
    CHECK_FALSE(review_secret("src/Msg.java", {"String msg = String.format(\"%s%s\", \"Hello, \", \"world\");"}, keep));
    CHECK_FALSE(review_secret("src/Msg.java", {"String token = String.format(\"id-%s\", \"" + a + "\");"}, keep));
    CHECK_FALSE(review_secret("src/Sep.java", {"static final char[] SEPARATORS = { ',', ';', ':', '|', '/', '-', '_', '.' };"}, keep));
    CHECK(joined("src/X.java", {"String s = String.format(\"%s-%s\", \"ab\", \"cd\");"}) == 0);
  }

  TEST_CASE("a shell word continued by a backslash on the next line's first column") {
    std::vector<Finding> keep;
    const Finding* f = review_secret("deploy/run.sh", {"export STRIPE_KEY=\"" + kLiveStripe.substr(0, 12) + "\"\\",
                                                       "\"" + kLiveStripe.substr(12) + "\""},
                                     keep);
    REQUIRE(f);
    CHECK(f->evidence.find("joined strings") != std::string::npos);
    // Separate arguments: a blank before the backslash, or an indented next line.
    CHECK(joined("deploy/run.sh", {"echo \"ab\" \\", "\"cd\""}) == 0);
    CHECK(joined("deploy/run.sh", {"echo \"ab\"\\", "  \"cd\""}) == 0);
  }

  TEST_CASE("a value on the line after its name is read with the name") {
    std::vector<Finding> keep;
    CHECK(review_secret("config/app.yaml", {"db:", "  password: |", "    Xk29fLq7Vb3nWp8Rt"}, keep));
    CHECK(review_secret("infra/prod.tfvars", {"db_password = <<EOT", "Xk29fLq7Vb3nWp8Rt", "EOT"}, keep));
    // A TOML multi-line string written on one line.
    CHECK(review_secret("config/app.toml", {"[database]", "password = \'\'\'Xk29fLq7Vb3nWp8Rt\'\'\'"}, keep));
    CHECK_FALSE(review_secret("config/app.toml", {"help = \'\'\'Run with --password-file\'\'\'"}, keep));
    CHECK_FALSE(review_secret("config/app.yaml", {"db:", "  password: |", "    ${DB_PASSWORD}"}, keep));
    CHECK_FALSE(review_secret("config/app.yaml", {"service:", "  description: |", "    Handles password resets."}, keep));
  }

  TEST_CASE("a name field and a value field are read as the name's value") {
    std::vector<Finding> keep;
    const std::string v = std::string("Qx7v") + "Lm2RtZp4nKw8HsJd6yTb3cWq";
    // Postman's variables over two lines: one finding over both, redacted.
    const Finding* f = review_secret("postman/acme.postman_collection.json",
                                     {"    {", "      \"key\": \"apiKey\",", "      \"value\": \"" + v + "\",", "      \"type\": \"string\"", "    }"}, keep);
    REQUIRE(f);
    CHECK(f->line == 2);
    CHECK(f->end_line == 3);
    CHECK(f->evidence.find(v) == std::string::npos);
    // On one line, and a HAR's header.
    CHECK(review_secret("env.json", {"  {\"key\": \"db_password\", \"value\": \"" + v + "!\"},"}, keep));
    CHECK(review_secret("session.har", {"  \"name\": \"Authorization\",", "  \"value\": \"Bearer " + v + "\""}, keep));
    CHECK(joined("c.json", {"\"key\": \"apiKey\",", "\"value\": \"" + v + "\""}, "name and value fields") == 1);
    // Postman's API-key auth (the key's field is named "value"), and a
    // minified array of pairs (read23a, read23b).
    CHECK(review_secret("c.postman_collection.json", {"          \"key\": \"value\",", "          \"value\": \"" + v + "\","}, keep));
    CHECK(review_secret("c.json", {"[{\"key\":\"apiKey\",\"value\":\"" + v + "\"}]"}, keep));
    CHECK_FALSE(review_secret("c.json", {"\"key\": \"value\",", "\"value\": \"{{API_KEY}}\""}, keep));
    // Variables, empty values and fields that name no secret.
    CHECK_FALSE(review_secret("c.json", {"\"key\": \"apiKey\",", "\"value\": \"{{API_KEY}}\""}, keep));
    CHECK_FALSE(review_secret("c.json", {"{\"key\": \"token\", \"value\": \"\"}"}, keep));
    CHECK_FALSE(review_secret("c.json", {"\"name\": \"Content-Type\",", "\"value\": \"application/json\""}, keep));
    // Not adjacent: a field between them.
    CHECK(joined("c.json", {"\"key\": \"apiKey\",", "\"type\": \"string\",", "\"value\": \"" + v + "\""}, "name and value fields") == 0);
  }

  TEST_CASE("name and value fields one a line, a call's arguments and SQL rows over lines (session 24)") {
    std::vector<Finding> keep;
    const std::string v = std::string("Qx7v") + "Lm2RtZp4nKw8HsJd6yTb3cWq";
    // A Kubernetes container's env pair and Bruno's API-key auth block.
    const Finding* f = review_secret("deploy/api.yaml", {"        - name: API_TOKEN", "          value: \"" + v + "\""}, keep);
    REQUIRE(f);
    CHECK(f->line == 1);
    CHECK(f->end_line == 2);
    CHECK(f->evidence.find(v) == std::string::npos);
    CHECK(review_secret("c/get.bru", {"auth:apikey {", "  key: X-API-Key", "  value: " + v, "  placement: header", "}"}, keep));
    CHECK_FALSE(review_secret("c/get.bru", {"auth:apikey {", "  key: X-API-Key", "  value: {{apiKey}}", "}"}, keep));
    CHECK_FALSE(review_secret("deploy/api.yaml", {"        - name: API_TOKEN", "          valueFrom:", "            secretKeyRef:"}, keep));
    CHECK(joined("deploy/api.yaml", {"- name: LOG_LEVEL", "  value: debug"}, "name and value fields") == 1);
    CHECK(joined("deploy/api.yaml", {"- name: LOG_LEVEL", "  image: x", "  value: debug"}, "name and value fields") == 0);
    // A call's arguments, one a line: read with the call.
    const std::string sid = std::string("AC") + "5e0f9b3c7a1d2e4f6a8b0c1d2e3f4a5b";
    const std::string tok = std::string("9d1c") + "6445d91c770708680128ef128a5c";
    CHECK(review_secret("notify/sms.ts", {"const client = twilio(", "  '" + sid + "',", "  '" + tok + "'", ");"}, keep));
    // An options object, or padding past the cap, after the key ends the reading there (read25a).
    CHECK(review_secret("notify/sms.ts", {"const client = twilio(", "  '" + sid + "',", "  '" + tok + "',", "  { userAgentExtensions: ['" + std::string(5000, 'x') + "'] }", ");"}, keep));
    CHECK(joined("a.py", {"connect(", "    settings.USER,", "    \"Wq7#mLp2\");"}, "call over lines") == 1);
    CHECK(joined("a.py", {"log.info(", "    \"done %s\",", "    n,", ")"}, "call over lines") == 0);  // no key-like literal
    CHECK(joined("a.py", {"f(", "    a,", "    b,", ")"}, "call over lines") == 0);                   // no literal
    CHECK(joined("a.py", {"f(", "    \"a1b2\","}, "call over lines") == 0);                           // never closed
    // A dict or a tuple of names among the arguments (saleor's tests: `x.token,`
    // then `"shippingMethodId"` read as a value) is no argument list of a client.
    CHECK(joined("t.py", {"post(", "    query,", "    {", "        \"token\": c.token,", "        \"id\": \"a1b2c3d4\",", "    },", ")"}, "call over lines") == 0);
    CHECK(joined("t.py", {"@pytest.mark.parametrize(", "    (", "        \"expected_secret_access_key\",", "        \"expected_region2\",", "    ),"}, "call over lines") == 0);
    // SQL rows under their INSERT's head, in .sql files.
    CHECK(review_secret("db/seed.sql", {"INSERT INTO api_clients (name, client_secret)", "VALUES ('billing', '" + v + "');"}, keep));
    CHECK(review_secret("db/seed.sql", {"INSERT INTO service_tokens (service, token) VALUES", "  ('crm', 'x'),", "  ('erp', '" + v + "');"}, keep));
    CHECK(joined("db/seed.sql", {"insert into t (a, b) values", "  (1, 'x'),", "  (2, 'y');", "  (3, 'z');"}, "SQL rows") == 2);
    CHECK(joined("db/seed.py", {"insert into t (a, b) values", "  (1, 'x');"}, "SQL rows") == 0);
    // read24b: VALUES inside a table's name is not VALUES; a head of huge
    // column lists is not read (it multiplied a file's bytes by 128), and
    // stacked INSERT lines read the rows once.
    CHECK(review_secret("db/seed.sql", {"INSERT INTO config_values (name, client_secret)", "VALUES", "  ('billing', '" + v + "');"}, keep));
    CHECK(joined("db/seed.sql", {"INSERT INTO t (" + std::string(5000, 'c') + ")", "VALUES", "  (1, 'x');"}, "SQL rows") == 0);
    CHECK(joined("db/seed.sql", {"INSERT INTO t (a)", "INSERT INTO u (b) VALUES", "  (1, 'x');"}, "SQL rows") == 1);
  }

  TEST_CASE("names joined at use, rows and objects over lines, Bruno's apikey block, a capped call (session 25)") {
    std::vector<Finding> keep;
    const std::string v = std::string("Qx7v") + "Lm2RtZp4nKw8HsJd6yTb3cWq";
    // A secret split into two named literals, joined where it is used: the
    // finding spans the lines from the first name's to the use, redacted.
    const std::string head = std::string("sk_live_") + "51Hq";
    const Finding* f = review_secret("src/pay.js", {"const A = \"" + head + "\";", "const B = \"" + v + "\";", "const stripe = new Stripe(A + B);"}, keep);
    REQUIRE(f);
    CHECK(f->line == 1);
    CHECK(f->end_line == 3);
    CHECK(f->evidence.find(v) == std::string::npos);
    CHECK(joined("a.py", {"P1 = \"ab\"", "P2 = \"cd\"", "x = P1 + P2 + other"}, "joined names") == 1);
    CHECK(joined("a.py", {"P1 = \"ab\"", "x = P1 + other"}, "joined names") == 0);      // one name known
    CHECK(joined("a.py", {"P1 = \"ab\"", "x = obj.P1 + obj.P1"}, "joined names") == 0);  // members, not the names
    CHECK(joined("a.py", {"P1 = \"ab\"", "x = \"P1 + P1\""}, "joined names") == 0);      // inside a string
    CHECK_FALSE(review_secret("src/api.ts", {"const BASE = \"https://api.acme.io\";", "const PATH = \"/v1/orders\";", "const url = BASE + PATH;"}, keep));
    // An SQL row over lines, read whole under its INSERT.
    CHECK(review_secret("db/seed.sql", {"INSERT INTO api_keys (name, secret)", "VALUES", "  (", "    'billing',", "    '" + v + "'", "  );"}, keep));
    CHECK(review_secret("db/seed.sql", {"INSERT INTO api_clients (name, token)", "VALUES ('billing',", "        '" + v + "');"}, keep));
    CHECK(joined("db/seed.sql", {"insert into t (a, b) values", "  (1,", "   'x'),", "  (2, 'y');"}, "SQL rows") == 2);
    // A row never closed is read as its own line, and the rows after one
    // whose quote never ends still are (read25b: `\'` made every later row pass).
    CHECK(joined("db/seed.sql", {"insert into t (a, b) values", "  (1,", "   'x'"}, "SQL rows") == 1);
    CHECK(review_secret("db/seed.sql", {"INSERT INTO api_clients (name, client_secret) VALUES", "  ('O\\'Brien', 'x'),", "  ('crm', '" + v + "');"}, keep));
    CHECK(review_secret("db/seed.sql", {"INSERT INTO api_clients (name, client_secret) VALUES", "  ('it''s, 'x'),", "  ('crm', '" + v + "');"}, keep));
    // Bruno's apikey block: the value is an API key whatever the header is called.
    CHECK(review_secret("c/get.bru", {"auth:apikey {", "  key: X-Partner-Key", "  value: " + v, "}"}, keep));
    CHECK(joined("c/get.bru", {"vars {", "  key: X-Partner-Key", "  value: abc", "}"}, "name and value fields") == 1);
    // A value in an object on the line after its name.
    CHECK(review_secret("tfplan.json", {"    \"client_secret\": {", "      \"value\": \"" + v + "\""}, keep));
    CHECK(joined("tfplan.json", {"    \"region\": {", "      \"sensitive\": false"}, "name and value fields") == 0);
    // A call's arguments over lines are read within 4 KB.
    CHECK(joined("a.py", {"connect(", "    settings.USER,", "    \"" + std::string(5000, 'a') + "1\");"}, "call over lines") == 0);
  }

  TEST_CASE("names joined in a template or a format, a join with a separator, CloudFormation pairs (session 26)") {
    const std::string v = kLiveStripe.substr(0, 20), w = kLiveStripe.substr(20);
    std::vector<Finding> keep;
    // A template literal, an f-string, C#'s $"…", a format of placeholders.
    for (const std::string& use : {std::string("const k = `${A}${B}`;"), std::string("k = f\"{A}{B}\""), std::string("var k = $\"{A}{B}\";"),
                                   std::string("k = \"{}{}\".format(A, B)"), std::string("String k = String.format(\"%s%s\", A, B);"),
                                   std::string("k := fmt.Sprintf(\"%s%s\", A, B)"), std::string("k = \"%s%s\" % (A, B)")}) {
      CAPTURE(use);
      const Finding* f = review_secret("src/k.js", {"A = \"" + v + "\"", "B = \"" + w + "\"", use}, keep);
      REQUIRE(f);
      CHECK(f->line == 1);
      CHECK(f->end_line == 3);  // the redactor masks the three lines
      CHECK(f->evidence.find(w) == std::string::npos);
    }
    CHECK(joined("a.py", {"A = \"ab\"", "B = \"cd\"", "x = f\"{A}-{B}\""}, "joined names") == 0);       // text between: not one value
    CHECK(joined("a.py", {"A = \"ab\"", "B = \"cd\"", "x = \"{}{}\".format(A, other)"}, "joined names") == 0);  // a name not known
    CHECK(joined("a.py", {"A = \"ab\"", "B = \"cd\"", "x = \"{}-{}\".format(A, B)"}, "joined names") == 0);     // not placeholders only
    // A join with a one-character separator, literals only.
    CHECK(review_secret("t.py", {"token = \"_\".join([\"sk\", \"live\", \"" + kLiveStripe.substr(8) + "\"])"}, keep));
    const std::string_view sep = "literals joined with a separator";
    CHECK(joined("t.js", {"const k = ['a', 'b', 'c'].join('-');"}, sep) == 1);
    CHECK(joined("t.js", {"const k = ['a', name, 'c'].join('-');"}, sep) == 0);
    CHECK(joined("t.py", {"k = \", \".join([\"a\", \"b\"])"}, sep) == 0);  // a separator of words
    CHECK(joined("t.go", {"k := strings.Join([]string{\"a\", \"b\"}, \".\")"}, sep) == 1);
    // CloudFormation's ParameterKey / ParameterValue, on one line or two.
    CHECK(joined("p.json", {"  {\"ParameterKey\": \"DBPassword\", \"ParameterValue\": \"x1\"}"}, "name and value fields") == 1);
    CHECK(joined("p.json", {"    \"ParameterKey\": \"DBPassword\",", "    \"ParameterValue\": \"x1\""}, "name and value fields") == 1);
  }

  TEST_CASE("a key body added under a BEGIN line the file already had") {
    auto with_context = [](const std::string& begin) {
      FileDiff fd;
      fd.old_path = fd.new_path = "deploy/deploy_key.pem";
      fd.kind = ChangeKind::modified;
      fd.old_mode = fd.new_mode = 0100644;
      Hunk h;
      std::vector<std::string> texts;  // the lines view these until own_text copies them
      texts.reserve(8);
      auto line = [&](LineOrigin o, int n, std::string s) {
        DiffLine l;
        l.origin = o;
        l.new_line = o == LineOrigin::deleted ? -1 : n;
        l.old_line = o == LineOrigin::added ? -1 : n;
        texts.push_back(std::move(s));
        l.content = texts.back();
        h.lines.push_back(l);
      };
      line(LineOrigin::context, 1, "-----BEGIN " + begin + "-----");
      line(LineOrigin::deleted, 2, "REPLACE_WITH_DEPLOY_KEY");
      line(LineOrigin::added, 2, "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun");
      line(LineOrigin::added, 3, "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK");
      line(LineOrigin::context, 4, "-----END " + begin + "-----");
      fd.hunks.push_back(h);
      fd.additions = 2;
      fd.deletions = 1;
      own_text(fd);
      return fd;
    };
    auto fs = scan_all(context_with({with_context("RSA PRIVATE KEY")}));
    const Finding* f = secret_finding(fs);
    REQUIRE(f);
    CHECK(f->rule == "safety/secret/private-key-rsa");
    CHECK(f->line == 2);
    CHECK_FALSE(secret_finding(scan_all(context_with({with_context("CERTIFICATE")}))));
    CHECK_FALSE(secret_finding(scan_all(context_with({with_context("PUBLIC KEY")}))));
  }

  TEST_CASE("a notebook's escaped source line is read as code") {
    std::vector<Finding> keep;
    CHECK(review_secret("nb/explore.ipynb", {"   \"source\": [", "    \"db_password = \\\"Xk29fLq7Vb3nWp8Rt\\\"\\n\","}, keep));
    CHECK_FALSE(review_secret("nb/plot.ipynb", {"   \"source\": [", "    \"df = pd.read_csv(\\\"data.csv\\\")\\n\","}, keep));
  }
}
