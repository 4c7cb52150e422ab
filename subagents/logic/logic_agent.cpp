#include "subagents/logic/logic_agent.h"

#include <algorithm>
#include <map>
#include <mutex>

#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "reviewer/git/handles.h"
#include "reviewer/git/index/repo_index.h"
#include "subagents/logic/checks.h"
#include "subagents/logic/config.h"
#include "subagents/logic/file_view.h"
#include "subagents/logic/test_checks.h"
#include "subagents/logic/tracing.h"

namespace reviewer {

namespace {

using logic::Config;

void check_deadline(const AgentContext& ctx, const char* step) {
  if (ctx.deadline.expired()) {
    throw Error(Error::Code::timeout, fmt::format("logic agent: deadline passed before {}", step));
  }
}

// A blob's first `cap` bytes, or nothing when it cannot be read.
std::optional<std::string> blob_text(git_repository* repo, const git_oid* id, size_t cap) {
  git_blob* b = nullptr;
  if (git_blob_lookup(&b, repo, id) != 0) return std::nullopt;
  git::BlobPtr blob(b);
  auto size = static_cast<size_t>(git_blob_rawsize(blob.get()));
  return std::string(static_cast<const char*>(git_blob_rawcontent(blob.get())), std::min(size, cap));
}

// Reads lines of files at the head commit, each blob read at most once.
class HeadReader {
 public:
  HeadReader(git_repository* repo, const std::string& head) : repo_(repo) {
    git_object* obj = nullptr;
    if (git_revparse_single(&obj, repo, head.c_str()) != 0) return;
    git::ObjectPtr o(obj);
    git_object* t = nullptr;
    if (git_object_peel(&t, o.get(), GIT_OBJECT_TREE) == 0) tree_.reset(reinterpret_cast<git_tree*>(t));
  }

  std::optional<std::string> line(std::string_view path, std::uint32_t n) {
    auto it = files_.find(std::string(path));
    if (it == files_.end()) it = files_.emplace(std::string(path), file(path, 1 << 20).value_or(std::string())).first;
    const std::string& text = it->second;
    size_t pos = 0;
    for (std::uint32_t k = 1; k < n; ++k) {
      pos = text.find('\n', pos);
      if (pos == std::string::npos) return std::nullopt;
      ++pos;
    }
    size_t end = text.find('\n', pos);
    return text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
  }

  // The first `cap` bytes of the blob at `path`, or nothing when no blob is there.
  std::optional<std::string> file(std::string_view path, size_t cap) const {
    if (!tree_) return std::nullopt;
    git_tree_entry* e = nullptr;
    if (git_tree_entry_bypath(&e, tree_.get(), std::string(path).c_str()) != 0) return std::nullopt;
    std::unique_ptr<git_tree_entry, git::Deleter<git_tree_entry_free>> entry(e);
    if (git_tree_entry_type(entry.get()) != GIT_OBJECT_BLOB) return std::nullopt;
    return blob_text(repo_, git_tree_entry_id(entry.get()), cap);
  }

 private:
  git_repository* repo_;
  git::TreePtr tree_;
  std::map<std::string, std::string> files_;
};

// A blob's text by id, at most the 256 KiB a repository's YAML may have
// (plus one byte, so that a larger blob still fails the size limit).
logic::BlobText blob_reader(git_repository* repo) {
  return [repo](const std::string& id) -> std::optional<std::string> {
    git_oid oid;
    if (git_oid_fromstrn(&oid, id.data(), id.size()) != 0) return std::nullopt;
    return blob_text(repo, &oid, 256 * 1024 + 1);
  };
}

class LogicAgent final : public Agent {
 public:
  std::string_view name() const override { return "logic"; }

  void check_guidance(const Guidance& guidance) const override { (void)logic::load_config(guidance); }

  std::vector<Finding> review(const AgentContext& ctx) const override { return assess(ctx).findings; }

  // Above the partial-review limit, the checks read the first
  // partial_review.max_lines changed lines and tracing is skipped (it would
  // index every file the change adds): the report says so, and the policy
  // asks for a person.
  AgentOutput assess(const AgentContext& ctx) const override {
    std::shared_ptr<const Config> cfg = config_for(ctx.guidance);
    const bool partial = ctx.above_partial_limit;
    auto files = logic::file_views(ctx.diff, *cfg, partial ? ctx.guidance.partial_review.max_lines : -1);
    AgentOutput result;
    std::vector<Finding>& out = result.findings;
    line_checks(ctx, *cfg, files, out);
    check_deadline(ctx, "tracing");
    std::optional<index::RepoIndex> head;
    if (partial) {
      result.partial = partial_note(ctx.diff, files);
    } else {
      head = trace(ctx, *cfg, files, out);
    }
    if (const auto* r = cfg->rule("logic/missing-test-change")) {
      logic::check_missing_test_change(*r, *cfg, files, head ? &*head : nullptr, out);
    }
    if (const auto* r = cfg->rule("logic/test-deleted")) logic::check_test_deleted(*r, *cfg, files, out);

    std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
      if (a.path != b.path) return a.path < b.path;
      if (a.line != b.line) return a.line < b.line;
      return a.rule < b.rule;
    });
    for (auto& f : out) {
      if (const auto* r = cfg->rule(f.rule); r && r->shadow) f.shadow = true;
    }
    return result;
  }

