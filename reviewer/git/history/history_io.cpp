// The index file: a little-endian binary layout with a version and a
// SHA-256 of the payload at the end, so a torn or edited file is detected
// and rebuilt instead of trusted.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <memory>
#include <type_traits>

#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "reviewer/core/private_files.h"
#include "reviewer/core/sha256.h"
#include "reviewer/git/history/history_index.h"

namespace reviewer::history {

namespace {

constexpr char kMagic[8] = {'R', 'V', 'H', 'I', 'S', 'T', '\0', '\n'};

// Writer and Reader have the same io() overloads, so one field list per
// record (below) both writes and reads it: the two directions cannot drift.
class Writer {
 public:
  static constexpr bool reading = false;
  template <class T>
  void pod(T v) {
    static_assert(std::is_trivially_copyable_v<T>);
    out_.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void io(const std::string& s) {
    pod<std::uint32_t>(static_cast<std::uint32_t>(s.size()));
    out_.append(s);
  }
  template <class T>
  void io(const std::vector<T>& v) {
    pod<std::uint64_t>(v.size());
    out_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  }
  void io(const bool& b) { pod<std::uint8_t>(b ? 1 : 0); }
  template <class T>
  void io(const T& v) {
    pod(v);
  }
  // A table as its size, then its records through `record`.
  template <class Seq, class Record>
  void table(const Seq& seq, std::size_t /*min_bytes*/, Record record) {
    pod<std::uint64_t>(seq.size());
    for (const auto& x : seq) record(x);
  }
  std::string& bytes() { return out_; }

 private:
  std::string out_;
};

class Reader {
 public:
  static constexpr bool reading = true;
  explicit Reader(std::string_view in) : in_(in) {}
  template <class T>
  T pod() {
    T v;
    need(sizeof v);
    std::memcpy(&v, in_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return v;
  }
  void io(std::string& s) {
    const auto n = pod<std::uint32_t>();
    need(n);
    s.assign(in_.substr(pos_, n));
    pos_ += n;
  }
  template <class T>
  void io(std::vector<T>& v) {
    const auto n = pod<std::uint64_t>();
    if (n > in_.size() / sizeof(T) + 1) fail();
    need(n * sizeof(T));
    v.resize(n);
    std::memcpy(v.data(), in_.data() + pos_, n * sizeof(T));
    pos_ += n * sizeof(T);
  }
  void io(bool& b) { b = pod<std::uint8_t>() != 0; }
  template <class T>
  void io(T& v) {
    v = pod<T>();
  }
  // A table's size (each record takes at least `min_bytes` of what is left:
  // a forged count cannot make the reader allocate beyond the file), then
  // its records through `record`.
  template <class Seq, class Record>
  void table(Seq& seq, std::size_t min_bytes, Record record) {
    seq.resize(count(min_bytes));
    for (auto& x : seq) record(x);
  }
  // A table's size, checked as above.
  std::size_t count(std::size_t min_bytes) {
    const auto n = pod<std::uint64_t>();
    if (n > (in_.size() - pos_) / min_bytes) fail();
    return static_cast<std::size_t>(n);
  }
  bool done() const { return pos_ == in_.size(); }

 private:
  void need(std::size_t n) {
    if (n > in_.size() - pos_) fail();
  }
  [[noreturn]] static void fail() { throw Error(Error::Code::invalid_input, "history index is truncated"); }
  std::string_view in_;
  std::size_t pos_ = 0;
};

// A map as its size, then key and value pairs. Read with the count check
// of Reader::table; a repeated key keeps its first value.
template <class IO, class Map>
void io_map(IO& io, Map& m, std::size_t min_entry) {
  if constexpr (IO::reading) {
    const std::size_t n = io.count(min_entry);
    m.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      typename Map::key_type key{};
      typename Map::mapped_type value{};
      io.io(key);
      io.io(value);
      m.emplace(std::move(key), std::move(value));
    }
  } else {
    io.table(m, min_entry, [&io](const auto& e) {
      io.io(e.first);
      io.io(e.second);
    });
  }
}

// The fix, revert and bulk flags of a commit, packed in one byte.
template <class IO, class Commit>
void io_flags(IO& io, Commit& c) {
  auto flags = static_cast<std::uint8_t>((c.fix ? 1 : 0) | (c.revert ? 2 : 0) | (c.bulk ? 4 : 0));
  io.io(flags);
  if constexpr (IO::reading) {
    c.fix = flags & 1;
    c.revert = flags & 2;
    c.bulk = flags & 4;
  }
}

// The whole index: one field list, written by a Writer and read by a Reader.
// The counts' minimum record sizes bound what a forged file can claim.
template <class IO, class Index>
void io_index(IO& io, Index& ix) {
  io.io(ix.tip);
  io.io(ix.shallow);
  io.table(ix.commits, sizeof(FeatureVector) + 48, [&io](auto& c) {
    io.io(c.sha);
    io.io(c.subject);
    io.io(c.time);
    io.io(c.author);
    io_flags(io, c);
    io.io(c.reverted_at);
    io.io(c.fixed_at);
    io.io(c.reverted_by);
    io.io(c.fixed_by);
    io.io(c.features);
  });
  io.table(ix.files, 57, [&io](auto& f) {
    io.io(f.path);
    io.io(f.commits);
    io.io(f.authors);
    io.io(f.blamed);
    io.io(f.last_time);
    io.io(f.fixes);
    io.io(f.reverts);
    io.io(f.lines);
    io.io(f.origin);
    io.io(f.alive);
  });
  io.table(ix.authors, 36, [&io](auto& a) {
    io.io(a.key);
    io.io(a.commits);
    io_map(io, a.files, 12);  // an author's changes per file, folder, subsystem
    io_map(io, a.folders, 12);
    io_map(io, a.subsystems, 12);
  });
  io_map(io, ix.merged_ids, 8);
  io_map(io, ix.former_ids, 8);
}

std::string serialise(const HistoryIndex& ix) {
  Writer w;
  io_index(w, ix);
  return std::move(w.bytes());
}

void validate(const HistoryIndex& ix);

HistoryIndex deserialise(std::string_view payload) {
  Reader r(payload);
  HistoryIndex ix;
  io_index(r, ix);
  if (!r.done()) throw Error(Error::Code::invalid_input, "history index has trailing bytes");
  validate(ix);
  // The lookup maps follow from the records: rebuilt, not stored.
  for (std::uint32_t i = 0; i < ix.commits.size(); ++i) {
    ix.commit_ids.emplace(ix.commits[i].sha, i);
    ix.subject_ids[normalise_subject(ix.commits[i].subject)] = i;
  }
  for (std::uint32_t i = 0; i < ix.files.size(); ++i) {
    if (ix.files[i].alive) ix.file_ids[ix.files[i].path] = i;
  }
  for (std::uint32_t i = 0; i < ix.authors.size(); ++i) ix.author_ids.emplace(ix.authors[i].key, i);
  return ix;
}

// Every id points into its table and every number is usable, or the file
// is refused: the index is read by code that indexes arrays with them.
void validate(const HistoryIndex& ix) {
  auto bad = [](const char* what) { throw Error(Error::Code::invalid_input, fmt::format("history index: bad {}", what)); };
  const std::size_t n = ix.commits.size();
  if (ix.tip != (n ? ix.commits.back().sha : std::string())) bad("tip");
  // Ascending (repeats allowed: bounds are what matters to the readers).
  auto commit_list = [&](const std::vector<std::uint32_t>& v, const char* what) {
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v[i] >= n || (i > 0 && v[i] < v[i - 1])) bad(what);
    }
  };
  for (const auto& c : ix.commits) {
    if (c.author >= ix.authors.size()) bad("author");
    if ((c.reverted_by != CommitRecord::kNone && c.reverted_by >= n) || (c.fixed_by != CommitRecord::kNone && c.fixed_by >= n)) {
      bad("label");
    }
    for (float f : c.features) {
      if (!std::isfinite(f) || f < 0) bad("feature");
    }
  }
  for (const auto& f : ix.files) {
    commit_list(f.commits, "commit list of a file");
    commit_list(f.blamed, "blamed list of a file");
    for (auto a : f.authors) {
      if (a >= ix.authors.size()) bad("file author");
    }
    for (auto o : f.origin) {
      if (o > n) bad("line origin");
    }
  }
  for (const auto& a : ix.authors) {
    commit_list(a.commits, "commit list of an author");
    for (const auto& [file, list] : a.files) {
      if (file >= ix.files.size()) bad("author file");
      commit_list(list, "commit list of an author's file");
    }
    for (const auto& [k, list] : a.folders) commit_list(list, "commit list of an author's folder");
    for (const auto& [k, list] : a.subsystems) commit_list(list, "commit list of an author's subsystem");
  }
  for (const auto& [k, v] : ix.merged_ids) {
    if (v >= n) bad("merge");
  }
  for (const auto& [k, v] : ix.former_ids) {
    if (v >= ix.files.size()) bad("former path");
  }
}

}  // namespace

