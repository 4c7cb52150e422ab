// End-to-end latency of publishing a review with a warm local mirror:
//   fetch refs/pull/N/head + base into the mirror (incremental, file://)
//   -> merge base and three-dot diff from the mirror (libgit2)
//   -> a result with five findings for the 300-line change -> publish in active mode
//   (App installation token cached, PR head check, review list, review with
//   inline comments, labels, check run) to an in-process fake GitHub API
//   over loopback HTTP.
// Prints p50 / p99 / max over N pull requests.
//
// usage: github_bench [PRS=200] [LINES=300]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "fake_github.h"
#include "reviewer/core/finding.h"
#include "reviewer/git/handles.h"
#include "reviewer/git/mirror.h"
#include "reviewer/git/repository.h"
#include "reviewer/github/app_auth.h"
#include "reviewer/github/publisher.h"

using namespace reviewer;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

std::string rsa_pem() {
  EVP_PKEY* k = EVP_RSA_gen(2048);
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(b, k, nullptr, nullptr, 0, nullptr, nullptr);
  char* d = nullptr;
  long n = BIO_get_mem_data(b, &d);
  std::string s(d, static_cast<std::size_t>(n));
  BIO_free(b);
  EVP_PKEY_free(k);
  return s;
}

std::string commit(git_repository* repo, const std::string& ref, const std::string& parent,
                   const std::string& path, const std::string& content) {
  git_oid blob, tree, out;
  git::check(git_blob_create_from_buffer(&blob, repo, content.data(), content.size()), "blob");
  git::CommitPtr pc;
  git::TreePtr parent_tree;
  const git_commit* parents[1] = {nullptr};
  if (!parent.empty()) {
    git_oid p;
    git_oid_fromstr(&p, parent.c_str());
    git_commit* c = nullptr;
    git::check(git_commit_lookup(&c, repo, &p), "parent");
    pc.reset(c);
    parents[0] = c;
    git_tree* pt = nullptr;
    git::check(git_commit_tree(&pt, c), "parent tree");
    parent_tree.reset(pt);
  }
  // The parent's tree plus the one file.
  git_treebuilder* tb = nullptr;
  git::check(git_treebuilder_new(&tb, repo, parent_tree.get()), "tb");
  git::TreeBuilderPtr tbp(tb);
  git::check(git_treebuilder_insert(nullptr, tb, path.c_str(), &blob, GIT_FILEMODE_BLOB), "insert");
  git::check(git_treebuilder_write(&tree, tb), "tree");
  git_tree* t = nullptr;
  git::check(git_tree_lookup(&t, repo, &tree), "tree");
  git::TreePtr tp(t);
  git_signature* sig = nullptr;
  git::check(git_signature_new(&sig, "b", "b@example.com", 1700000000, 0), "sig");
  git::SignaturePtr sp(sig);
  git::check(git_commit_create(&out, repo, nullptr, sig, sig, nullptr, "m", t, parent.empty() ? 0 : 1, parents), "c");
  git_reference* r = nullptr;
  git::check(git_reference_create(&r, repo, ref.c_str(), &out, 1, "bench"), "ref");
  git_reference_free(r);
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &out);
  return buf;
}

