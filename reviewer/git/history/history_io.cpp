// The index file: a little-endian binary layout with a version and a
// SHA-256 of the payload at the end, so a torn or edited file is detected
// and rebuilt instead of trusted.
#include <cmath>
#include <cstring>
#include <fstream>
#include <type_traits>

#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "reviewer/core/private_files.h"
#include "reviewer/core/sha256.h"
#include "reviewer/git/history/history_index.h"

namespace reviewer::history {

namespace {

constexpr char kMagic[8] = {'R', 'V', 'H', 'I', 'S', 'T', '\0', '\n'};

class Writer {
 public:
  template <class T>
  void pod(T v) {
    static_assert(std::is_trivially_copyable_v<T>);
    out_.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void str(std::string_view s) {
    pod<std::uint32_t>(static_cast<std::uint32_t>(s.size()));
    out_.append(s);
  }
  template <class T>
  void vec(const std::vector<T>& v) {
    pod<std::uint64_t>(v.size());
    out_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  }
  std::string& bytes() { return out_; }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  template <class T>
  T pod() {
    T v;
    need(sizeof v);
    std::memcpy(&v, in_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return v;
  }
  std::string str() {
    const auto n = pod<std::uint32_t>();
    need(n);
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  template <class T>
  std::vector<T> vec() {
    const auto n = pod<std::uint64_t>();
    if (n > in_.size() / sizeof(T) + 1) fail();
    need(n * sizeof(T));
    std::vector<T> v(n);
    std::memcpy(v.data(), in_.data() + pos_, n * sizeof(T));
    pos_ += n * sizeof(T);
    return v;
  }
  // A count of entries that each take at least `min_bytes` of what is
  // left: a forged count cannot make the reader allocate beyond the file.
  std::uint64_t count(std::size_t min_bytes) {
    const auto n = pod<std::uint64_t>();
    if (n > (in_.size() - pos_) / min_bytes) fail();
    return n;
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

template <class K>
void write_key(Writer& w, const K& k) {
  if constexpr (std::is_same_v<K, std::string>) {
    w.str(k);
  } else {
    w.pod(k);
  }
}

template <class K>
K read_key(Reader& r) {
  if constexpr (std::is_same_v<K, std::string>) {
    return r.str();
  } else {
    return r.pod<K>();
  }
}

// A map as its size, then key and value pairs; `value` writes or reads
// one value. `min_entry` bytes per entry bound the count a file can claim.
template <class Map, class WriteValue>
void write_entries(Writer& w, const Map& m, WriteValue value) {
  w.pod<std::uint64_t>(m.size());
  for (const auto& [k, v] : m) {
    write_key(w, k);
    value(v);
  }
}

template <class Map, class ReadValue>
void read_entries(Reader& r, Map& m, std::uint64_t min_entry, ReadValue value) {
  const auto n = r.count(min_entry);
  m.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) {
    auto k = read_key<typename Map::key_type>(r);
    m.emplace(std::move(k), value());
  }
}

template <class Map>
void write_map(Writer& w, const Map& m) {
  write_entries(w, m, [&w](const auto& v) { w.pod(v); });
}

template <class Map>
void read_map(Reader& r, Map& m) {
  read_entries(r, m, 8, [&r] { return r.pod<typename Map::mapped_type>(); });
}

// Maps of commit lists (an author's changes per file, folder, subsystem).
template <class Map>
void write_lists(Writer& w, const Map& m) {
  write_entries(w, m, [&w](const auto& v) { w.vec(v); });
}

template <class Map>
void read_lists(Reader& r, Map& m) {
  read_entries(r, m, 12, [&r] { return r.vec<std::uint32_t>(); });
}

std::string serialise(const HistoryIndex& ix) {
  Writer w;
  w.str(ix.tip);
  w.pod<std::uint8_t>(ix.shallow ? 1 : 0);
  w.pod<std::uint64_t>(ix.commits.size());
  for (const auto& c : ix.commits) {
    w.str(c.sha);
    w.str(c.subject);
    w.pod(c.time);
    w.pod(c.author);
    w.pod<std::uint8_t>(static_cast<std::uint8_t>((c.fix ? 1 : 0) | (c.revert ? 2 : 0) | (c.bulk ? 4 : 0)));
    w.pod(c.reverted_at);
    w.pod(c.fixed_at);
    w.pod(c.reverted_by);
    w.pod(c.fixed_by);
    w.pod(c.features);
  }
  w.pod<std::uint64_t>(ix.files.size());
  for (const auto& f : ix.files) {
    w.str(f.path);
    w.vec(f.commits);
    w.vec(f.authors);
    w.vec(f.blamed);
    w.pod(f.last_time);
    w.pod(f.fixes);
    w.pod(f.reverts);
    w.pod(f.lines);
    w.vec(f.origin);
    w.pod<std::uint8_t>(f.alive ? 1 : 0);
  }
  w.pod<std::uint64_t>(ix.authors.size());
  for (const auto& a : ix.authors) {
    w.str(a.key);
    w.vec(a.commits);
    write_lists(w, a.files);
    write_lists(w, a.folders);
    write_lists(w, a.subsystems);
  }
  write_map(w, ix.merged_ids);
  write_map(w, ix.former_ids);
  return std::move(w.bytes());
}

void validate(const HistoryIndex& ix);

HistoryIndex deserialise(std::string_view payload) {
  Reader r(payload);
  HistoryIndex ix;
  ix.tip = r.str();
  ix.shallow = r.pod<std::uint8_t>() != 0;
  const auto commits = r.count(sizeof(FeatureVector) + 48);
  ix.commits.resize(commits);
  for (std::uint64_t i = 0; i < commits; ++i) {
    auto& c = ix.commits[i];
    c.sha = r.str();
    c.subject = r.str();
    c.time = r.pod<std::int64_t>();
    c.author = r.pod<std::uint32_t>();
    const auto flags = r.pod<std::uint8_t>();
    c.fix = flags & 1;
    c.revert = flags & 2;
    c.bulk = flags & 4;
    c.reverted_at = r.pod<std::int64_t>();
    c.fixed_at = r.pod<std::int64_t>();
    c.reverted_by = r.pod<std::uint32_t>();
    c.fixed_by = r.pod<std::uint32_t>();
    c.features = r.pod<FeatureVector>();
  }
  const auto files = r.count(57);
  ix.files.resize(files);
  for (std::uint64_t i = 0; i < files; ++i) {
    auto& f = ix.files[i];
    f.path = r.str();
    f.commits = r.vec<std::uint32_t>();
    f.authors = r.vec<std::uint32_t>();
    f.blamed = r.vec<std::uint32_t>();
    f.last_time = r.pod<std::int64_t>();
    f.fixes = r.pod<std::uint32_t>();
    f.reverts = r.pod<std::uint32_t>();
    f.lines = r.pod<std::uint32_t>();
    f.origin = r.vec<std::uint32_t>();
    f.alive = r.pod<std::uint8_t>() != 0;
  }
  const auto authors = r.count(36);
  ix.authors.resize(authors);
  for (std::uint64_t i = 0; i < authors; ++i) {
    auto& a = ix.authors[i];
    a.key = r.str();
    a.commits = r.vec<std::uint32_t>();
    read_lists(r, a.files);
    read_lists(r, a.folders);
    read_lists(r, a.subsystems);
  }
  read_map(r, ix.merged_ids);
  read_map(r, ix.former_ids);
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
  std::ifstream in(file, std::ios::binary | std::ios::ate);
  if (!in) return say("no index yet");
  // One read into a buffer of the file's size: copying through a
  // stringstream cost a tenth of a whole review's CPU on a large history.
  const std::streamoff size = in.tellg();
  if (size < 0) return say("the index file cannot be read");
  std::string bytes(static_cast<std::size_t>(size), '\0');
  in.seekg(0);
  if (!in.read(bytes.data(), size)) return say("the index file cannot be read");
  constexpr std::size_t kHeader = sizeof kMagic + sizeof(std::uint32_t);
  constexpr std::size_t kDigest = 64;
  if (bytes.size() < kHeader + kDigest || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    return say("the index file is not a history index");
  }
  std::uint32_t version = 0;
  std::memcpy(&version, bytes.data() + sizeof kMagic, sizeof version);
  if (version != kIndexVersion) return say(fmt::format("the index is version {}, this reviewer writes {}", version, kIndexVersion));
  const std::string_view payload(bytes.data() + kHeader, bytes.size() - kHeader - kDigest);
  if (sha256_hex(payload) != std::string_view(bytes).substr(bytes.size() - kDigest)) {
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
