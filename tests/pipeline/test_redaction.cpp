// Issue 17, item 3: one redactor at the pipeline's edge. Whatever an agent
// quotes, the result of review_change holds no raw secret.
#include <doctest/doctest.h>

#include <functional>

#include "reviewer/pipeline/redaction.h"
#include "reviewer/pipeline/review.h"
#include "subagents/safety/rules.h"
#include "subagents/safety/scanner.h"
#include "support/fixtures.h"

using namespace reviewer;

namespace {

// Built from pieces so this source holds no credential-shaped literal.
const std::string kKey = std::string("AKIA") + "ZQ4RT7XK" + "2LMWPV9N";

// Every text of a result a renderer, the publisher or the audit log reads.
void each_text(const ReviewResult& r, const std::function<void(const std::string&, const std::string&)>& f) {
  f("title", r.pr.title);
  f("body", r.pr.body);
  f("head_ref", r.pr.head_ref);
  f("base_ref", r.pr.base_ref);
  for (const auto& m : r.pr.commit_messages) f("commit", m);
  f("walkthrough", r.walkthrough);
  for (const auto& reason : r.decision.reasons) f("reason", reason);
  for (const auto& file : r.diff.files) {
    f("path", file.old_path + " " + file.new_path);
    for (const auto& h : file.hunks) {
      for (const auto& l : h.lines) f("line", std::string(l.content));
    }
  }
  for (const auto& a : r.agents) {
    f("error", a.error);
    for (const auto& x : a.findings) {
      f(x.rule + " path", x.path);
      f(x.rule + " message", x.message);
      f(x.rule + " evidence", x.evidence);
      f(x.rule + " suggestion", x.suggestion);
    }
  }
}

bool has_rule(const ReviewResult& r, const std::string& rule) {
  for (const auto& a : r.agents) {
    for (const auto& f : a.findings) {
      if (f.rule == rule) return true;
    }
  }
  return false;
}

}  // namespace

