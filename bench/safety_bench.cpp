// Safety agent benchmark (issue 3). Subcommands:
//   throughput [--mb N] [--repeat N] [--write-files DIR]  scan a generated
//       mixed diff of N MB (default 50) N times (default 3, best reported);
//       optionally write the same added content as files for
//       a baseline scanner (secretlint).
//   pathological   10 MB single line; 1, 2 and 4 MB of 'a' under every
//       language's path and as the PR body (every rule sees it).
//   corpus [--write-files DIR]  recall/precision on tests/data/safety; writes
//       each case's added lines as a file plus DIR/labels.tsv.
// Timings are wall-clock on one thread; run under `taskset -c 0`.
#include <sys/resource.h>

#include <chrono>
#include <ctime>
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "guidance/guidance.h"
#include "subagents/safety/corpus.h"
#include "subagents/safety/rules.h"
#include "subagents/safety/safety_agent.h"

namespace fs = std::filesystem;
using namespace reviewer;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// CPU time of this thread: the fair "one core" measure on a shared machine
// (wall time is printed too).
double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

long peak_rss_kb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

long current_rss_kb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

struct Lang {
  const char* ext;
  std::vector<std::string> lines;
};

// Ordinary code per language: what most of a real diff looks like.
const std::vector<Lang>& languages() {
  static const std::vector<Lang> langs = {
      {"py", {"def handle(request, user_id):", "    items = [i for i in range(count) if i % 2 == 0]",
              "    logger.info(\"processing %s items\", len(items))", "    return JsonResponse({\"ok\": True, \"count\": n})",
              "from app.models import Order, Customer", "class OrderService(BaseService):",
              "    total = sum(line.price * line.quantity for line in order.lines)", "    if not user.is_authenticated:",
              "        raise PermissionDenied(\"login required\")", "    cur.execute(\"SELECT id FROM t WHERE a = %s\", (a,))"}},
      {"js", {"export function render(props) {", "  const items = props.items.filter((x) => x.visible);",
              "  return items.map((item) => <Row key={item.id} {...item} />);", "import { useState, useEffect } from 'react';",
              "  useEffect(() => { fetchData().then(setData); }, []);", "const total = cart.reduce((s, i) => s + i.price, 0);",
              "  if (!response.ok) throw new Error(`HTTP ${response.status}`);", "module.exports = { start, stop };"}},
      {"ts", {"export interface User { id: string; name: string; email?: string }", "  constructor(private readonly repo: UserRepo) {}",
              "  async find(id: string): Promise<User | undefined> {", "    return this.repo.findOne({ where: { id } });",
              "type Handler = (req: Request, res: Response) => Promise<void>;", "const config: Config = loadConfig(process.argv);"}},
      {"go", {"func (s *Server) Handle(w http.ResponseWriter, r *http.Request) {", "\tif err != nil {", "\t\treturn fmt.Errorf(\"read body: %w\", err)",
              "\t}", "\tctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)", "\tdefer cancel()",
              "\trows, err := s.db.QueryContext(ctx, \"SELECT id FROM users WHERE org = $1\", org)"}},
      {"java", {"public final class OrderController {", "    private final OrderRepository repository;",
                "    @GetMapping(\"/orders/{id}\")", "    public ResponseEntity<Order> get(@PathVariable long id) {",
                "        return repository.findById(id).map(ResponseEntity::ok).orElse(ResponseEntity.notFound().build());",
                "    }", "import java.util.List;"}},
      {"cpp", {"std::vector<std::string> split(std::string_view s, char sep) {", "  for (const auto& item : items) {",
               "    total += item.size();", "  }", "  return std::make_unique<Impl>(std::move(options));",
               "#include <vector>", "namespace reviewer {", "  if (auto it = map.find(key); it != map.end()) return it->second;"}},
      {"rb", {"class UsersController < ApplicationController", "  def show", "    @user = User.find(params[:id])", "  end",
              "  before_action :authenticate_user!", "    render json: @user, status: :ok"}},
      {"sh", {"set -euo pipefail", "for f in \"$@\"; do", "  echo \"processing $f\"", "done", "cmake --build build -j2",
              "if [ -z \"${VERSION:-}\" ]; then exit 1; fi"}},
      {"sql", {"CREATE TABLE orders (id bigint primary key, customer_id bigint not null);", "SELECT id, total FROM orders WHERE customer_id = $1;",
               "CREATE INDEX orders_customer ON orders (customer_id);", "INSERT INTO audit (kind, at) VALUES ('x', now());"}},
      {"tf", {"resource \"aws_s3_bucket\" \"logs\" {", "  bucket = \"acme-logs\"", "  tags = { team = \"platform\" }", "}",
              "variable \"region\" { default = \"eu-west-1\" }"}},
      {"yml", {"name: build", "    runs-on: ubuntu-latest", "      - run: make test", "    steps:", "  key: value",
               "      - uses: actions/checkout@v4"}},
  };
  return langs;
}

