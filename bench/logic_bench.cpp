// Benchmark of the logic agent's repository index and re-review.
//
//   logic_bench generate DIR [FILES] [LINES]   a synthetic repository (main)
//   logic_bench import SRC DIR                 a snapshot of a real source tree
//   logic_bench cold DIR [REV]                 cold index: time, files, peak RSS
//   logic_bench review DIR                     a 500-line PR: incremental index, warm re-reviews
//   logic_bench incremental DIR                index update after 1/10/100/1000 changed files
//
// Each subcommand is its own process so peak RSS (getrusage) is its own.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "process_usage.h"

#include "git_index/repo_fixture.h"
#include "reviewer/git/handles.h"
#include "reviewer/git/index/language.h"
#include "reviewer/git/index/repo_index.h"
#include "subagents/logic/logic_agent.h"

namespace fs = std::filesystem;
using namespace reviewer;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

using bench::cpu_ms;
using bench::peak_rss_mb;

const char* kExt[] = {"py", "js", "go", "c", "java"};

// One synthetic function of about six lines, calling into another file.
std::string function_text(int lang, int file, int k, int files, int variant) {
  int other = (file * 7 + k + 1) % files;
  int num = (file * 31 + k * 17) % 997 + 3 + variant;
  switch (lang) {
    case 0:
      return fmt::format("def fn_{0}_{1}(a, b):\n    x = fn_{2}_{1}(a, \"message {3} for {0}\")\n    if x > {3}:\n"
                         "        return x  # keep\n    return b\n\n", file, k, other, num);
    case 1:
      return fmt::format("export function fn_{0}_{1}(a, b) {{\n  const x = fn_{2}_{1}(a, \"message {3} for {0}\");\n"
                         "  if (x > {3}) {{ return x; }}\n  // keep\n  return b;\n}}\n", file, k, other, num);
    case 2:
      return fmt::format("func Fn_{0}_{1}(a int, b string) int {{\n\tx := Fn_{2}_{1}(a, \"message {3} for {0}\")\n"
                         "\tif x > {3} {{\n\t\treturn x\n\t}}\n\treturn a\n}}\n", file, k, other, num);
    case 3:
      return fmt::format("int fn_{0}_{1}(int a, const char* b) {{\n  int x = fn_{2}_{1}(a, \"message {3} for {0}\");\n"
                         "  if (x > {3}) return x; /* keep */\n  return a;\n}}\n\n", file, k, other, num);
    default:
      return fmt::format("  public int fn_{0}_{1}(int a, String b) {{\n    int x = fn_{2}_{1}(a, \"message {3} for {0}\");\n"
                         "    if (x > {3}) {{ return x; }}\n    return a;\n  }}\n\n", file, k, other, num);
  }
}

std::string file_path(int file) {
  int lang = file % 5;
  return fmt::format("src/mod{:03}/f{}.{}", file / 50, file, kExt[lang]);
}

std::string file_text(int file, int lines, int files, int variant = 0) {
  int lang = file % 5;
  std::string s = lang == 2 ? "package mod\n\n" : lang == 4 ? fmt::format("class F{} {{\n", file) : "";
  for (int k = 0; static_cast<int>(std::count(s.begin(), s.end(), '\n')) < lines - 1; ++k) {
    s += function_text(lang, file, k, files, variant);
  }
  if (lang == 4) s += "}\n";
  return s;
}

int usage() {
  std::cerr << "usage: logic_bench generate DIR [FILES] [LINES] | import SRC DIR | cold DIR [REV] | review DIR | "
               "incremental DIR\n";
  return 1;
}

std::string rev_sha(git_repository* repo, const std::string& rev) {
  git_object* o = nullptr;
  test::ok(git_revparse_single(&o, repo, rev.c_str()), "resolve");
  git::ObjectPtr obj(o);
  return test::oid_str(*git_object_id(obj.get()));
}

void set_ref(git_repository* repo, const std::string& ref, const std::string& sha) {
  git_oid id;
  git_oid_fromstr(&id, sha.c_str());
  git_reference* r = nullptr;
  test::ok(git_reference_create(&r, repo, ref.c_str(), &id, 1, "bench"), "ref");
  git_reference_free(r);
}

int generate(const fs::path& dir, int files, int lines) {
  auto t0 = Clock::now();
  fs::remove_all(dir);
  auto repo = test::init_repo(dir);
  test::Files tree;
  long total = 0;
  for (int f = 0; f < files; ++f) {
    tree[file_path(f)] = file_text(f, lines, files);
    total += std::count(tree[file_path(f)].begin(), tree[file_path(f)].end(), '\n');
  }
  std::string sha = test::commit_files(repo.get(), tree, "", "generated");
  std::cout << fmt::format("generated {} files, {} lines at {} in {:.0f} ms\n", files, total, sha.substr(0, 12),
                           ms_since(t0));
  return 0;
}