TEST_SUITE("pipeline::redaction") {
  TEST_CASE("a commented-out key quoted by the logic agent reaches no text of the result") {
    Diff d;
    d.files.push_back(test::file_with_lines(
        "src/storage.py",
        {"import boto3", "", "def client():", "    # key = \"" + kKey + "\"", "    # region = \"eu-west-1\"",
         "    # session = boto3.Session(aws_access_key_id=key)", "    # if session is None:", "    #     return None",
         "    # return session.client(\"s3\", region_name=region)", "    return boto3.client(\"s3\")"}));
    PullRequest pr;
    pr.title = "Use the default credential chain for S3";
    pr.body = "The client no longer takes a key because the instance role provides one.";
    auto r = review_change({pr, d, load_guidance(), {}, "cli", Mode::dry_run, "", nullptr, {}});
    // The agents judged the raw change: the key and the quoted comment are
    // reported; only their texts are masked.
    CHECK(has_rule(r, "safety/secret/aws-access-key"));
    CHECK(has_rule(r, "logic/commented-out-code"));
    CHECK(r.decision.kind == DecisionKind::request_changes);
    bool masked = false;
    each_text(r, [&](const std::string& where, const std::string& text) {
      CAPTURE(where);
      CHECK(text.find(kKey) == std::string::npos);
      CHECK(text.find(kKey.substr(0, 12)) == std::string::npos);
      masked |= text.find("[redacted: safety/secret/aws-access-key]") != std::string::npos;
    });
    CHECK(masked);
  }

  TEST_CASE("a key in a path, the title, the branch name and a commit message is masked in the result") {
    Diff d;
    d.files.push_back(test::file_with_lines("keys/" + kKey + ".txt", {"rotated monthly"}));
    PullRequest pr;
    pr.title = "Add " + kKey;
    pr.body = "Body with " + kKey + " inside.";
    pr.head_ref = "feature/" + kKey;
    pr.commit_messages = {"Add the key " + kKey + "\n\nSee the ticket.\n"};
    auto r = review_change({pr, d, load_guidance(), {}, "cli", Mode::dry_run, "", nullptr, {}});
    each_text(r, [&](const std::string& where, const std::string& text) {
      CAPTURE(where);
      CHECK(text.find(kKey) == std::string::npos);
    });
    REQUIRE(r.diff.files.size() == 1);
    CHECK(r.diff.files[0].path_redacted);
    CHECK(r.diff.files[0].new_path == "keys/[redacted: safety/secret/aws-access-key].txt");
    CHECK(r.pr.head_ref == "feature/[redacted: safety/secret/aws-access-key]");
  }

  TEST_CASE("the redactor finds secrets no agent reported, also cut short, and leaves other text alone") {
    Diff d;
    d.files.push_back(test::file_with_lines("docs/setup.md", {"Use the key " + kKey + " for the demo bucket."}));
    Redactor red(load_guidance(), PullRequest{}, d, {});
    // The rules themselves, in any text.
    CHECK(red.text("message: " + kKey + " was seen") == "message: [redacted: safety/secret/aws-access-key] was seen");
    // A value learnt from the change, cut short by an excerpt.
    CHECK(red.text("evidence: " + kKey.substr(0, 14) + "…") == "evidence: [redacted: safety/secret/aws-access-key]…");
    // Idempotent, and ordinary text is untouched (hashes and ids included).
    const std::string once = red.text("x " + kKey);
    CHECK(red.text(once) == once);
    const std::string plain = "Moves the 3f2a9c1b7e4d5a6f8b0c1d2e3f4a5b6c7d8e9f0a lookup into a helper (id 0123abcd4567ef89).";
    CHECK(red.text(plain) == plain);
  }

  TEST_CASE("a secret that begins with an ordinary word masks that word only where an excerpt cuts it") {
    Diff d;
    d.files.push_back(test::file_with_lines("config.yml", {"db:", "  password: \"passwordXq7Zr2\""}));
    Redactor red(load_guidance(), PullRequest{}, d, {});
    REQUIRE(red.text("was passwordXq7Zr2") != "was passwordXq7Zr2");  // learnt whole
    // The word alone, in a path or a rule's own message, is no part of it.
    for (const std::string plain : {"Changed without their tests: lookup/password.py.",
                                    "A literal password, token or key is readable by everyone.", "PASSWORD_FILE"}) {
      CHECK(red.text(plain) == plain);
    }
    // Cut short where an excerpt ends, or past the word, it is masked.
    CHECK(red.text("evidence: password\u2026").find("password") == std::string::npos);
    CHECK(red.text("evidence: password") == "evidence: [redacted: safety/secret/generic-secret-assignment]");
    CHECK(red.text("was passwordXq7 then").find("passwordXq7") == std::string::npos);
  }

  TEST_CASE("a learnt value cut at its start is masked; an ordinary-word password leaves paths alone (session 22)") {
    Diff d;
    d.files.push_back(test::file_with_lines("saleor/settings.py", {"DATABASE_URL = \"postgres://saleor:saleor@db:5432/saleor\"",
                                                                   "API = \"" + kKey + "\""}));
    Redactor red(load_guidance(), PullRequest{}, d, {});
    // An excerpt that begins inside the key shows none of its last bytes.
    const std::string cut = "evidence: " + kKey.substr(5) + "\" + \"yyyy";
    CHECK(red.text(cut).find(kKey.substr(kKey.size() - 8)) == std::string::npos);
    // The word is masked in a finding's text, not in the file's path.
    REQUIRE(red.text("was saleor") != "was saleor");
    const Diff out = red.diff(d);
    CHECK(out.files[0].new_path == "saleor/settings.py");
    CHECK_FALSE(out.files[0].path_redacted);
  }

  TEST_CASE("a short learnt value leaves a path where it is part of a longer name (session 24)") {
    Diff d;
    d.files.push_back(test::file_with_lines("src/feed42x/settings.py", {"DATABASE_URL = \"postgres://app:ed42@db:5432/app\""}));
    d.files.push_back(test::file_with_lines("ed42/notes.txt", {"nothing here"}));
    Redactor red(load_guidance(), PullRequest{}, d, {});
    REQUIRE(red.text("was ed42") != "was ed42");
    const Diff out = red.diff(d);
    CHECK(out.files[0].new_path == "src/feed42x/settings.py");
    CHECK_FALSE(out.files[0].path_redacted);
    // A whole name is the value: masked.
    CHECK(out.files[1].new_path.find("ed42") == std::string::npos);
    CHECK(out.files[1].path_redacted);
  }

  TEST_CASE("masked lines get text of their own; the diff it came from and clean files keep theirs") {
    Diff d;
    d.files.push_back(test::file_with_lines("a.cfg", {"name = demo", "key = " + kKey, "region = eu"}));
    d.files.push_back(test::file_with_lines("b.txt", {"nothing to hide"}));
    const Diff before = d;
    Redactor red(load_guidance(), PullRequest{}, d, {});
    const Diff masked = red.diff(d);
    const auto& lines = masked.files[0].hunks[0].lines;
    REQUIRE(lines.size() == 3);
    CHECK(lines[0].content == "name = demo");
    CHECK(lines[1].content == "key = [redacted: safety/secret/aws-access-key]");
    CHECK(lines[1].new_line == 2);
    CHECK(lines[2].content == "region = eu");
    REQUIRE(masked.files[0].text);
    CHECK(*masked.files[0].text == "name = demo\nkey = [redacted: safety/secret/aws-access-key]\nregion = eu\n");
    // The input still holds the raw line: the mask wrote new text, not into the shared one.
    CHECK(before.files[0].hunks[0].lines[1].content == "key = " + kKey);
    CHECK(*before.files[0].text == "name = demo\nkey = " + kKey + "\nregion = eu\n");
    // Nothing to mask: the same bytes, not a copy.
    CHECK(masked.files[1].text == before.files[1].text);
    CHECK(masked.files[1].hunks[0].lines[0].content == "nothing to hide");
  }

  TEST_CASE("a secret rule a team switched off still masks") {
    Guidance g = load_guidance();
    g.document["safety"]["rules"]["aws-access-key"]["state"] = "off";
    g.version = "aws-rule-off-for-test";
    Redactor red(g, PullRequest{}, Diff{}, {});
    CHECK(red.text("k=" + kKey) == "k=[redacted: safety/secret/aws-access-key]");
  }
  TEST_CASE("with the safety agent's scan the redactor masks what its own scan of everything masks") {
    const std::string other = std::string("AKIA") + "J7Q2M4XW" + "8RTB6ZKD";
    const std::string rule = "safety/secret/aws-access-key";
    Diff d;
    d.files.push_back(test::file_with_lines("src/a.py", {"k = \"" + kKey + "\"", "print(k)"}, {"old = \"" + other + "\""}));
    d.files.push_back(test::file_with_lines("docs/b.md", {"Try " + other + " here.", "no secret"}));
    d.files.push_back(test::file_with_lines("c.txt", {"nothing to hide"}));
    AgentContext ctx;
    ctx.diff = d;
    ctx.guidance = load_guidance();
    ctx.secret_scan = std::make_shared<SecretScan>();
    const auto findings = safety::scan(*safety::rules_for(ctx.guidance), ctx);
    const SecretScan& scan = *ctx.secret_scan;
    // The scan read the added lines only (the deleted key is the redactor's
    // to read), with the rule set the agent used.
    CHECK(scan.rules_version == ctx.guidance.version);
    REQUIRE(scan.files.size() == 3);
    for (const auto& f : scan.files) CHECK(f.scanned);
    using Values = std::vector<std::pair<std::string, std::string>>;
    CHECK(scan.files[0].values == Values{{kKey, rule}});
    CHECK(scan.files[1].values == Values{{other, rule}});
    CHECK(scan.files[2].values.empty());

    std::vector<AgentReport> agents(1);
    agents[0].name = "safety";
    agents[0].findings = findings;
    Redactor shared(ctx.guidance, PullRequest{}, d, agents, &scan);
    Redactor alone(ctx.guidance, PullRequest{}, d, agents);
    const Diff a = shared.diff(d), b = alone.diff(d);
    REQUIRE(a.files.size() == b.files.size());
    for (std::size_t i = 0; i < a.files.size(); ++i) {
      REQUIRE(a.files[i].hunks[0].lines.size() == b.files[i].hunks[0].lines.size());
      for (std::size_t j = 0; j < a.files[i].hunks[0].lines.size(); ++j) {
        const std::string_view line = a.files[i].hunks[0].lines[j].content;
        CAPTURE(line);
        CHECK(line == b.files[i].hunks[0].lines[j].content);
        CHECK(line.find(kKey.substr(0, 8)) == std::string_view::npos);
        CHECK(line.find(other.substr(0, 8)) == std::string_view::npos);
      }
    }
    // Every finding's texts, and the values cut short in an excerpt.
    for (const auto& f : findings) {
      for (const auto* t : {&f.message, &f.evidence, &f.path}) CHECK(shared.text(*t) == alone.text(*t));
    }
    for (const std::string& t : {"evidence: " + kKey.substr(0, 14) + "...", "was " + other.substr(0, 12)}) {
      CAPTURE(t);
      CHECK(shared.text(t) == alone.text(t));
      CHECK(shared.text(t).find("[redacted: " + rule + "]") != std::string::npos);
    }
  }

  TEST_CASE("a secret joined over several lines is masked in every line it spans") {
    // A generated password split over three Java lines: each line alone is
    // no secret, the joined value is.
    const std::vector<std::string> parts = {std::string("Qx7") + "vLm2Rt", std::string("Zp4") + "nKw8Hs", std::string("Jd6") + "yTb3Fc"};
    Diff d;
    d.files.push_back(test::file_with_lines("src/Db.java", {"class Db {", "  static final String DB_PASSWORD = \"" + parts[0] + "\" +",
                                                             "      \"" + parts[1] + "\" +", "      \"" + parts[2] + "\";", "}"}));
    AgentContext ctx;
    ctx.diff = d;
    ctx.guidance = load_guidance();
    ctx.secret_scan = std::make_shared<SecretScan>();
    const auto findings = safety::scan(*safety::rules_for(ctx.guidance), ctx);
    std::vector<AgentReport> agents(1);
    agents[0].name = "safety";
    agents[0].findings = findings;
    const Finding* f = nullptr;
    for (const auto& x : findings) {
      if (x.rule.starts_with("safety/secret/")) f = &x;
    }
    REQUIRE(f);
    CHECK(f->line == 2);
    CHECK(f->end_line == 4);
    const Redactor shared(ctx.guidance, PullRequest{}, d, agents, ctx.secret_scan.get());
    const Redactor alone(ctx.guidance, PullRequest{}, d, agents);
    for (const Redactor* red : {&shared, &alone}) {
      const Diff masked = red->diff(d);
      const auto& lines = masked.files[0].hunks[0].lines;
      REQUIRE(lines.size() == 5);
      CHECK(lines[0].content == "class Db {");
      CHECK(lines[4].content == "}");
      for (std::size_t i = 1; i < 4; ++i) {
        CAPTURE(i);
        CHECK(lines[i].content.find("[redacted: ") != std::string_view::npos);
        for (const auto& part : parts) CHECK(lines[i].content.find(part) == std::string_view::npos);
      }
    }
  }

  TEST_CASE("the redactor takes the values of the safety agent's scan and reads what it did not finish itself") {
    const std::string made_up = "zebra-orchid-lantern-41";  // no rule finds it
    Diff d;
    d.files.push_back(test::file_with_lines("a.txt", {"x = " + made_up}));
    d.files.push_back(test::file_with_lines("b.txt", {"key = " + kKey}));
    const Guidance g = load_guidance();
    SecretScan scan;
    scan.rules_version = g.version;
    scan.files.resize(2);
    scan.files[0] = {true, {{made_up, "safety/secret/test"}}};
    scan.files[1] = {false, {}};  // cut short before b.txt
    const std::string cut = "k " + kKey.substr(0, 14);  // the rules alone do not find a key cut short
    {
      Redactor red(g, PullRequest{}, d, {}, &scan);
      CHECK(red.text("said " + made_up) == "said [redacted: safety/secret/test]");
      CHECK(red.text(cut) == "k [redacted: safety/secret/aws-access-key]");  // learnt by reading b.txt
      CHECK(red.diff(d).files[1].hunks[0].lines[0].content == "key = [redacted: safety/secret/aws-access-key]");
    }
    // A scan by another rule set, or of another diff, is not taken: the
    // redactor reads every file itself.
    scan.files[1].scanned = true;
    SecretScan other_rules = scan;
    other_rules.rules_version = "another";
    SecretScan other_diff = scan;
    other_diff.files.pop_back();
    for (const SecretScan* s : {&other_rules, &other_diff}) {
      Redactor red(g, PullRequest{}, d, {}, s);
      CHECK(red.text("said " + made_up) == "said " + made_up);
      CHECK(red.text(cut) == "k [redacted: safety/secret/aws-access-key]");
    }
    // Taken, the scan's word that b.txt holds nothing stands (it is the
    // rules' own reading of those lines).
    Redactor trusting(g, PullRequest{}, d, {}, &scan);
    CHECK(trusting.text(cut) == cut);
  }
}