Diff generate_diff(std::size_t target_bytes, std::size_t* bytes_out, std::size_t* lines_out) {
  std::mt19937_64 rng(42);
  const auto& langs = languages();
  auto positives = test::load_corpus(std::string(REVIEWER_SOURCE_DIR) + "/tests/data/safety/positives.cases");
  std::vector<std::string> risky;
  for (const auto& c : positives) {
    for (const auto& l : c.added) risky.push_back(l);
  }
  Diff diff;
  std::size_t bytes = 0, lines = 0;
  for (int f = 0; bytes < target_bytes; ++f) {
    const Lang& lang = langs[rng() % langs.size()];
    FileDiff fd;
    fd.new_path = fd.old_path = fmt::format("src/mod{}/file{}.{}", f % 97, f, lang.ext);
    fd.kind = ChangeKind::modified;
    fd.old_mode = fd.new_mode = 0100644;
    Hunk h;
    const int n = 200 + static_cast<int>(rng() % 1800);
    for (int i = 0; i < n && bytes < target_bytes; ++i) {
      DiffLine l;
      l.origin = LineOrigin::added;
      l.new_line = i + 1;
      // About one line in 2000 is something the agent should report.
      l.content = rng() % 2000 == 0 ? risky[rng() % risky.size()] : lang.lines[rng() % lang.lines.size()];
      bytes += l.content.size() + 1;
      ++lines;
      h.lines.push_back(std::move(l));
    }
    fd.additions = static_cast<int>(h.lines.size());
    fd.hunks.push_back(std::move(h));
    own_text(fd);
    diff.files.push_back(std::move(fd));
  }
  *bytes_out = bytes;
  *lines_out = lines;
  return diff;
}

void write_files(const Diff& diff, const fs::path& dir) {
  for (std::size_t i = 0; i < diff.files.size(); ++i) {
    const auto& fd = diff.files[i];
    fs::path p = dir / fd.path();
    fs::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary);
    for (const auto& h : fd.hunks) {
      for (const auto& l : h.lines) out << l.content << '\n';
    }
  }
}

AgentContext context_for(Diff diff, const Guidance& g) {
  AgentContext ctx;
  ctx.pr.title = "Benchmark";
  ctx.diff = std::move(diff);
  ctx.guidance = g;
  return ctx;
}