int import_tree(const fs::path& src, const fs::path& dir) {
  fs::remove_all(dir);
  auto repo = test::init_repo(dir);
  test::Files tree;
  long bytes = 0;
  for (const auto& e : fs::recursive_directory_iterator(src, fs::directory_options::skip_permission_denied)) {
    if (!e.is_regular_file() || e.is_symlink() || e.file_size() > (4 << 20)) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string rel = fs::relative(e.path(), src).generic_string();
    if (rel.find("__pycache__") != std::string::npos) continue;
    bytes += static_cast<long>(ss.str().size());
    tree[rel] = ss.str();
  }
  std::string sha = test::commit_files(repo.get(), tree, "", "snapshot of " + src.string());
  std::cout << fmt::format("imported {} files ({} MB) from {} at {}\n", tree.size(), bytes >> 20, src.string(),
                           sha.substr(0, 12));
  return 0;
}

// Removes every cached index but the tree's.
void drop_others(const fs::path& cache_dir, const std::string& keep_tree) {
  std::vector<fs::path> drop;
  for (const auto& e : fs::directory_iterator(cache_dir)) {
    if (e.path().stem() != keep_tree) drop.push_back(e.path());
  }
  for (const auto& p : drop) fs::remove(p);
}

index::IndexOptions options(const fs::path& dir) {
  index::IndexOptions o;
  o.cache_dir = dir / ".git" / "reviewer-index";
  return o;
}

int cold(const fs::path& dir, const std::string& rev) {
  auto repo = test::init_repo(dir);
  fs::remove_all(options(dir).cache_dir);
  auto t0 = Clock::now();
  double c0 = cpu_ms();
  index::IndexStats st;
  auto idx = index::RepoIndex::open(repo.get(), rev, options(dir), &st);
  double ms = ms_since(t0), cpu = cpu_ms() - c0;
  auto size = fs::file_size(index::cache_file(options(dir).cache_dir, idx.tree_id()));
  std::cout << fmt::format("cold index: {:.0f} ms wall, {:.0f} ms CPU, {} files, {} indexed, {} read, cache {} MB, "
                           "peak RSS {} MB\n", ms, cpu, st.files, st.indexed, st.read, size >> 20, peak_rss_mb());
  t0 = Clock::now();
  auto again = index::RepoIndex::open(repo.get(), rev, options(dir), &st);
  std::cout << fmt::format("warm open: {:.2f} ms (from cache: {})\n", ms_since(t0), st.from_cache);
  return 0;
}

// A 500-line PR: 10 files each with 50 changed lines (new numbers, strings
// and one renamed function per file), then reviews with a warm index.
int review(const fs::path& dir) {
  auto repo = test::init_repo(dir);
  std::string base = rev_sha(repo.get(), "main");
  git_commit* c = nullptr;
  git_oid bid;
  git_oid_fromstr(&bid, base.c_str());
  test::ok(git_commit_lookup(&c, repo.get(), &bid), "commit");
  git::CommitPtr commit(c);
  git_tree* t = nullptr;
  git_commit_tree(&t, commit.get());
  git::TreePtr tree(t);
  // Rebuild the whole tree from the base, changing 10 files.
  test::Files files;
  std::pair<git_repository*, test::Files*> walk{repo.get(), &files};
  git_tree_walk(tree.get(), GIT_TREEWALK_PRE, [](const char* root, const git_tree_entry* e, void* p) {
    if (git_tree_entry_type(e) != GIT_OBJECT_BLOB) return 0;
    auto* out = static_cast<std::pair<git_repository*, test::Files*>*>(p);
    git_blob* b = nullptr;
    git_blob_lookup(&b, out->first, git_tree_entry_id(e));
    (*out->second)[std::string(root) + git_tree_entry_name(e)] =
        std::string(static_cast<const char*>(git_blob_rawcontent(b)), git_blob_rawsize(b));
    git_blob_free(b);
    return 0;
  }, &walk);
  int nfiles = static_cast<int>(files.size());
  for (int f = 0; f < 10; ++f) {
    int file = f * 37 % nfiles;
    std::string& text = files[file_path(file)];
    std::string changed = file_text(file, 200, nfiles, 1);  // every number shifts by one
    // Keep the first 50 lines' worth of change: splice 50 changed lines.
    size_t cut = 0, cut_new = 0;
    for (int k = 0; k < 78; ++k) cut = text.find('\n', cut) + 1, cut_new = changed.find('\n', cut_new) + 1;
    text = changed.substr(0, cut_new) + text.substr(cut);
  }
  std::string head = test::commit_files(repo.get(), files, base, "pr");
  set_ref(repo.get(), "refs/heads/main", base);
  set_ref(repo.get(), "refs/heads/pr", head);

  auto opts = options(dir);
  index::RepoIndex::open(repo.get(), base, opts);  // the base is cached (as after the previous push)
  drop_others(opts.cache_dir, index::RepoIndex::open(repo.get(), base, opts).tree_id());  // ... the head's is not
  auto t0 = Clock::now();
  double c0 = cpu_ms();
  index::IndexStats st;
  index::RepoIndex::open(repo.get(), head, opts, &st);
  std::cout << fmt::format("incremental index for the PR: {:.0f} ms wall, {:.0f} ms CPU ({} read, {} reused)\n",
                           ms_since(t0), cpu_ms() - c0, st.read, st.reused);

  AgentContext ctx;
  ctx.guidance = load_guidance_texts({});
  t0 = Clock::now();
  ctx.diff = test::diff_commits(dir, base, head);
  double diff_ms = ms_since(t0);
  int changed = 0;
  for (const auto& f : ctx.diff.files) changed += f.additions + f.deletions;
  ctx.repo_path = dir;
  ctx.pr.base_sha = base;
  ctx.pr.head_sha = head;
  auto agent = make_logic_agent();
  std::vector<double> times, cpus;
  size_t findings = 0;
  findings = agent->review(ctx).size();  // first review after the push: maps the index
  for (int i = 0; i < 9; ++i) {
    t0 = Clock::now();
    c0 = cpu_ms();
    findings = agent->review(ctx).size();
    times.push_back(ms_since(t0));
    cpus.push_back(cpu_ms() - c0);
  }
  std::sort(times.begin(), times.end());
  std::sort(cpus.begin(), cpus.end());
  std::cout << fmt::format("warm re-review of {} changed lines in {} files: median {:.1f} ms wall (min {:.1f}, max "
                           "{:.1f}), median {:.1f} ms CPU ({} findings; the diff itself {:.0f} ms)\n",
                           changed, ctx.diff.files.size(), times[times.size() / 2], times.front(), times.back(),
                           cpus[cpus.size() / 2], findings, diff_ms);
  ctx.repo_path.clear();
  t0 = Clock::now();
  agent->review(ctx);
  std::cout << fmt::format("same review without the repository (no tracing): {:.1f} ms\n", ms_since(t0));
  return 0;
}

