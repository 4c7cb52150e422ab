// The history index of a repository: what its default branch's past says
// about risk. Built with libgit2 from the first-parent history up to a base
// commit, oldest first, following renames:
// - per file: the changes that touched it, their authors, the last change,
//   fix commits, reverts, bug-introducing commits, and the commit that last
//   touched each of its lines (an incremental first-parent blame);
// - per author: changes in the repository, in each folder and file, and when;
// - per commit: its just-in-time features as they were *before* it landed,
//   whether it was reverted (and when) and whether a later fix blamed it
//   (SZZ: the lines a fix deleted or changed, whitespace- and comment-only
//   lines aside, are traced back to the commits that last touched them).
//
// Stored as one file, "<git dir>/reviewer-history/history.idx" by default,
// next to the symbol index cache. Updated incrementally from the last
// indexed commit; rebuilt only when that commit is no longer on the base's
// first-parent line (a force push), or the file is corrupt or of another
// version. Concurrent updaters are serialised by a lock file.
//
// Thread-safety: a HistoryIndex is a value; build with a git_repository the
// caller does not share.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include <git2.h>

#include "reviewer/git/history/classify.h"
#include "reviewer/git/history/features.h"
#include "reviewer/git/history/index_view.h"

namespace reviewer::history {

// Bumped whenever the file layout or the meaning of a field changes: an
// index of another version is rebuilt.
inline constexpr std::uint32_t kIndexVersion = 9;

// A commit of the first-parent line as the index keeps it in memory.
struct CommitRecord : CommitFacts {
  std::string sha;
  std::string subject;  // first line of the message
};

struct FileState {
  std::string path;                    // current path (renames move it)
  std::vector<std::uint32_t> commits;  // commits that changed it, ascending
  std::vector<std::uint32_t> blamed;   // bug-introducing commits blamed through it, ascending
  // Running totals at the tip, so indexing stays linear; a view at an
  // older commit recounts them from `commits` (see change_features).
  std::vector<std::uint32_t> authors;  // distinct authors, ascending
  std::int64_t last_time = 0;
  std::uint32_t fixes = 0;             // fix commits that changed it
  std::uint32_t reverts = 0;           // revert commits that changed it
  std::uint32_t lines = 0;             // line count now (0 for binary or oversized files)
  // The commit (index + 1; 0: unknown) that last touched each line; empty
  // when the file is not followed line by line (binary, oversized).
  std::vector<std::uint32_t> origin;
  bool alive = true;                   // false once deleted
};

// Commit indices are ascending in every list, so "as of commit k" is a
// prefix (std::lower_bound).
struct AuthorState {
  std::string key;                     // lower-case e-mail, else the name, else "(unknown)"
  std::vector<std::uint32_t> commits;  // their changes
  std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> files;  // file id -> their changes to it
  std::unordered_map<std::string, std::vector<std::uint32_t>> folders;
  std::unordered_map<std::string, std::vector<std::uint32_t>> subsystems;
};

struct HistoryIndex {
  std::string tip;                     // the last indexed commit ("" when empty)
  bool shallow = false;                // history was cut (shallow clone or grafts)
  std::vector<CommitRecord> commits;   // first-parent line, oldest first
  std::vector<FileState> files;
  std::vector<AuthorState> authors;
  std::unordered_map<std::string, std::uint32_t> file_ids;    // live path -> file id
  std::unordered_map<std::string, std::uint32_t> former_ids;  // path deleted or renamed away -> its last file id
  std::unordered_map<std::string, std::uint32_t> author_ids;  // key -> author id
  std::unordered_map<std::string, std::uint32_t> commit_ids;  // sha -> commit index
  // Commits merged in from side branches -> the first-parent merge commit
  // that brought them, so a revert naming a branch commit finds its change.
  std::unordered_map<std::string, std::uint32_t> merged_ids;
  std::unordered_map<std::string, std::uint32_t> subject_ids; // normalised subject -> latest commit

  std::size_t positives() const;
  const FileState* file(std::string_view path) const;
  // The file that had `path` before commit `as_of` (a live path first,
  // then one deleted or renamed away since); nullptr when none did.
  const FileState* file_as_of(std::string_view path, std::size_t as_of) const;
  const AuthorState* author(std::string_view key) const;
};

// The whole index in memory, read through IndexView. Keeps `owned` (if
// given) alive; otherwise the caller keeps `index` alive and unchanged
// while the view is used.
class MemoryIndex final : public IndexView {
 public:
  explicit MemoryIndex(const HistoryIndex& index) : ix_(index) {}
  explicit MemoryIndex(std::shared_ptr<const HistoryIndex> owned) : owned_(std::move(owned)), ix_(*owned_) {}
  const HistoryIndex& index() const { return ix_; }

