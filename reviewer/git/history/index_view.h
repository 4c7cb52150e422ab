// What the review path reads from a history index, answered either by the
// whole index in memory (MemoryIndex, history_index.h: training and
// updates) or by the saved file looked up in place (FlatIndex,
// flat_index.h: a review whose base is already indexed). Readers of a
// history (change_features, the history agent, explanations, training) go
// through this interface only, so both forms give the same answers.
//
// Commit indices are ascending in every list, so "as of commit k" is a
// prefix (std::lower_bound).
//
// Thread-safety: const methods may be called from several threads.
// Lists and spans returned stay valid while the view does.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "reviewer/git/history/features.h"

namespace reviewer::history {

// A commit as indexed, without its sha and subject.
struct CommitFacts {
  std::int64_t time = 0;         // committer time, made non-decreasing along the line
  std::uint32_t author = 0;      // author id
  bool fix = false;              // the message says it fixes something
  bool revert = false;           // it reverts an earlier commit
  bool bulk = false;             // too many files to diff line by line: not learnt from
  std::int64_t reverted_at = 0;  // when it was first reverted; 0: never
  std::int64_t fixed_at = 0;     // when a fix first blamed it (SZZ); 0: never
  static constexpr std::uint32_t kNone = UINT32_MAX;
  std::uint32_t reverted_by = kNone;  // the commit that reverted it
  std::uint32_t fixed_by = kNone;     // the fix that first blamed it
  FeatureVector features{};
  // Labelled positive by what was known at time `t`.
  bool positive_at(std::int64_t t) const {
    return (reverted_at != 0 && reverted_at <= t) || (fixed_at != 0 && fixed_at <= t);
  }
  // Labelled positive by one of the first `n` commits of the line.
  bool positive_within(std::size_t n) const {
    return (reverted_by != kNone && reverted_by < n) || (fixed_by != kNone && fixed_by < n);
  }
  std::int64_t label_time() const {
    if (reverted_at == 0) return fixed_at;
    if (fixed_at == 0) return reverted_at;
    return std::min(reverted_at, fixed_at);
  }
};

// A file's history at the index's tip (running totals; a view at an older
// commit recounts them from `commits`, see change_features).
struct FileFacts {
  std::uint32_t id = 0;                    // file id (for author_file_commits)
  std::span<const std::uint32_t> commits;  // commits that changed it, ascending
  std::span<const std::uint32_t> authors;  // distinct author ids, ascending
  std::int64_t last_time = 0;
  std::uint32_t fixes = 0;                 // fix commits that changed it
  std::uint32_t reverts = 0;               // revert commits that changed it
  std::uint32_t lines = 0;                 // line count now (0 for binary or oversized files)
};

class IndexView {
 public:
  IndexView() = default;
  virtual ~IndexView() = default;
  IndexView(const IndexView&) = delete;
  IndexView& operator=(const IndexView&) = delete;

  // History was cut (shallow clone or grafts).
  virtual bool shallow() const = 0;
  // Commits of the first-parent line, oldest first.
  virtual std::size_t commit_count() const = 0;
  // Requires i < commit_count().
  virtual const CommitFacts& commit(std::size_t i) const = 0;
  virtual std::string commit_sha(std::size_t i) const = 0;
  // The index of a first-parent commit; nullopt when not indexed.
  virtual std::optional<std::uint32_t> commit_id(std::string_view sha) const = 0;
  // True when a side-branch commit was merged into the line by an indexed merge.
  virtual bool merged(std::string_view sha) const = 0;
  // The file that had `path` before commit `as_of` (a live path first,
  // then one deleted or renamed away since); nullopt when none did.
  virtual std::optional<FileFacts> file_as_of(std::string_view path, std::size_t as_of) const = 0;
  virtual std::size_t author_count() const = 0;
  virtual std::optional<std::uint32_t> author_id(std::string_view key) const = 0;
  // An author's changes (all, to one file, in one subsystem), ascending;
  // empty when none. Requires author < author_count().
  virtual std::span<const std::uint32_t> author_commits(std::uint32_t author) const = 0;
  virtual std::span<const std::uint32_t> author_file_commits(std::uint32_t author, std::uint32_t file) const = 0;
  virtual std::span<const std::uint32_t> author_subsystem_commits(std::uint32_t author,
                                                                  std::string_view subsystem) const = 0;
};

}  // namespace reviewer::history