std::filesystem::path index_file(const std::filesystem::path& dir) { return dir / "history.idx"; }

HistoryIndex load_index(const std::filesystem::path& file, std::string* why) {
  auto say = [&](std::string s) {
    if (why) *why = std::move(s);
    return HistoryIndex{};
  };
  // One read into a buffer of the file's size, left uninitialised: copying
  // through a stringstream, or zero-filling first, cost a tenth of a whole
  // review's CPU on a large history. Not mapped: a file cut short under a
  // mapping would kill the process (SIGBUS) instead of failing the read.
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return say(errno == ENOENT ? "no index yet" : "the index file cannot be read");
  struct stat st {};
  std::unique_ptr<char[]> buffer;
  std::size_t size = 0;
  bool read_all = ::fstat(fd, &st) == 0 && st.st_size >= 0;
  if (read_all) {
    size = static_cast<std::size_t>(st.st_size);
    buffer = std::make_unique_for_overwrite<char[]>(size);
    for (std::size_t done = 0; read_all && done < size;) {
      const ssize_t n = ::read(fd, buffer.get() + done, size - done);
      if (n < 0 && errno == EINTR) continue;
      read_all = n > 0;
      done += n > 0 ? static_cast<std::size_t>(n) : 0;
    }
  }
  ::close(fd);
  if (!read_all) return say("the index file cannot be read");
  const std::string_view bytes(buffer.get(), size);
  constexpr std::size_t kHeader = sizeof kMagic + sizeof(std::uint32_t);
  constexpr std::size_t kDigest = 64;
  if (bytes.size() < kHeader + kDigest || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    return say("the index file is not a history index");
  }
  std::uint32_t version = 0;
  std::memcpy(&version, bytes.data() + sizeof kMagic, sizeof version);
  if (version != kIndexVersion) return say(fmt::format("the index is version {}, this reviewer writes {}", version, kIndexVersion));
  const std::string_view payload(bytes.data() + kHeader, bytes.size() - kHeader - kDigest);
  if (sha256_hex(payload) != bytes.substr(bytes.size() - kDigest)) {
    return say("the index file is corrupt (checksum mismatch)");
  }
  try {
    return deserialise(payload);
  } catch (const std::exception& e) {  // bad_alloc included: never trusted, rebuilt
    return say(fmt::format("the index file is corrupt ({})", e.what()));
  }
}

void save_index(const HistoryIndex& index, const std::filesystem::path& file) {
  const std::string payload = serialise(index);
  std::string bytes(kMagic, sizeof kMagic);
  bytes.append(reinterpret_cast<const char*>(&kIndexVersion), sizeof kIndexVersion);
  bytes += payload;
  bytes += sha256_hex(payload);
  write_private_file(file, bytes);
}

}  // namespace reviewer::history
