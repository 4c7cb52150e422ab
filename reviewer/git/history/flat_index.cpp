#include "reviewer/git/history/flat_index.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "reviewer/core/error.h"

namespace reviewer::history {

namespace {

using namespace flat;

std::unique_ptr<FlatIndex> refuse(std::string* why, std::string reason) {
  if (why) *why = std::move(reason);
  return nullptr;
}

[[noreturn]] void bad_list(const char* what) {
  throw Error(Error::Code::invalid_input, fmt::format("history index: bad {}", what));
}

std::atomic<std::uint64_t> bytes_read{0}, bytes_checked{0};

FileStamp stamp_from(const struct stat& st) {
  return {static_cast<std::uintmax_t>(st.st_size), st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec,
          static_cast<std::uint64_t>(st.st_ino)};
}

// An index file open for reading. Read, not mapped: a file cut short under
// a mapping would kill the process (SIGBUS) instead of failing the read.
// Saves replace the file by a rename, so what is read through one
// descriptor is one version of it.
class IndexFile {
 public:
  explicit IndexFile(const std::filesystem::path& file) : fd_(::open(file.c_str(), O_RDONLY | O_CLOEXEC)) {
    struct stat st {};
    if (fd_ < 0) {
      error_ = errno == ENOENT ? "no index yet" : "the index file cannot be read";
    } else if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
      error_ = "the index file cannot be read";
    } else {
      stamp_ = stamp_from(st);
    }
  }
  ~IndexFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  IndexFile(const IndexFile&) = delete;
  IndexFile& operator=(const IndexFile&) = delete;

  const char* error() const { return error_; }  // nullptr when open
  const FileStamp& stamp() const { return stamp_; }

  // Reads `n` bytes at `at`; false on an error or a file shorter than that.
  bool read(char* out, std::size_t n, std::uint64_t at) const {
    for (std::size_t done = 0; done < n;) {
      const ssize_t got = ::pread(fd_, out + done, n - done, static_cast<off_t>(at + done));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) return false;
      done += static_cast<std::size_t>(got);
    }
    bytes_read += n;
    return true;
  }

 private:
  int fd_;
  const char* error_ = nullptr;
  FileStamp stamp_;
};

// Where the sections a reader needs end: every section lies in the file,
// starts at a multiple of 8 (the uint32 pools are read in place) and after
// the header. 0 when the table is unusable.
std::uint64_t needed_end(const Header& h, std::uint64_t file_size, bool whole) {
  std::uint64_t end = sizeof(Header);
  for (std::uint32_t s = 0; s < kSectionCount; ++s) {
    const auto& e = h.table[s];
    if (e.offset % 8 != 0 || e.offset < sizeof(Header) || e.size > file_size || e.offset > file_size - e.size) return 0;
    if (whole || s < kFirstExtra) end = std::max(end, e.offset + e.size);
  }
  return end;
}

// The first position in [lo, hi) whose key is not below the one sought
// (`below(i)`: the key at i is): a binary search over a sorted run.
template <class Below>
std::size_t first_not_below(std::size_t lo, std::size_t hi, Below below) {
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (below(mid)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

}  // namespace

FileStamp stamp_of(const std::filesystem::path& file) {
  struct stat st {};
  return ::stat(file.c_str(), &st) == 0 ? stamp_from(st) : FileStamp{};
}

ReadCounts read_counts() { return {bytes_read.load(), bytes_checked.load()}; }

std::unique_ptr<FlatIndex> FlatIndex::open(const std::filesystem::path& file, std::string* why, bool whole) {
  const IndexFile f(file);
  if (f.error()) return refuse(why, f.error());
  auto ix = load(f.stamp().size, [&f](char* out, std::size_t n, std::uint64_t at) { return f.read(out, n, at); }, why, whole);
  if (ix) ix->stamp_ = f.stamp();
  return ix;
}

std::unique_ptr<FlatIndex> FlatIndex::completed(const std::filesystem::path& file, std::string* why) const {
  if (whole_) throw Error(Error::Code::internal, "history index already read whole");
  const IndexFile f(file);
  if (f.error()) return refuse(why, f.error());
  if (f.stamp() != stamp_ || stamp_ == FileStamp{}) return refuse(why, "the index file was replaced since it was read");
  // The same version: the header and the sections read are what is on
  // disk, and they lie in the file (checked at open).
  std::unique_ptr<FlatIndex> ix(new FlatIndex());
  ix->header_ = header_;
  ix->stamp_ = stamp_;
  ix->shallow_ = shallow_;
  ix->commits_ = commits_;
  ix->size_ = static_cast<std::size_t>(needed_end(header_, stamp_.size, /*whole=*/true));
  ix->bytes_ = std::make_unique_for_overwrite<char[]>(ix->size_);
  std::memcpy(ix->bytes_.get(), bytes_.get(), size_);
  if (!f.read(ix->bytes_.get() + size_, ix->size_ - size_, size_)) return refuse(why, "the index file cannot be read");
  if (!ix->parse_rest(why)) return nullptr;
  return ix;
}

std::unique_ptr<FlatIndex> FlatIndex::from_bytes(std::string_view bytes, std::string* why, bool whole) {
  return load(
      bytes.size(),
      [bytes](char* out, std::size_t n, std::uint64_t at) {
        if (at > bytes.size() || n > bytes.size() - at) return false;
        std::memcpy(out, bytes.data() + at, n);
        return true;
      },
      why, whole);
}

std::unique_ptr<FlatIndex> FlatIndex::load(std::uint64_t size, const ReadAt& read_bytes, std::string* why, bool whole) {
  constexpr std::size_t kPrefix = sizeof kMagic + sizeof(std::uint32_t);
  char prefix[kPrefix];
  if (size < kPrefix || !read_bytes(prefix, kPrefix, 0) || std::memcmp(prefix, kMagic, sizeof kMagic) != 0) {
    return refuse(why, "the index file is not a history index");
  }
  std::uint32_t version = 0;
  std::memcpy(&version, prefix + sizeof kMagic, sizeof version);
  if (version != kIndexVersion) return refuse(why, fmt::format("the index is version {}, this reviewer writes {}", version, kIndexVersion));
  std::unique_ptr<FlatIndex> ix(new FlatIndex());
  if (size < sizeof(Header) || !read_bytes(reinterpret_cast<char*>(&ix->header_), sizeof(Header), 0)) {
    return refuse(why, "the index file is corrupt (truncated header)");
  }
  const std::uint64_t end = ix->check_header(size, whole, why);
  if (end == 0) return nullptr;
  ix->size_ = static_cast<std::size_t>(end);
  ix->bytes_ = std::make_unique_for_overwrite<char[]>(ix->size_);
  if (!read_bytes(ix->bytes_.get(), ix->size_, 0)) return refuse(why, "the index file cannot be read");
  if (!ix->parse(why, whole)) return nullptr;
  return ix;
}

std::uint64_t FlatIndex::check_header(std::uint64_t file_size, bool whole, std::string* why) const {
  if (header_.sections != kSectionCount ||
      checksum({reinterpret_cast<const char*>(&header_), offsetof(Header, checksum)}) != header_.checksum) {
    refuse(why, "the index file is corrupt (header checksum mismatch)");
    return 0;
  }
  const std::uint64_t end = needed_end(header_, file_size, whole);
  if (end == 0) refuse(why, "the index file is corrupt (a section lies outside the file)");
  return end;
}

bool FlatIndex::verify(std::uint32_t first, std::uint32_t last, std::string* why) const {
  for (std::uint32_t s = first; s < last; ++s) {
    const std::string_view bytes = section(static_cast<Section>(s));
    bytes_checked += bytes.size();
    if (checksum(bytes) != header_.table[s].checksum) {
      if (why) *why = fmt::format("the index file is corrupt (checksum mismatch in section {})", s);
      return false;
    }
  }
  return true;
}

std::span<const std::uint32_t> FlatIndex::checked_list(ListRef r, Section pool, std::size_t bound, bool ascending,
                                                      const char* what) const {
  const auto v = list(r, pool);
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] >= bound || (ascending && i > 0 && v[i] < v[i - 1])) bad_list(what);
  }
  return v;
}

