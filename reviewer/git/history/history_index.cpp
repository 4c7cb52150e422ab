#include "reviewer/git/history/history_index.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <optional>
#include <span>

#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "reviewer/core/private_files.h"
#include "reviewer/core/text.h"
#include "reviewer/git/handles.h"
#include "reviewer/git/history/builder.h"
#include "reviewer/git/history/flat_index.h"
#include "reviewer/git/history/index_cache.h"

namespace reviewer::history {

namespace {

// An exclusive lock on "<dir>/lock" for one update: two reviews of the same
// repository index it one after the other, never both at once. Waiting
// gives up when `expired` says so (a review's deadline).
class DirLock {
 public:
  DirLock(const std::filesystem::path& dir, const std::function<bool()>& expired) {
    create_private_directories(dir);
    fd_ = ::open((dir / "lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) throw Error(Error::Code::io, fmt::format("cannot open the history lock in {}", dir.string()));
    while (::flock(fd_, expired ? LOCK_EX | LOCK_NB : LOCK_EX) < 0) {
      if (errno == EWOULDBLOCK) {
        if (expired()) return;  // held() stays false
        ::usleep(20000);
      } else if (errno != EINTR) {
        throw Error(Error::Code::io, "cannot lock the history index");
      }
    }
    held_ = true;
  }
  ~DirLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
  }
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;
  bool held() const { return held_; }

 private:
  int fd_ = -1;
  bool held_ = false;
};

// The newest commit of `line` (oldest first) that the index has, or -1.
long newest_shared(const HistoryIndex& index, const std::vector<std::string>& line) {
  for (std::size_t i = line.size(); i-- > 0;) {
    if (index.commit_ids.count(line[i])) return static_cast<long>(i);
  }
  return -1;
}

}  // namespace

std::size_t HistoryIndex::positives() const {
  std::size_t n = 0;
  for (const auto& c : commits) n += (c.reverted_at != 0 || c.fixed_at != 0) ? 1 : 0;
  return n;
}

const FileState* HistoryIndex::file(std::string_view path) const {
  auto it = file_ids.find(std::string(path));
  return it == file_ids.end() ? nullptr : &files[it->second];
}

const FileState* HistoryIndex::file_as_of(std::string_view path, std::size_t as_of) const {
  for (const auto* ids : {&file_ids, &former_ids}) {
    auto it = ids->find(std::string(path));
    if (it == ids->end()) continue;
    const FileState& fs = files[it->second];
    if (!fs.commits.empty() && fs.commits.front() < as_of) return &fs;
  }
  return nullptr;
}

const AuthorState* HistoryIndex::author(std::string_view key) const {
  auto it = author_ids.find(std::string(key));
  return it == author_ids.end() ? nullptr : &authors[it->second];
}

std::string author_key(std::string_view name, std::string_view email) {
  const std::string key = lower(email.empty() ? name : email);
  return key.empty() ? std::string("(unknown)") : key;
}

std::filesystem::path default_dir(git_repository* repo) {
  return std::filesystem::path(git_repository_path(repo)) / "reviewer-history";
}

void forget_loaded_indexes() { index_cache().clear(); }

std::shared_ptr<const HistoryIndex> update_index(git_repository* repo, std::string_view base, const BuildOptions& options,
                                                 BuildStats* stats) {
  const auto t0 = std::chrono::steady_clock::now();
  BuildStats local;
  BuildStats& st = stats ? *stats : local;
  st = BuildStats{};
  const std::filesystem::path dir = options.dir.empty() ? default_dir(repo) : options.dir;
  const std::filesystem::path file = index_file(dir);
  const std::string key = file.string();
  const std::string base_sha(base);
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  if (options.write) {
    // The index in memory already has the base: nothing to do.
    if (auto hit = index_cache().find(key).index; hit && hit->commit_ids.count(base_sha)) {
      st.as_of = base_sha;
      st.seconds = seconds();
      return hit;
    }
  }
  std::optional<DirLock> lock;
  if (options.write) {
    lock.emplace(dir, options.expired);
    if (!lock->held()) {
      // Another update holds the index past our deadline: what it has
      // saved so far is still usable if it covers the base.
      auto saved = std::make_shared<const HistoryIndex>(load_index(file));
      st.complete = saved->commit_ids.count(base_sha) > 0;
      if (st.complete) st.as_of = base_sha;
      st.seconds = seconds();
      return saved;
    }
  }

  // The index in memory if the file is still the one it was saved as or
  // read from, else the file: only the sections a review did not read
  // when it has just read that version in place (open_index). Either way
  // the entry becomes the whole index, and a view read before is let go.
  std::string why;
  IndexCache::Entry entry = options.write ? index_cache().take(key) : IndexCache::Entry{};
  const FileStamp on_disk = stamp_of(file);
  if (entry.index && entry.stamp == on_disk) {
    // Readers may still hold it (an earlier review): they keep their copy.
    if (entry.index.use_count() > 1) entry.index = std::make_shared<HistoryIndex>(*entry.index);
  } else {
    const bool opened = entry.flat && entry.stamp == on_disk;
    entry = {std::make_shared<HistoryIndex>(opened ? load_index(*entry.flat, file, &why) : load_index(file, &why)), nullptr,
             on_disk, 0};
    entry.saved = entry.index->commits.size();
  }
  HistoryIndex& index = *entry.index;
  auto done_with = [&](BuildStats& s) {
    s.seconds = seconds();
    std::error_code ec;
    if (options.write) {
      s.file_bytes = std::filesystem::file_size(file, ec);
      index_cache().put(key, entry);
    }
    return std::shared_ptr<const HistoryIndex>(entry.index);
  };

  if (index.commit_ids.count(base_sha)) {
    // Up to date, or the base is older than the tip: the index already
    // knows everything before it.
    st.as_of = base_sha;
    return done_with(st);
  }
  bool reached = false, shallow = false;
  std::vector<std::string> line;
  if (!index.tip.empty()) {
    line = detail::first_parent_line(repo, base_sha, index.tip, &reached, &shallow);
    if (!reached) {
      const long shared = newest_shared(index, line);
      if (shared >= 0 && !options.base_is_default_branch) {
        // A side line (a release branch, a stacked pull request): judged
        // as of where it leaves the indexed line; the index is not touched.
        st.as_of = line[static_cast<std::size_t>(shared)];
        return done_with(st);
      }
      why = shared >= 0 ? "the default branch was rewritten (its indexed tip is no longer on its first-parent line)"
                        : "the base shares no history with the index";
      index = HistoryIndex{};
      entry.saved = 0;
    }
  } else {
    line = detail::first_parent_line(repo, base_sha, "", &reached, &shallow);
  }
  if (index.tip.empty()) {
    st.rebuilt = true;
    st.rebuild_reason = why;
  }
  // A clone deepened since (`git fetch --unshallow`) is no longer cut.
  index.shallow = (index.shallow && !st.rebuilt) ? git_repository_is_shallow(repo) == 1 : shallow;

  auto save = [&] {
    save_index(index, file);
    entry.stamp = stamp_of(file);
    entry.saved = index.commits.size();
  };
  // In chunks, saving after each, so a process ended mid-way (a CLI review
  // past its deadline) keeps what it indexed.
  std::size_t done = 0;
  auto last_save = std::chrono::steady_clock::now();
  bool expired = false;
  while (done < line.size()) {
    BuildOptions chunk = options;
    chunk.expired = [&] {
      return (options.expired && options.expired()) ||
             std::chrono::duration<double>(std::chrono::steady_clock::now() - last_save).count() >= options.checkpoint_seconds;
    };
    const std::span<const std::string> rest(line.data() + done, line.size() - done);
    const std::size_t added = detail::add_commits(repo, index, rest, chunk, options.expired);
    done += added;
    expired = options.expired && options.expired();
    if (added == 0 || expired || done == line.size()) break;
    if (options.write) {
      save();  // a checkpoint
      last_save = std::chrono::steady_clock::now();
    }
  }
  // The last commits stay in memory only until `save_every` of them have
  // gathered: a one-commit update then costs that commit, not a rewrite of
  // the whole file. A new index, and work cut short by the deadline, are
  // saved at once.
  const std::size_t unsaved = index.commits.size() - entry.saved;
  if (options.write && unsaved > 0 && (st.rebuilt || expired || unsaved >= options.save_every)) save();
  st.added = done;
  st.complete = done == line.size();
  st.remaining = line.size() - done;
  if (st.complete) st.as_of = base_sha;
  return done_with(st);
}

std::shared_ptr<const IndexView> open_index(git_repository* repo, std::string_view base, const BuildOptions& options,
                                            BuildStats* stats) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::filesystem::path file = index_file(options.dir.empty() ? default_dir(repo) : options.dir);
  const std::string base_sha(base);
  // An index in memory that has the base (serve), else the file read in
  // place when it has the base: no lock, since a save replaces the file by
  // a rename and what was read stays one version of it. Otherwise the
  // update (which also rebuilds a file that cannot be used).
  if (options.write) {
    const std::string key = file.string();
    const IndexCache::Entry cached = index_cache().find(key);
    const FileStamp on_disk = stamp_of(file);
    // An index in memory has all of the file it was read from or saved as.
    const bool in_memory = cached.index && (cached.index->commit_ids.count(base_sha) || cached.stamp == on_disk);
    if (!in_memory && on_disk != FileStamp{}) {
      std::shared_ptr<const FlatIndex> flat = cached.flat && cached.stamp == on_disk ? cached.flat : nullptr;
      if (!flat) {
        flat = FlatIndex::open(file);
        if (flat) index_cache().put_view(key, flat);
      }
      if (flat && flat->commit_id(base_sha)) {
        if (stats) {
          *stats = BuildStats{};
          stats->as_of = base_sha;
          stats->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        }
        return flat;
      }
    }
  }
  return std::make_shared<const MemoryIndex>(update_index(repo, base, options, stats));
}

}  // namespace reviewer::history
