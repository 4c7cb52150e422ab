#include "reviewer/git/history/history_index.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <optional>

#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "reviewer/git/handles.h"
#include "reviewer/git/history/builder.h"

namespace reviewer::history {

namespace {

// An exclusive lock on "<dir>/lock" for one update: two reviews of the same
// repository index it one after the other, never both at once.
class DirLock {
 public:
  explicit DirLock(const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
    fd_ = ::open((dir / "lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) throw Error(Error::Code::io, fmt::format("cannot open the history lock in {}", dir.string()));
    while (::flock(fd_, LOCK_EX) < 0) {
      if (errno != EINTR) throw Error(Error::Code::io, "cannot lock the history index");
    }
  }
  ~DirLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
  }
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;

 private:
  int fd_ = -1;
};

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
  std::string key(email.empty() ? name : email);
  for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return key.empty() ? std::string("(unknown)") : key;
}

std::filesystem::path default_dir(git_repository* repo) {
  return std::filesystem::path(git_repository_path(repo)) / "reviewer-history";
}

HistoryIndex update_index(git_repository* repo, std::string_view base, const BuildOptions& options,
                          BuildStats* stats) {
  const auto t0 = std::chrono::steady_clock::now();
  BuildStats local;
  BuildStats& st = stats ? *stats : local;
  st = BuildStats{};
  const std::filesystem::path dir = options.dir.empty() ? default_dir(repo) : options.dir;
  const std::filesystem::path file = index_file(dir);
  std::optional<DirLock> lock;
  if (options.write) lock.emplace(dir);

  std::string why;
  HistoryIndex index = load_index(file, &why);
  const std::string base_sha(base);
  bool reached = false, shallow = false;
  std::vector<std::string> line;
  if (!index.tip.empty()) {
    if (index.tip == base_sha || index.commit_ids.count(base_sha)) {
      // Up to date, or the base is older than what is indexed: the index
      // already knows everything before it.
      st.seconds = 0;
      return index;
    }
    line = detail::first_parent_line(repo, base_sha, index.tip, &reached, &shallow);
    if (!reached) {
      why = "the indexed commit is no longer on the base's first-parent line";
      index = HistoryIndex{};
    }
  }
  if (index.tip.empty()) {
    st.rebuilt = true;
    st.rebuild_reason = why;
    line = detail::first_parent_line(repo, base_sha, "", &reached, &shallow);
    index.shallow = shallow;
  }
  st.added = detail::add_commits(repo, index, line, options);
  st.complete = st.added == line.size();
  st.remaining = line.size() - st.added;
  if (options.write && st.added > 0) {
    save_index(index, file);
    std::error_code ec;
    st.file_bytes = std::filesystem::file_size(file, ec);
  }
  st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return index;
}

}  // namespace reviewer::history
