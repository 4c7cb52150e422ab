// Issue 17's corpora, scored the way the tests score them (one shared header
// per corpus), with every miss and false alarm listed:
//   injection [--show SET]      reviewer-directed text (tests/data/injection):
//                               the corpus and the held-out sets
//   injection --positives FILE  a jsonl of attacks kept outside the repo (e.g.
//                               one half of a held-out set): the recall, and
//                               the missed ids unless `--quiet 1` (a half not
//                               to be read yet)
//   injection --negatives FILE  a jsonl of ordinary texts kept outside the repo
//                               (e.g. thousands of commit messages): the false
//                               alarms, each with its rule and evidence, and a
//                               count per rule
//   secrets [--write-files DIR] [--show SET]
//                               secrets (tests/data/secrets), the corpus, the
//                               held-out sets and the tune sets (tune24_...:
//                               cases written after a held-out set's misses,
//                               always listed); writes each case
//                               as DIR/<id>/<path> with DIR/labels.tsv, for
//                               secretlint (bench/corpora.sh)
//   secrets-tree DIR            false alarms on real code: every text file
//                               under DIR (a checked-out tree, .git left
//                               out, files over 1 MB too) added, reviewed by
//                               the safety agent in batches of 200 files;
//                               one line per secret finding (path, line,
//                               rule, redacted evidence)
// The newest held-out set of a corpus is the blind one (written this
// session, read by no rule writer): its misses and false alarms are not
// listed unless `--show` names it (`--show heldout8`); its score is.
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "subagents/safety/injection_corpus.h"
#include "subagents/safety/safety_agent.h"
#include "subagents/safety/secrets_corpus.h"

namespace fs = std::filesystem;
using namespace reviewer;

