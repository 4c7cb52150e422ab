#include "github_fixture.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <stdexcept>

#include "reviewer/core/finding.h"

namespace reviewer::test {
namespace {

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

// `text` is a literal: the line may view it until its file owns its text.
DiffLine dl(LineOrigin o, int old_line, int new_line, std::string_view text) {
  DiffLine l;
  l.origin = o;
  l.old_line = old_line;
  l.new_line = new_line;
  l.content = text;
  return l;
}

}  // namespace

const RsaKey& test_rsa_key() {
  static const RsaKey key = [] {
    EVP_PKEY* pkey = EVP_RSA_gen(2048);
    if (!pkey) throw std::runtime_error("cannot generate an RSA key");
    BIO* priv = BIO_new(BIO_s_mem());
    BIO* pub = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(priv, pkey, nullptr, nullptr, 0, nullptr, nullptr);
    PEM_write_bio_PUBKEY(pub, pkey);
    RsaKey k{bio_text(priv), bio_text(pub)};
    BIO_free(priv);
    BIO_free(pub);
    EVP_PKEY_free(pkey);
    return k;
  }();
  return key;
}

github::ClientOptions fake_options(FakeGitHub& fake, std::shared_ptr<github::Credentials> creds,
                                   std::vector<std::chrono::milliseconds>* slept) {
  github::ClientOptions o;
  o.api_url = fake.url();
  o.credentials = std::move(creds);
  o.timeout = std::chrono::seconds(10);
  o.min_mutation_interval = std::chrono::milliseconds(0);
  o.sleep = [slept](std::chrono::milliseconds d) {
    if (slept) slept->push_back(d);
  };
  o.jitter = [] { return 0.5; };
  o.breaker = std::make_shared<github::CircuitBreaker>(5, std::chrono::seconds(30));
  return o;
}

Diff sample_diff(const std::string& head) {
  Diff d;
  d.base_sha = "0000000000000000000000000000000000000000";
  d.head_sha = head;
  FileDiff app;
  app.old_path = app.new_path = "src/app.cpp";
  app.kind = ChangeKind::modified;
  Hunk h1;
  h1.old_start = 10; h1.old_lines = 4; h1.new_start = 10; h1.new_lines = 5;
  h1.lines = {dl(LineOrigin::context, 10, 10, "int a;"), dl(LineOrigin::deleted, 11, 0, "int b;"),
              dl(LineOrigin::added, 0, 11, "int b2;"), dl(LineOrigin::added, 0, 12, "int c;"),
              dl(LineOrigin::context, 12, 13, "int d;"), dl(LineOrigin::context, 13, 14, "int e;")};
  Hunk h2;
  h2.old_start = 39; h2.old_lines = 2; h2.new_start = 40; h2.new_lines = 3;
  h2.lines = {dl(LineOrigin::context, 39, 40, "x"), dl(LineOrigin::added, 0, 41, "y"),
              dl(LineOrigin::context, 40, 42, "z")};
  app.hunks = {h1, h2};
  app.additions = 3;
  app.deletions = 1;
  FileDiff ren;
  ren.old_path = "old/name.h";
  ren.new_path = "new/name.h";
  ren.kind = ChangeKind::renamed;
  ren.similarity = 90;
  Hunk h3;
  h3.old_start = 4; h3.old_lines = 1; h3.new_start = 4; h3.new_lines = 2;
  h3.lines = {dl(LineOrigin::context, 4, 4, "#pragma once"), dl(LineOrigin::added, 0, 5, "#include <x>")};
  ren.hunks = {h3};
  ren.additions = 1;
  FileDiff gone;
  gone.old_path = "gone.txt";
  gone.kind = ChangeKind::deleted;
  Hunk h4;
  h4.old_start = 1; h4.old_lines = 3; h4.new_start = 0; h4.new_lines = 0;
  h4.lines = {dl(LineOrigin::deleted, 1, 0, "a"), dl(LineOrigin::deleted, 2, 0, "b"),
              dl(LineOrigin::deleted, 3, 0, "c")};
  gone.hunks = {h4};
  gone.deletions = 3;
  d.files = {app, ren, gone};
  own_text(d);
  return d;
}

Finding finding(const std::string& rule, Severity sev, const std::string& path, int line, int end_line) {
  Finding f;
  f.rule = rule;
  f.severity = sev;
  f.path = path;
  f.line = line;
  f.end_line = end_line;
  f.message = "problem under " + rule;
  f.id = make_finding_id(rule, path, std::to_string(line));
  return f;
}

ReviewResult sample_result(const std::string& head, DecisionKind decision, std::vector<Finding> findings) {
  ReviewResult r;
  r.run_id = "run" + head.substr(0, 8);
  r.started_at = "2026-11-26T12:00:00Z";
  r.mode = Mode::active;
  r.trigger = "webhook";
  r.pr.repository = "o/r";
  r.pr.number = 7;
  r.pr.title = "Add feature";
  r.pr.head_sha = head;
  r.pr.base_sha = "0000000000000000000000000000000000000000";
  r.diff = sample_diff(head);
  r.size.label = "XS";
  r.size.lines_added = 4;
  r.size.lines_deleted = 4;
  r.size.files = 3;
  AgentReport a;
  a.name = "logic";
  a.findings = std::move(findings);
  r.agents.push_back(a);
  r.decision.kind = decision;
  r.decision.reasons = {"because the test says so"};
  r.guidance_version = "test";
  r.reviewer_version = "0.1.0";
  return r;
}

}  // namespace reviewer::test
