// `reviewer risk train --repo PATH`: brings the history index of the
// default branch up to date and (re)trains the repository's risk model.
// `reviewer risk eval --repo PATH [--split DATE]`: time-split evaluation of
// that model on the repository's own history.
#include <ctime>
#include <fstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "guidance/guidance.h"
#include "reviewer/cli/cli.h"
#include "reviewer/core/error.h"
#include "reviewer/git/history/history_index.h"
#include "reviewer/git/repository.h"
#include "subagents/history/history_config.h"
#include "subagents/history/learning.h"
#include "subagents/history/repository_model.h"

namespace reviewer {

namespace {

struct RiskArgs {
  std::string repo = ".";
  std::string base;
  std::vector<std::string> guidance;
  std::string split;
  std::string format = "text";
  std::string label = "any";
  std::string rows;
};

history::EvalLabel eval_label(const std::string& s) {
  if (s == "revert") return history::EvalLabel::revert;
  if (s == "fix") return history::EvalLabel::fix;
  return history::EvalLabel::any;
}

std::string label_words(history::EvalLabel l) {
  switch (l) {
    case history::EvalLabel::revert: return "later-reverted";
    case history::EvalLabel::fix: return "bug-introducing (blamed by a fix)";
    case history::EvalLabel::any: break;
  }
  return "later-reverted or bug-introducing";
}

// Every indexed commit as a JSON line: what it was known by before it
// landed (its features), when it was reverted or blamed, its subject and
// the paths it changed (as the files are called at the index's tip), for
// studies of the labels outside the product (bench/README.md, session 25).
void write_rows(const history::HistoryIndex& index, const std::string& path) {
  std::vector<std::vector<std::uint32_t>> files_of(index.commits.size());
  for (std::uint32_t f = 0; f < index.files.size(); ++f) {
    for (const auto c : index.files[f].commits) {
      if (c < files_of.size()) files_of[c].push_back(f);
    }
  }
  std::string out;
  for (std::size_t i = 0; i < index.commits.size(); ++i) {
    const auto& c = index.commits[i];
    nlohmann::json paths = nlohmann::json::array();
    for (const auto f : files_of[i]) paths.push_back(index.files[f].path);
    nlohmann::json features = nlohmann::json::object();
    for (int f = 0; f < history::kFeatureCount; ++f) {
      features[std::string(history::feature_name(f))] = c.features[static_cast<std::size_t>(f)];
    }
    const nlohmann::json j = {{"i", i},
                              {"sha", c.sha},
                              {"time", c.time},
                              {"author", c.author},
                              {"fix", c.fix},
                              {"revert", c.revert},
                              {"bulk", c.bulk},
                              {"reverted_at", c.reverted_at},
                              {"fixed_at", c.fixed_at},
                              {"reverted_by", c.reverted_by == history::CommitFacts::kNone
                                                  ? nlohmann::json(nullptr) : nlohmann::json(c.reverted_by)},
                              {"subject", c.subject},
                              {"features", features},
                              {"paths", paths}};
    out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out += '\n';
  }
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << out;
  if (!f.flush()) throw Error(Error::Code::io, fmt::format("--rows: cannot write {}", path));
}

std::string day(std::int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::int64_t parse_day(const std::string& s) {
  std::tm tm{};
  const char* end = strptime(s.c_str(), "%Y-%m-%d", &tm);
  if (!end || *end != '\0') throw Error(Error::Code::usage, fmt::format("--split: '{}' is not a date (YYYY-MM-DD)", s));
  return static_cast<std::int64_t>(timegm(&tm));
}

// The index brought up to the default branch (or --base), with progress on
// stderr: a cold index of a large repository takes a while.
std::shared_ptr<const history::HistoryIndex> indexed(const RiskArgs& a, const history::HistoryConfig& cfg, std::filesystem::path* dir) {
  auto repo = git::Repository::open(a.repo);
  const std::string base = repo.resolve(a.base.empty() ? repo.default_branch() : a.base);
  history::BuildOptions opts;
  opts.classifier = cfg.classifier;
  // The default branch itself: a rewritten one (a force push) is rebuilt.
  opts.base_is_default_branch = a.base.empty();
  opts.save_every = 1;  // what was indexed is on disk when the command ends
  history::BuildStats st;
  auto index = history::update_index(repo.get(), base, opts, &st);
  *dir = history::default_dir(repo.get());
  fmt::print(stderr, "history index: {} commits ({} new{}) in {:.1f} s, {:.1f} MB at {}\n", index->commits.size(),
             st.added, st.rebuilt ? fmt::format(", rebuilt: {}", st.rebuild_reason) : "", st.seconds,
             static_cast<double>(st.file_bytes ? st.file_bytes : std::filesystem::file_size(history::index_file(*dir))) / 1e6,
             history::index_file(*dir).string());
  return index;
}

int run_train(const RiskArgs& a) {
  const auto cfg = history::load_history_config(load_guidance({a.guidance.begin(), a.guidance.end()}));
  std::filesystem::path dir;
  const auto indexed_ptr = indexed(a, cfg, &dir);
  const history::HistoryIndex& index = *indexed_ptr;
  const auto choice = history::current_model(history::MemoryIndex(index), cfg, dir, /*retrain=*/true);
  if (!choice.note.empty()) {
    fmt::print("{}\n", choice.note);
    return 0;
  }
  fmt::print("trained the repository model on {} changes ({} reverted or bug-introducing); saved to {}\n",
             choice.model.train_commits, choice.model.train_positives, history::model_file(dir).string());
  if (cfg.threshold) {
    fmt::print("threshold: absolute {:.3f}\n", *cfg.threshold);
  } else {
    fmt::print("threshold: {:.3f} (approve_share {:.2f})\n", choice.model.threshold_for_share(cfg.approve_share),
               cfg.approve_share);
  }
  return 0;
}

int run_eval(const RiskArgs& a) {
  const auto cfg = history::load_history_config(load_guidance({a.guidance.begin(), a.guidance.end()}));
  std::filesystem::path dir;
  const auto indexed_ptr = indexed(a, cfg, &dir);
  const history::HistoryIndex& index = *indexed_ptr;
  history::EvalOptions eo;
  if (!a.split.empty()) eo.split = parse_day(a.split);
  eo.maturity_days = cfg.label_maturity_days;
  eo.approve_share = cfg.approve_share;
  eo.threshold = cfg.threshold;
  eo.label = eval_label(a.label);
  if (!a.rows.empty()) write_rows(index, a.rows);
  const auto r = history::evaluate(history::MemoryIndex(index), eo);
  if (a.format == "json") {
    nlohmann::json buckets = nlohmann::json::array();
    for (const auto& b : r.buckets) {
      buckets.push_back({{"size", b.name}, {"positives", b.positives}, {"negatives", b.negatives},
                         {"positives_approved", b.positives_approved}, {"negatives_approved", b.negatives_approved},
                         {"a", b.share_a()}, {"b", b.share_b()}});
    }
    nlohmann::json j = {{"split", day(r.split)}, {"train_changes", r.train_rows}, {"train_positives", r.train_positives},
                        {"test_changes", r.test_rows}, {"test_positives", r.test_positives},
                        {"label", a.label}, {"roc_auc", r.auc},
                        {"threshold", r.threshold}, {"threshold_source", r.threshold_source}, {"buckets", buckets}};
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  fmt::print("split {}: trained on {} changes before it ({} reverted or bug-introducing), scored {} after it ({} {})\n",
             day(r.split), r.train_rows, r.train_positives, r.test_rows, r.test_positives, label_words(eo.label));
  fmt::print("ROC AUC {:.3f}; threshold {:.3f} ({})\n", r.auc, r.threshold, r.threshold_source);
  fmt::print("A = share of {} changes approved; B = share of the others approved\n", label_words(eo.label));
  fmt::print("{:<5} {:>9} {:>9} {:>7} {:>7} {:>6}\n", "size", "positives", "others", "A", "B", "A/B");
  for (const auto& b : r.buckets) {
    if (b.positives + b.negatives == 0) continue;
    fmt::print("{:<5} {:>9} {:>9} {:>6.1f}% {:>6.1f}% {:>6}\n", b.name, b.positives, b.negatives, 100 * b.share_a(),
               100 * b.share_b(), b.share_b() > 0 ? fmt::format("{:.2f}", b.share_a() / b.share_b()) : "-");
  }
  return 0;
}

void common(CLI::App* cmd, const std::shared_ptr<RiskArgs>& a) {
  cmd->add_option("--repo", a->repo, "Repository (work tree or bare; default: .)");
  cmd->add_option("--base", a->base, "Index the first-parent history up to this rev (default: the default branch)");
  cmd->add_option("--guidance", a->guidance, "Guidance directory layered over the shipped defaults (history section)");
}

}  // namespace

void add_risk_command(CLI::App& app, Action& run) {
  auto* cmd = app.add_subcommand("risk", "Revert risk from the repository's history: train or evaluate its model");
  cmd->require_subcommand(1);
  auto a = std::make_shared<RiskArgs>();
  auto* train = cmd->add_subcommand("train", "Update the history index and retrain the repository's risk model");
  common(train, a);
  train->callback([&run, a] { run = [a] { return run_train(*a); }; });
  auto* eval = cmd->add_subcommand(
      "eval", "Train on commits before --split, score those after it: ROC AUC and approval shares A/B by size");
  common(eval, a);
  eval->add_option("--split", a->split, "Split date YYYY-MM-DD (default: 75% of the mature history before it)");
  eval->add_option("--format", a->format, "Output format")->check(CLI::IsMember({"text", "json"}));
  eval->add_option("--label", a->label,
                   "What counts as a bad change after the split: any (reverted or blamed by a fix, what the model "
                   "learns), revert (reverted only) or fix (blamed by a fix only); the others are every other change")
      ->check(CLI::IsMember({"any", "revert", "fix"}));
  eval->add_option("--rows", a->rows,
                   "Also write every indexed commit (features before it landed, when it was reverted or blamed, "
                   "subject, paths) to this file as JSON lines");
  eval->callback([&run, a] { run = [a] { return run_eval(*a); }; });
}

}  // namespace reviewer