namespace {

const std::string kData = std::string(REVIEWER_SOURCE_DIR) + "/tests/data/";

// The corpus ("") and every held-out set in `dir` ("heldout_", "heldout2_", ...),
// in the order they were written: a new blind set is scored without a change here.
std::vector<std::string> sets_in(const std::string& dir) {
  std::vector<std::pair<int, std::string>> found{{-1, ""}};
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    const std::string suffix = "_positive.jsonl";
    if (name.rfind("heldout", 0) != 0 || name.size() <= suffix.size() ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    const std::string digits = name.substr(7, name.size() - suffix.size() - 7);
    if (!digits.empty() && !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
    found.emplace_back(digits.empty() ? 1 : std::stoi(digits), name.substr(0, name.size() - suffix.size() + 1));
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

// The tune sets in `dir` ("tune24_", ...): cases a rule writer wrote after
// the held-out misses they read, in-sample by design, always listed.
std::vector<std::string> tune_sets_in(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    const std::string suffix = "_positive.jsonl";
    if (name.rfind("tune", 0) == 0 && name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(name.substr(0, name.size() - suffix.size() + 1));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string g_show;  // --show: the blind set whose rows may be listed

// Lists a set's misses and false alarms, unless it is the blind one.
void list(const std::vector<std::string>& sets, const std::string& set, const std::vector<std::string>& misses,
          const std::vector<std::string>& false_alarms) {
  const std::string name = set.empty() ? "" : set.substr(0, set.size() - 1);
  if (sets.size() > 1 && set == sets.back() && g_show != name) {
    fmt::print("  ({} misses and false alarms not listed: the newest held-out set is kept blind; --show {} lists them)\n",
               misses.size() + false_alarms.size(), name);
    return;
  }
  for (const auto& i : misses) fmt::print("  missed: {}\n", i);
  for (const auto& i : false_alarms) fmt::print("  false alarm: {}\n", i);
}

int injection() {
  auto agent = make_safety_agent();
  const auto sets = sets_in(kData + "injection");
  for (const std::string& set : sets) {
    auto cases = test::load_injection_corpus(kData + "injection/" + set + "positive.jsonl", true);
    auto neg = test::load_injection_corpus(kData + "injection/" + set + "negative.jsonl", false);
    cases.insert(cases.end(), neg.begin(), neg.end());
    test::InjectionScore s;
    for (const auto& c : cases) test::score_injection(c, agent->review(test::injection_context(c)), s);
    fmt::print("{}: {} positives, {} ordinary texts; recall {:.1f}% ({} of {}), false positives {:.2f}% ({} of {})\n",
               set.empty() ? std::string("corpus") : set.substr(0, set.size() - 1), s.positives, s.negatives, s.recall() * 100,
               s.found, s.positives, s.fp_rate() * 100, s.false_positives, s.negatives);
    list(sets, set, s.misses, s.false_alarms);
  }
  return 0;
}

int injection_negatives(const std::string& path) {
  auto agent = make_safety_agent();
  auto cases = test::load_injection_corpus(path, false);
  std::map<std::string, int> per_rule;
  int flagged = 0;
  for (const auto& c : cases) {
    std::string rules;
    for (const auto& f : agent->review(test::injection_context(c))) {
      if (!test::reviewer_directed(f)) continue;
      ++per_rule[f.rule];
      fmt::print("false alarm: {} {} | {}\n", c.id, f.rule, f.evidence);
      rules = f.rule;
    }
    if (!rules.empty()) ++flagged;
  }
  fmt::print("{}: {} ordinary texts, {} flagged ({:.2f}%)\n", path, cases.size(), flagged,
             cases.empty() ? 0.0 : 100.0 * flagged / static_cast<double>(cases.size()));
  for (const auto& [rule, n] : per_rule) fmt::print("  {}: {}\n", rule, n);
  return 0;
}

int injection_positives(const std::string& path, bool quiet) {
  auto agent = make_safety_agent();
  test::InjectionScore s;
  for (const auto& c : test::load_injection_corpus(path, true)) score_injection(c, agent->review(test::injection_context(c)), s);
  fmt::print("{}: recall {:.1f}% ({} of {})\n", path, s.recall() * 100, s.found, s.positives);
  if (!quiet) {
    for (const auto& i : s.misses) fmt::print("  missed: {}\n", i);
  }
  return 0;
}

int secrets(const std::string& write_dir) {
  auto agent = make_safety_agent();
  std::ofstream labels;
  if (!write_dir.empty()) {
    fs::create_directories(write_dir);
    labels.open(fs::path(write_dir) / "labels.tsv");
  }
  const auto sets = sets_in(kData + "secrets");
  auto scored = sets;
  for (auto& t : tune_sets_in(kData + "secrets")) scored.push_back(std::move(t));
  for (const std::string& set : scored) {
    auto cases = test::load_secret_corpus(kData + "secrets/" + set + "positive.jsonl", true);
    auto neg = test::load_secret_corpus(kData + "secrets/" + set + "negative.jsonl", false);
    cases.insert(cases.end(), neg.begin(), neg.end());
    test::SecretScore s;
    for (const auto& c : cases) {
      test::score_secret_case(c, agent->review(test::secret_context(c)), s);
      if (!labels.is_open() || !set.empty()) continue;  // secretlint (corpora.sh) scores the corpus only
      fs::path p = fs::path(write_dir) / c.id / c.path;
      fs::create_directories(p.parent_path());
      std::ofstream out(p, std::ios::binary);
      for (const auto& l : c.lines) out << l << '\n';
      labels << fs::relative(p, write_dir).string() << '\t' << (c.positive ? "pos" : "neg") << '\n';
    }
    fmt::print("{}: {} positives, {} negatives; recall {:.1f}% ({} of {}), precision {:.1f}% ({} false positives)\n",
               set.empty() ? std::string("reviewer") : set.substr(0, set.size() - 1), s.positives, s.negatives, s.recall() * 100, s.found, s.positives,
               s.precision() * 100, s.false_positives);
    list(sets, set, s.misses, s.false_alarms);
  }
  return 0;
}


int secrets_tree(const std::string& dir) {
  auto agent = make_safety_agent();
  std::vector<FileDiff> batch;
  std::size_t files = 0, findings = 0;
  auto flush = [&] {
    if (batch.empty()) return;
    for (const auto& f : agent->review(test::context_with(std::move(batch), "Import", "Imports the tree."))) {
      if (f.rule.rfind("safety/secret/", 0) != 0) continue;
      ++findings;
      fmt::print("{} {} {} | {}\n", f.path, f.line, f.rule.substr(14), f.evidence);
    }
    batch.clear();
  };
  std::vector<fs::path> paths;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied);
       it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_directory() && it->path().filename() == ".git") {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && !it->is_symlink() && it->file_size() <= 1024 * 1024) paths.push_back(it->path());
  }
  std::sort(paths.begin(), paths.end());
  for (const auto& p : paths) {
    std::ifstream in(p, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.find('\0') != std::string::npos) continue;  // binary
    std::vector<std::string> lines;
    for (std::size_t b = 0; b < text.size();) {
      std::size_t e = text.find('\n', b);
      if (e == std::string::npos) e = text.size();
      lines.emplace_back(text.substr(b, e - b));
      b = e + 1;
    }
    if (lines.empty()) continue;
    batch.push_back(test::added_lines(fs::relative(p, dir).string(), lines, ChangeKind::added));
    ++files;
    if (batch.size() == 200) flush();
  }
  flush();
  fmt::print(stderr, "{}: {} files, {} secret findings\n", dir, files, findings);
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  std::string cmd = argc > 1 ? argv[1] : "";
  std::string write_dir, negatives, positives;
  bool quiet = false;
  // Every flag takes a value: a bare `--quiet` must not be dropped (it
  // would list a blind half's misses).
  bool bad = cmd != "secrets-tree" && argc % 2 != 0;
  for (int i = 2; i + 1 < argc && cmd != "secrets-tree"; i += 2) {
    if (std::strcmp(argv[i], "--write-files") == 0) write_dir = argv[i + 1];
    else if (std::strcmp(argv[i], "--negatives") == 0) negatives = argv[i + 1];
    else if (std::strcmp(argv[i], "--positives") == 0) positives = argv[i + 1];
    else if (std::strcmp(argv[i], "--quiet") == 0) quiet = std::strcmp(argv[i + 1], "0") != 0;
    else if (std::strcmp(argv[i], "--show") == 0) g_show = argv[i + 1];
    else bad = true;
  }
  try {
    if (bad) cmd.clear();
    if (cmd == "injection" && !positives.empty()) return injection_positives(positives, quiet);
    if (cmd == "injection") return negatives.empty() ? injection() : injection_negatives(negatives);
    if (cmd == "secrets") return secrets(write_dir);
    if (cmd == "secrets-tree" && argc == 3) return secrets_tree(argv[2]);
  } catch (const std::exception& e) {
    fmt::print(stderr, "corpus_bench: error: {}\n", e.what());
    return 1;
  }
  fmt::print(stderr,
             "usage: corpus_bench injection [--negatives FILE | --positives FILE [--quiet 1]] [--show SET] | secrets [--write-files DIR] [--show SET] "
             "| secrets-tree DIR\n");
  return 1;
}