int incremental(const fs::path& dir) {
  auto repo = test::init_repo(dir);
  std::string base = rev_sha(repo.get(), "main");
  auto opts = options(dir);
  fs::remove_all(opts.cache_dir);
  auto t0 = Clock::now();
  double c0 = cpu_ms();
  auto base_idx = index::RepoIndex::open(repo.get(), base, opts);
  double cold_ms = ms_since(t0), cold_cpu = cpu_ms() - c0;
  std::cout << fmt::format("baseline cold index: {:.0f} ms wall, {:.0f} ms CPU\n", cold_ms, cold_cpu);
  // Read the base tree once (paths only; contents regenerated).
  int nfiles = static_cast<int>(base_idx.file_count());
  test::Files files;
  for (int f = 0; f < nfiles; ++f) files[file_path(f)] = file_text(f, 200, nfiles);
  for (int n : {1, 10, 100, 1000}) {
    test::Files changed = files;
    for (int k = 0; k < n; ++k) {
      int f = k * 4999 % nfiles;
      changed[file_path(f)] += fmt::format("// change {}\n", n);
    }
    std::string sha = test::commit_files(repo.get(), changed, base, fmt::format("{} files", n), nullptr);
    // Start each update from the base index: drop the others, make it the newest.
    drop_others(opts.cache_dir, base_idx.tree_id());
    fs::last_write_time(index::cache_file(opts.cache_dir, base_idx.tree_id()), fs::file_time_type::clock::now());
    t0 = Clock::now();
    double c0 = cpu_ms();
    index::IndexStats st;
    index::RepoIndex::open(repo.get(), sha, opts, &st);
    double ms = ms_since(t0), cpu = cpu_ms() - c0;
    if (st.from_cache) std::cout << "(from cache: tree " << sha << ")\n";
    std::cout << fmt::format("{:>5} changed files: {:>7.1f} ms wall, {:>6.1f} ms CPU ({:>4} read, {} reused) = {:.2f} x "
                             "cold CPU\n", n, ms, cpu, st.read, st.reused, cpu / cold_cpu);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  git::Library lib;
  if (argc < 3) return usage();
  std::string cmd = argv[1];
  try {
    if (cmd == "generate") {
      return generate(argv[2], argc > 3 ? std::stoi(argv[3]) : 5000, argc > 4 ? std::stoi(argv[4]) : 200);
    }
    if (cmd == "import" && argc > 3) return import_tree(argv[2], argv[3]);
    if (cmd == "cold") return cold(argv[2], argc > 3 ? argv[3] : "main");
    if (cmd == "review") return review(argv[2]);
    if (cmd == "incremental") return incremental(argv[2]);
  } catch (const std::exception& e) {
    std::cerr << "logic_bench: error: " << e.what() << "\n";
    return 1;
  }
  return usage();
}