ReviewResult result_for(Diff diff, int n, int lines) {
  ReviewResult r;
  r.run_id = "bench-" + std::to_string(n);
  r.pr.repository = "o/r";
  r.pr.number = n;
  r.pr.title = "PR " + std::to_string(n);
  r.pr.base_sha = diff.base_sha;
  r.pr.head_sha = diff.head_sha;
  r.diff = std::move(diff);
  const FileDiff& f = r.diff.files.at(0);
  r.size.label = size_label(lines);
  r.size.lines_added = lines;
  r.size.files = 1;
  AgentReport a;
  a.name = "logic";
  for (int i = 0; i < 5; ++i) {
    Finding fd;
    fd.rule = "logic/bench";
    fd.severity = Severity::warning;
    fd.path = f.new_path;
    fd.line = 10 + i * 50;
    fd.message = "bench finding";
    fd.id = make_finding_id(fd.rule, fd.path, std::to_string(fd.line));
    a.findings.push_back(fd);
  }
  r.agents.push_back(a);
  r.decision.kind = DecisionKind::comment;
  r.decision.reasons = {"warnings"};
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  int prs = argc > 1 ? std::atoi(argv[1]) : 200;
  int lines = argc > 2 ? std::atoi(argv[2]) : 300;
  git::Library lib;
  fs::path dir = fs::temp_directory_path() / ("github-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);

  // The "GitHub" repository: main plus one refs/pull/N/head per PR.
  git_repository* raw = nullptr;
  git::check(git_repository_init(&raw, (dir / "src.git").c_str(), 1), "init");
  git::RepositoryPtr src(raw);
  std::string base_content;
  for (int i = 0; i < 2000; ++i) base_content += "line " + std::to_string(i) + "\n";
  std::string base = commit(src.get(), "refs/heads/main", "", "README", base_content);
  std::vector<std::string> heads;
  for (int n = 1; n <= prs; ++n) {
    std::string body;
    for (int i = 1; i <= lines; ++i) body += "int v" + std::to_string(i) + " = " + std::to_string(i * n) + ";\n";
    heads.push_back(commit(src.get(), "refs/pull/" + std::to_string(n) + "/head", base, "file" + std::to_string(n) + ".cpp", body));
  }

  test::FakeGitHub fake;
  github::ClientOptions co;
  co.api_url = fake.url();
  co.min_mutation_interval = std::chrono::milliseconds(0);  // see bench/README.md
  github::AppConfig ac;
  ac.app_id = "1";
  ac.private_key_pem = rsa_pem();
  github::GitHubApp app(ac, co);
  co.credentials = app.installation_credentials(1);
  github::RestClient client(co);
  github::PublisherOptions po;
  po.bot_login = app.bot_login();
  github::Publisher publisher(&client, po);

  git::Mirror mirror(dir / "data", "o/r", "file://" + (dir / "src.git").string());
  mirror.fetch({"+refs/heads/main:refs/heads/main"}, {});  // warm

  std::vector<double> ms, fetch_ms, pub_ms;
  for (int n = 1; n <= prs; ++n) {
    fake.set_pull_head("o/r", n, heads[n - 1]);
    auto t0 = Clock::now();
    git::FetchResult fr = mirror.fetch_pull("main", n, {});
    auto t1 = Clock::now();
    auto repo = git::Repository::open(mirror.path());
    std::string mb = repo.merge_base(fr.base_sha, fr.head_sha);
    ReviewResult r = result_for(repo.diff(mb, fr.head_sha, fr.base_sha, git::DiffOptions{}), n, lines);
    if (r.diff.files.size() != 1 || r.diff.files[0].additions != lines) {
      std::fprintf(stderr, "PR %d: unexpected diff\n", n);
      return 1;
    }
    github::PublishTarget t{"o", "r", n, false, false, ""};
    auto tp = Clock::now();
    auto rep = publisher.publish(r, t, Mode::active);
    auto t2 = Clock::now();
    pub_ms.push_back(std::chrono::duration<double, std::milli>(t2 - tp).count());
    if (rep.review_id == 0) {
      std::fprintf(stderr, "PR %d: no review posted\n", n);
      return 1;
    }
    ms.push_back(std::chrono::duration<double, std::milli>(t2 - t0).count());
    fetch_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  auto pct = [](std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * v.size()))];
  };
  std::printf("github_bench: %d PRs of %d lines, warm mirror, active mode, fake API on loopback\n", prs, lines);
  std::printf("  fetch+diff+publish  p50 %.1f ms  p99 %.1f ms  max %.1f ms\n", pct(ms, 0.50), pct(ms, 0.99), pct(ms, 1.0));
  std::printf("  fetch only          p50 %.1f ms  p99 %.1f ms\n", pct(fetch_ms, 0.50), pct(fetch_ms, 0.99));
  std::printf("  publish only        p50 %.1f ms  p99 %.1f ms\n", pct(pub_ms, 0.50), pct(pub_ms, 0.99));
  std::printf("  requests to the API: %zu (%.1f per PR)\n", fake.requests().size(),
              static_cast<double>(fake.requests().size()) / prs);
  fs::remove_all(dir);
  return 0;
}