int throughput(double mb, int repeat, const std::string& write_dir) {
  const Guidance g = load_guidance_texts({});
  auto t0 = std::chrono::steady_clock::now();
  auto rules = safety::rules_for(g);  // compiled once per guidance version
  double compile_s = seconds_since(t0);
  std::size_t bytes = 0, lines = 0;
  auto ctx = context_for(generate_diff(static_cast<std::size_t>(mb * 1024 * 1024), &bytes, &lines), g);
  if (!write_dir.empty()) write_files(ctx.diff, write_dir);
  long rss_before = current_rss_kb();
  auto agent = make_safety_agent();
  // Best of `repeat` runs: the least disturbed by other processes.
  double scan_cpu = 1e9, scan_s = 1e9;
  std::vector<Finding> findings;
  for (int r = 0; r < repeat; ++r) {
    t0 = std::chrono::steady_clock::now();
    double c0 = thread_cpu_seconds();
    findings = agent->review(ctx);
    scan_cpu = std::min(scan_cpu, thread_cpu_seconds() - c0);
    scan_s = std::min(scan_s, seconds_since(t0));
  }
  fmt::print("rules: {} compiled in {:.1f} ms\n", rules->rules.size(), compile_s * 1000);
  fmt::print("diff: {:.1f} MB, {} added lines, {} files\n", bytes / 1048576.0, lines, ctx.diff.files.size());
  fmt::print("scan: {:.3f} s cpu, {:.1f} MB/s cpu; {:.3f} s wall, {:.1f} MB/s wall; {} findings\n", scan_cpu,
             bytes / 1048576.0 / scan_cpu, scan_s, bytes / 1048576.0 / scan_s, findings.size());
  fmt::print("rss: {:.1f} MB before scan (diff in memory), peak {:.1f} MB\n", rss_before / 1024.0,
             peak_rss_kb() / 1024.0);
  return 0;
}

// CPU seconds of one review.
double time_review(const Agent& agent, const AgentContext& ctx, std::size_t* findings) {
  double c0 = thread_cpu_seconds();
  *findings = agent.review(ctx).size();
  return thread_cpu_seconds() - c0;
}

int pathological() {
  const Guidance g = load_guidance_texts({});
  safety::rules_for(g);
  auto agent = make_safety_agent();
  // Every language and risky-file path, so every rule is applied.
  const std::vector<std::string> paths = {
      "a.py", "a.js", "a.ts", "a.go", "A.java", "a.c", "a.cpp", "a.rb", "a.php", "a.cs", "a.sh", "a.sql",
      "main.tf", "Dockerfile", ".github/workflows/ci.yml", "a.yml", "a.html", "package.json", "requirements.txt",
      "db/migrations/1.sql", ".env", "CODEOWNERS", ".gitmodules", "go.mod", "README.md"};
  for (std::size_t mb : {1, 2, 4}) {
    std::string a(mb << 20, 'a');
    Diff d;
    for (const auto& p : paths) {
      FileDiff fd;
      fd.new_path = fd.old_path = p;
      Hunk h;
      DiffLine l;
      l.origin = LineOrigin::added;
      l.new_line = 1;
      l.content = a;
      h.lines.push_back(std::move(l));
      fd.hunks.push_back(std::move(h));
      own_text(fd);
      d.files.push_back(std::move(fd));
    }
    auto ctx = context_for(std::move(d), g);
    ctx.pr.body = a;
    std::size_t n = 0;
    double s = time_review(*agent, ctx, &n);
    double total_mb = static_cast<double>(mb * (paths.size() + 1));
    fmt::print("'a' x {} MB under {} paths + PR body ({:.0f} MB): {:.3f} s cpu, {:.1f} MB/s, {} findings\n", mb,
               paths.size(), total_mb, s, total_mb / s, n);
  }
  // A 10 MB single line of ordinary code with secrets sprinkled in.
  std::string line;
  const auto& py = languages()[0].lines;
  for (std::size_t i = 0; line.size() < (10u << 20); ++i) line += py[i % py.size()] + " ; ";
  line += "KEY = '" + std::string("AK") + "IAQ7RX2MZP4KWT9BNC'";
  Diff d;
  FileDiff fd;
  fd.new_path = fd.old_path = "big.py";
  Hunk h;
  DiffLine l;
  l.origin = LineOrigin::added;
  l.new_line = 1;
  l.content = line;
  h.lines.push_back(std::move(l));
  fd.hunks.push_back(std::move(h));
  own_text(fd);
  d.files.push_back(std::move(fd));
  auto ctx = context_for(std::move(d), g);
  std::size_t n = 0;
  double s = time_review(*agent, ctx, &n);
  fmt::print("10 MB single line: {:.3f} s cpu, {:.1f} MB/s, {} findings\n", s, line.size() / 1048576.0 / s, n);
  fmt::print("peak rss {:.1f} MB\n", peak_rss_kb() / 1024.0);
  return 0;
}