 private:
  static void line_checks(const AgentContext& ctx, const Config& cfg, const std::vector<logic::FileView>& files,
                          std::vector<Finding>& out) {
    for (const auto& f : files) {
      if (ctx.deadline.expired()) check_deadline(ctx, fmt::format("checking {}", f.path).c_str());
      logic::run_patterns(cfg, f, out);
      for (const auto& rule : cfg.rules) {
        if (!rule.enabled || rule.check.empty() || !rule.applies_to(f.lang)) continue;
        if (rule.check == "self-comparison") logic::check_self_comparison(rule, f, out);
        if (rule.check == "identical-branches") logic::check_identical_branches(rule, f, out);
        if (rule.check == "duplicate-condition") logic::check_duplicate_condition(rule, f, out);
        if (rule.check == "unreachable-code") logic::check_unreachable_code(rule, f, out);
        if (rule.check == "commented-out-code") logic::check_commented_out_code(rule, f, out);
        if (rule.check == "coverage-lowered") logic::check_coverage_lowered(rule, f, out);
        if (rule.check == "base-image-moved") logic::check_base_image_moved(rule, f, out);
        if (rule.check == "test-target-disabled") logic::check_test_target_disabled(rule, f, out);
      }
    }
    if (const auto* r = cfg.rule("logic/coverage-gate-removed")) {
      logic::check_coverage_file_deleted(*r, files, out);
    }
  }

  // What a partial review left out, in counts only (no text of the change).
  static std::string partial_note(const Diff& diff, const std::vector<logic::FileView>& files) {
    long seen = 0, all = 0;
    for (const auto& f : files) seen += f.changed_viewed;
    for (const auto& f : diff.files) all += f.additions + f.deletions;
    return fmt::format("the change is above the partial-review limit: checked the first {} of {} files ({} of {} "
                       "changed lines); tracing through the repository skipped",
                       files.size(), diff.files.size(), seen, all);
  }

  // Traces the change through the repository at head (tests without a
  // repository skip it). Returns the head's index, which the missing-test
  // check reads too.
  static std::optional<index::RepoIndex> trace(const AgentContext& ctx, const Config& cfg,
                                               const std::vector<logic::FileView>& files, std::vector<Finding>& out) {
    if (ctx.repo_path.empty() || ctx.pr.head_sha.empty()) return std::nullopt;
    git::Library lib;  // outlives every handle below
    git_repository* raw = nullptr;
    git::check(git_repository_open_ext(&raw, ctx.repo_path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr),
               fmt::format("open repository '{}'", ctx.repo_path.string()).c_str());
    git::RepositoryPtr repo(raw);
    index::IndexOptions opts;
    opts.max_file_bytes = static_cast<size_t>(std::max<long>(ctx.guidance.max_file_bytes, 1));
    const PathMatcher& excluded = ctx.guidance.excluded_matcher;
    opts.excluded = [&excluded](std::string_view p) { return excluded.matches(p); };
    opts.fingerprint = fmt::format("{}", fmt::join(ctx.guidance.excluded_paths, "\n"));
    std::optional<index::RepoIndex> head = index::RepoIndex::open(repo.get(), ctx.pr.head_sha, opts);
    check_deadline(ctx, "tracing the change");
    HeadReader reader(repo.get(), ctx.pr.head_sha);
    logic::LineReader read = [&reader](std::string_view p, std::uint32_t n) { return reader.line(p, n); };
    logic::trace_change(cfg, files, *head, read, out);
    if (const auto* r = cfg.rule("logic/security-linter-disabled")) {
      // At most the 256 KiB a repository's YAML may have, plus one byte
      // (so that a larger file still fails the size limit).
      logic::FileAt at_head = [&reader](const std::string& p) { return reader.file(p, 256 * 1024 + 1); };
      logic::check_security_linter_disabled(*r, ctx.diff, blob_reader(repo.get()), at_head, out);
    }
    return head;
  }

  // Compiling the rules costs about a millisecond: once per guidance version.
  std::shared_ptr<const Config> config_for(const Guidance& g) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = configs_.find(g.version);
    if (it != configs_.end() && !g.version.empty()) return it->second;
    auto cfg = std::make_shared<const Config>(logic::load_config(g));
    if (configs_.size() > 8) configs_.clear();
    configs_[g.version] = cfg;
    return cfg;
  }

  mutable std::mutex mu_;
  mutable std::map<std::string, std::shared_ptr<const Config>> configs_;
};

}  // namespace

std::unique_ptr<Agent> make_logic_agent() { return std::make_unique<LogicAgent>(); }

}  // namespace reviewer