std::optional<std::uint32_t> FlatIndex::find(Section table, std::string_view key) const {
  const std::size_t n = count(table, sizeof(KeyId));
  const std::size_t at = first_not_below(0, n, [&](std::size_t i) { return str(record<KeyId>(table, i).key) < key; });
  if (at == n) return std::nullopt;
  const auto e = record<KeyId>(table, at);
  if (str(e.key) != key) return std::nullopt;
  return e.id;
}

std::string FlatIndex::commit_sha(std::size_t i) const { return std::string(str(record<CommitRec>(kCommits, i).sha)); }

std::optional<std::uint32_t> FlatIndex::commit_id(std::string_view sha) const { return find(kCommitIds, sha); }

bool FlatIndex::merged(std::string_view sha) const { return find(kMerged, sha).has_value(); }

std::optional<FileFacts> FlatIndex::file_as_of(std::string_view path, std::size_t as_of) const {
  for (const Section table : {kLiveIds, kFormerIds}) {
    const auto id = find(table, path);
    if (!id) continue;
    const auto f = record<FileRec>(kFiles, *id);
    const auto commits = commit_list(f.commits);
    if (commits.empty() || commits.front() >= as_of) continue;
    const auto authors = checked_list(f.authors, kLists, author_count(), false, "file author");
    return FileFacts{*id, commits, authors, f.last_time, f.fixes, f.reverts, f.lines};
  }
  return std::nullopt;
}

std::optional<std::uint32_t> FlatIndex::author_id(std::string_view key) const { return find(kAuthorIds, key); }

std::span<const std::uint32_t> FlatIndex::author_commits(std::uint32_t author) const {
  return commit_list(record<AuthorRec>(kAuthors, author).commits);
}

std::span<const std::uint32_t> FlatIndex::author_file_commits(std::uint32_t author, std::uint32_t file) const {
  const auto a = record<AuthorRec>(kAuthors, author);
  const std::size_t end = std::size_t{a.files_begin} + a.files_count;
  const std::size_t at = first_not_below(a.files_begin, end, [&](std::size_t i) { return record<FileList>(kAuthorFiles, i).file < file; });
  if (at == end) return {};
  const auto e = record<FileList>(kAuthorFiles, at);
  return e.file == file ? commit_list(e.list) : std::span<const std::uint32_t>{};
}

std::span<const std::uint32_t> FlatIndex::author_subsystem_commits(std::uint32_t author, std::string_view subsystem) const {
  const auto a = record<AuthorRec>(kAuthors, author);
  const std::size_t end = std::size_t{a.subsystems_begin} + a.subsystems_count;
  const std::size_t at =
      first_not_below(a.subsystems_begin, end, [&](std::size_t i) { return str(record<KeyList>(kAuthorKeys, i).key) < subsystem; });
  if (at == end) return {};
  const auto e = record<KeyList>(kAuthorKeys, at);
  return str(e.key) == subsystem ? commit_list(e.list) : std::span<const std::uint32_t>{};
}

}  // namespace reviewer::history