int corpus(const std::string& write_dir) {
  const std::string dir = std::string(REVIEWER_SOURCE_DIR) + "/tests/data/safety/";
  auto cases = test::load_corpus(dir + "positives.cases");
  auto neg = test::load_corpus(dir + "negatives.cases");
  cases.insert(cases.end(), neg.begin(), neg.end());
  const Guidance g = load_guidance_texts({});
  auto agent = make_safety_agent();
  test::CorpusScore all, secrets;
  std::ofstream labels;
  if (!write_dir.empty()) {
    fs::create_directories(write_dir);
    labels.open(fs::path(write_dir) / "labels.tsv");
  }
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    AgentContext ctx = context_for({}, g);
    if (c.pr_body) {
      ctx.pr.body = c.body;
    } else {
      ctx.diff.files.push_back(c.file);
    }
    auto findings = agent->review(ctx);
    test::score_case(c, findings, all);
    // The secret subset: what a secret scanner is built for.
    const bool secret_case = c.expect.rfind("secret/", 0) == 0 || (c.expect == "-" && i >= cases.size() - neg.size());
    if (secret_case && !c.pr_body && !c.added.empty()) {  // the cases written as files
      std::vector<Finding> secret_findings;
      for (const auto& f : findings) {
        if (f.rule.rfind("safety/secret/", 0) == 0) secret_findings.push_back(f);
      }
      test::score_case(c, secret_findings, secrets);
      if (labels.is_open()) {
        fs::path p = fs::path(write_dir) / fmt::format("case{:03}", i) / c.file.path();
        fs::create_directories(p.parent_path());
        std::ofstream out(p, std::ios::binary);
        for (const auto& l : c.added) out << l << '\n';
        labels << fs::relative(p, write_dir).string() << '\t' << (c.expect == "-" ? "neg" : "pos") << '\n';
      }
    }
  }
  fmt::print("reviewer all rules: {} positives, {} negatives, recall {:.1f}%, precision {:.1f}%\n", all.positives,
             all.negatives, all.recall() * 100, all.precision() * 100);
  fmt::print("reviewer secrets only: {} positives, {} negatives, recall {:.1f}%, precision {:.1f}%\n",
             secrets.positives, secrets.negatives, secrets.recall() * 100, secrets.precision() * 100);
  for (const auto& m : all.misses) fmt::print("  missed: {}\n", m);
  for (const auto& m : all.false_alarms) fmt::print("  false alarm: {}\n", m);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string cmd = argc > 1 ? argv[1] : "";
  double mb = 50;
  int repeat = 3;
  std::string write_dir;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--mb") == 0) mb = std::stod(argv[i + 1]);
    if (std::strcmp(argv[i], "--repeat") == 0) repeat = std::max(1, std::stoi(argv[i + 1]));
    if (std::strcmp(argv[i], "--write-files") == 0) write_dir = argv[i + 1];
  }
  try {
    if (cmd == "throughput") return throughput(mb, repeat, write_dir);
    if (cmd == "pathological") return pathological();
    if (cmd == "corpus") return corpus(write_dir);
  } catch (const std::exception& e) {
    fmt::print(stderr, "safety_bench: error: {}\n", e.what());
    return 1;
  }
  fmt::print(stderr, "usage: safety_bench throughput [--mb N] [--repeat N] [--write-files DIR] | pathological | corpus [--write-files DIR]\n");
  return 1;
}