  bool shallow() const override { return ix_.shallow; }
  std::size_t commit_count() const override { return ix_.commits.size(); }
  const CommitFacts& commit(std::size_t i) const override { return ix_.commits[i]; }
  std::string commit_sha(std::size_t i) const override { return ix_.commits[i].sha; }
  std::optional<std::uint32_t> commit_id(std::string_view sha) const override;
  bool merged(std::string_view sha) const override;
  std::optional<FileFacts> file_as_of(std::string_view path, std::size_t as_of) const override;
  std::size_t author_count() const override { return ix_.authors.size(); }
  std::optional<std::uint32_t> author_id(std::string_view key) const override;
  std::span<const std::uint32_t> author_commits(std::uint32_t author) const override {
    return ix_.authors[author].commits;
  }
  std::span<const std::uint32_t> author_file_commits(std::uint32_t author, std::uint32_t file) const override;
  std::span<const std::uint32_t> author_subsystem_commits(std::uint32_t author, std::string_view subsystem) const override;

 private:
  std::shared_ptr<const HistoryIndex> owned_;
  const HistoryIndex& ix_;
};

struct BuildOptions {
  std::filesystem::path dir;           // empty: "<git dir>/reviewer-history"
  // `base` is the default branch's tip (`risk train`, serve's refresh): an
  // index whose tip is no longer on its first-parent line (a force push) is
  // rebuilt. Otherwise (a review's merge base, maybe on a release branch)
  // such an index is left alone and judged as of the newest commit the two
  // lines share.
  bool base_is_default_branch = false;
  Classifier classifier;
  std::size_t max_file_bytes = 1 << 20;    // larger blobs are not followed line by line
  std::size_t max_files_per_commit = 2000; // larger commits are "bulk": files only
  int rename_limit = 200;                  // as git's diff.renameLimit, per commit
  bool write = true;                   // false: keep the result in memory only
  // Polled between commits; true stops the update early. What was indexed
  // so far is saved, and the next update goes on from there.
  std::function<bool()> expired;
  // While indexing, what is done is saved this often, so a process that
  // ends mid-way (the CLI after a deadline) loses at most this much work.
  double checkpoint_seconds = 2.0;
  // The file is rewritten once this many new commits are indexed in
  // memory (and at once for a new index or after a deadline); until then a
  // new process indexes them again from the repository. 1 saves every
  // update (`reviewer risk train`).
  std::size_t save_every = 64;
};

struct BuildStats {
  std::size_t added = 0;          // commits indexed by this update
  bool rebuilt = false;           // started from scratch
  std::string rebuild_reason;     // why (no index, corrupt, version, history rewritten)
  bool complete = true;           // false: stopped by `expired` before the base
  std::size_t remaining = 0;      // commits still to index when stopped
  std::uintmax_t file_bytes = 0;  // size of the saved index
  double seconds = 0;
  // The newest indexed commit on the base's first-parent line: the base
  // itself, or where a side line (a release branch) leaves the indexed one.
  // Empty when they share nothing (a rebuild then followed).
  std::string as_of;
};

// The author key for a signature: lower-case e-mail, else name.
std::string author_key(std::string_view name, std::string_view email);

// The index directory of a repository: "<git dir>/reviewer-history".
std::filesystem::path default_dir(git_repository* repo);

// Brings the index up to `base` (a commit sha) and returns it; stats->as_of
// says which of its commits the base sees. Throws reviewer::Error when
// `base` is unknown or git objects cannot be read; a broken index file is
// rebuilt, never an error. Waiting for another updater's lock also stops
// when `expired` says so (stats->complete is then false). The process
// keeps the last few indexes in memory: an update adds only the new
// commits, and a base the index in memory has costs nothing. The result is
// shared: it never changes once returned.
std::shared_ptr<const HistoryIndex> update_index(git_repository* repo, std::string_view base, const BuildOptions& options,
                                                 BuildStats* stats = nullptr);

// For a review: the index brought up to `base` as update_index does, read
// through IndexView. When the saved file already has `base` (and no index
// in memory does), the file is read in place (FlatIndex) instead of being
// loaded whole; its lists are checked as they are read, so a damaged one
// makes a later call throw reviewer::Error. The process keeps that view
// among its indexes in memory until an update of the same index replaces
// it, and such an update reads only the sections the view lacks.
// Otherwise throws as update_index.
std::shared_ptr<const IndexView> open_index(git_repository* repo, std::string_view base, const BuildOptions& options,
                                            BuildStats* stats = nullptr);

// Forgets the indexes kept in memory, so the next update reads the file
// (tests of what a new process sees).
void forget_loaded_indexes();

// The saved index without updating it, or an empty index when there is
// none or it cannot be used (`why` says so).
HistoryIndex load_index(const std::filesystem::path& file, std::string* why = nullptr);
void save_index(const HistoryIndex& index, const std::filesystem::path& file);
std::filesystem::path index_file(const std::filesystem::path& dir);

}  // namespace reviewer::history
