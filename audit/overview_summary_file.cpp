// OverviewSummary::save and load: the summary's snapshot on disk.
//
// Format (little-endian integers):
//   "RVWOVSUM"             magic, 8 bytes
//   u32 version            kFormatVersion; any other is refused (no upgrade:
//                          an older snapshot is rebuilt from the log)
//   64 bytes               SHA-256 of the content, lowercase hex
//   u64 size               of the content, which follows to the end
//   64 bytes               the build that wrote it (build_stamp(), hex): a
//                          file another build wrote is refused, since what
//                          the summary counts can change with the code
//                          while serialize() stays the same
//   content                the log's identity, the watermark, the interned
//                          names, every pull request's rows, then the
//                          runs, overrides and votes (serialize() below)
// Strings are a u32 length and their bytes; lists a u64 count and their
// items. Every count is checked against the bytes left before anything is
// reserved, every index against what it indexes, every time against the
// years a time can name: the file is local, but a bad one must only be
// refused (the console then reads the log afresh).

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "audit/overview_summary.h"
#include "reviewer/core/error.h"
#include "reviewer/core/private_files.h"
#include "reviewer/core/sha256.h"

namespace reviewer::audit {

namespace summary_file {

constexpr std::string_view kMagic = "RVWOVSUM";
// 1: the first format; 2: the build's stamp. Bump on any change to
// serialize() or to the header.
constexpr std::uint32_t kFormatVersion = 2;
constexpr std::size_t kHashSize = 64;
constexpr std::size_t kHeaderSize = kMagic.size() + 4 + kHashSize + 8 + kHashSize;

// The running executable's identity (device, inode, size, modification
// time), hashed: any rebuild or upgrade of the binary changes it, so a
// summary is only ever read back by the build that computed it. When the
// executable cannot be stat'ed, a stamp no file can carry.
const std::string& build_stamp() {
  static const std::string stamp = [] {
    struct stat st {};
    if (::stat("/proc/self/exe", &st) != 0) return std::string(kHashSize, 'x');
    return sha256_hex(fmt::format("{}:{}:{}:{}.{}", st.st_dev, st.st_ino, st.st_size, st.st_mtim.tv_sec,
                                  st.st_mtim.tv_nsec));
  }();
  return stamp;
}
// A snapshot of a log of millions of changes is a few hundred MB; beyond
// this the file is not one of ours.
constexpr std::uint64_t kMaxContent = std::uint64_t{4} << 30;
// The seconds of 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z, with two
// days' room for offsets: no time the log holds parses outside them.
constexpr std::int64_t kFirstSecond = -62167219200 - 2 * 86400, kLastSecond = 253402300799 + 2 * 86400;

class Out {
 public:
  void u8(std::uint8_t v) { s_.push_back(static_cast<char>(v)); }
  void u32(std::uint32_t v) { le(v, 4); }
  void u64(std::uint64_t v) { le(v, 8); }
  void i64(std::int64_t v) { le(static_cast<std::uint64_t>(v), 8); }
  void str(std::string_view v) {
    u32(static_cast<std::uint32_t>(v.size()));
    s_.append(v);
  }
  std::string take() { return std::move(s_); }

 private:
  void le(std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) s_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  std::string s_;
};

// Reads what Out wrote; once anything is short or out of range `ok` is
// false and every later read gives zeros.
class In {
 public:
  explicit In(std::string_view bytes) : rest_(bytes) {}
  bool ok = true;
  std::uint8_t u8() { return static_cast<std::uint8_t>(le(1)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(le(4)); }
  std::uint64_t u64() { return le(8); }
  std::int64_t i64() { return static_cast<std::int64_t>(le(8)); }
  std::string str() {
    const auto n = u32();
    if (!take(n)) return {};
    std::string out(rest_.substr(0, n));
    rest_.remove_prefix(n);
    return out;
  }
  // A list's count, each item at least `min_bytes` long.
  std::size_t count(std::size_t min_bytes) {
    const auto n = u64();
    if (n > rest_.size() / std::max<std::size_t>(min_bytes, 1)) ok = false;
    return ok ? static_cast<std::size_t>(n) : 0;
  }
  // A time as seconds: kNone, or within the years a time can name.
  std::int64_t time(bool none_allowed) {
    const auto v = i64();
    if (!(none_allowed && v == CompactMerge::kNone) && (v < kFirstSecond || v > kLastSecond)) ok = false;
    return v;
  }
  bool at_end() const { return ok && rest_.empty(); }

 private:
  bool take(std::size_t n) {
    if (ok && rest_.size() < n) ok = false;
    return ok;
  }
  std::uint64_t le(int bytes) {
    if (!take(static_cast<std::size_t>(bytes))) return 0;
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= std::uint64_t{static_cast<unsigned char>(rest_[i])} << (8 * i);
    rest_.remove_prefix(static_cast<std::size_t>(bytes));
    return v;
  }
  std::string_view rest_;
};

void write_timed(Out& o, std::int64_t at, std::uint32_t repo, std::uint32_t label, std::int64_t value) {
  o.i64(at);
  o.u32(repo);
  o.u32(label);
  o.i64(value);
}

// Whether a snapshot's content begins with `identity` (deserialize()
// checks it again; this names the refusal).
bool names_log(std::string_view content, const std::string& identity) {
  In in(content);
  const auto named = in.str();
  return in.ok && named == identity;
}

}  // namespace summary_file

std::string OverviewSummary::serialize(const std::string& identity) const {
  summary_file::Out o;
  o.str(identity);
  o.i64(mark_.seq);
  o.str(mark_.hash);
  o.u64(names_.names.size());
  for (const auto& n : names_.names) o.str(n);
  o.u64(prs_.size());
  for (const auto& [key, pr] : prs_) {
    o.str(names_.names[key.repo]);
    o.i64(key.pr);
    o.u32(pr.repo);
    o.u64(pr.merges.size());
    for (const auto& m : pr.merges) {
      for (const auto t : {m.merged_at, m.opened_at, m.person_approved_at, m.bot_approved_at}) o.i64(t);
      o.u32(m.odd);
      o.u8(static_cast<std::uint8_t>(m.approval));
      o.u8(m.reverted ? 1 : 0);
    }
    o.u64(pr.odd.size());
    for (const auto& m : pr.odd) {
      for (const auto* s : {&m.merged_at, &m.approval, &m.opened_at, &m.person_approved_at, &m.bot_approved_at}) {
        o.str(*s);
      }
      o.u8(m.reverted ? 1 : 0);
    }
    o.u64(pr.reverted_rules.size());
    for (const auto& [rule, started_at] : pr.reverted_rules) {
      o.u32(rule);
      o.str(started_at);
    }
  }
  for (const auto* list : {&runs_, &overrides_, &votes_}) {
    o.u64(list->plain.size());
    for (const auto& t : list->plain) summary_file::write_timed(o, t.at, t.repo, t.label, t.value);
    o.u64(list->odd.size());
    for (const auto& [at, t] : list->odd) {
      o.str(at);
      summary_file::write_timed(o, t.at, t.repo, t.label, t.value);
    }
  }
  return o.take();
}

bool OverviewSummary::deserialize(std::string_view content, const std::string& identity) {
  summary_file::In in(content);
  if (in.str() != identity || !in.ok) return false;
  OverviewSummary s(reread_);
  s.mark_.seq = in.i64();
  s.mark_.hash = in.str();
  if (s.mark_.seq < 0) return false;
  const auto names = in.count(4);
  s.names_.names.reserve(names);
  for (std::size_t i = 0; i < names && in.ok; ++i) {
    if (s.names_.id_of(in.str()) != i) return false;  // a name twice
  }
  const auto name_ok = [&](std::uint32_t id) { return id < s.names_.names.size(); };
  const auto prs = in.count(4 + 8 + 4 + 3 * 8);
  s.prs_.reserve(prs);
  for (std::size_t i = 0; i < prs && in.ok; ++i) {
    const std::string repository = in.str();
    const PrKey key{0, in.i64()};
    PrRows pr;
    pr.repo = in.u32();
    if (!name_ok(pr.repo) || s.names_.names[pr.repo] != repository) return false;
    pr.merges.resize(in.count(4 * 8 + 4 + 2));
    for (auto& m : pr.merges) {
      for (auto* t : {&m.merged_at, &m.opened_at, &m.person_approved_at, &m.bot_approved_at}) *t = in.time(true);
      m.odd = in.u32();
      const auto approval = in.u8();
      const auto reverted = in.u8();
      if (approval > static_cast<std::uint8_t>(CompactMerge::Approval::other) || reverted > 1) return false;
      m.approval = static_cast<CompactMerge::Approval>(approval);
      m.reverted = reverted == 1;
    }
    pr.odd.resize(in.count(5 * 4 + 1));
    for (auto& m : pr.odd) {
      for (auto* t : {&m.merged_at, &m.approval, &m.opened_at, &m.person_approved_at, &m.bot_approved_at}) {
        *t = in.str();
      }
      const auto reverted = in.u8();
      if (reverted > 1) return false;
      m.reverted = reverted == 1;
    }
    for (const auto& m : pr.merges) {
      if (m.odd != CompactMerge::kPlain && m.odd >= pr.odd.size()) return false;
    }
    pr.reverted_rules.resize(in.count(4 + 4));
    for (auto& [rule, started_at] : pr.reverted_rules) {
      rule = in.u32();
      started_at = in.str();
      if (!name_ok(rule)) return false;
    }
    // Names are distinct (above), so the id stands for the repository.
    if (!in.ok || !s.prs_.emplace(PrKey{pr.repo, key.pr}, std::move(pr)).second) return false;  // a pull request twice
  }
  for (auto* list : {&s.runs_, &s.overrides_, &s.votes_}) {
    const auto read_timed = [&](bool plain) {
      Timed t;
      t.at = plain ? in.time(false) : in.i64();
      t.repo = in.u32();
      t.label = in.u32();
      t.value = in.i64();
      if (!name_ok(t.repo) || !name_ok(t.label)) in.ok = false;
      return t;
    };
    list->plain.resize(in.count(24));
    for (auto& t : list->plain) t = read_timed(true);
    // rows() finds a period's records by binary search.
    if (!std::is_sorted(list->plain.begin(), list->plain.end(), earlier)) return false;
    list->odd.resize(in.count(4 + 24));
    for (auto& [at, t] : list->odd) {
      at = in.str();
      t = read_timed(false);
    }
  }
  if (!in.at_end()) return false;
  s.built_ = true;
  *this = std::move(s);
  return true;
}

void OverviewSummary::save(const std::string& path, const std::string& identity) const {
  if (!built_) throw Error(Error::Code::internal, "the overview summary is saved before it was built");
  const auto content = serialize(identity);
  summary_file::Out header;
  std::string bytes(summary_file::kMagic);
  header.u32(summary_file::kFormatVersion);
  bytes += header.take();
  bytes += sha256_hex(content);
  summary_file::Out size;
  size.u64(content.size());
  bytes += size.take();
  bytes += summary_file::build_stamp();
  bytes += content;
  // A torn file after a crash fails its checksum and is rebuilt from the log.
  write_private_file(path, bytes);
}

bool OverviewSummary::load(const std::string& path, const std::string& identity, std::string* refused) {
  using namespace summary_file;
  const auto refuse = [&](std::string why) {
    if (refused) *refused = std::move(why);
    return false;
  };
  // Opened without following a link and without waiting on a FIFO; then
  // only a regular file of this process's user that no one else can write
  // is read (the default file sits in the data directory, not named by
  // the operator).
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    const int e = errno;
    return refuse(e == ENOENT ? "none" : fmt::format("cannot be opened: {}", std::strerror(e)));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return refuse("not a regular file");
  if (st.st_uid != ::geteuid()) return refuse("owned by another user");
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) return refuse("writable by others");
  const auto file_size = static_cast<std::uint64_t>(st.st_size);
  const auto read_all = [&](char* to, std::size_t n) {
    while (n > 0) {
      const auto got = ::read(fd, to, n);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) return false;
      to += got;
      n -= static_cast<std::size_t>(got);
    }
    return true;
  };
  std::string header(kHeaderSize, '\0');
  if (file_size < kHeaderSize || !read_all(header.data(), header.size())) return refuse("shorter than its header");
  In in(header);
  if (header.compare(0, kMagic.size(), kMagic) != 0) return refuse("not a summary file");
  for (std::size_t i = 0; i < kMagic.size(); ++i) in.u8();
  if (const auto version = in.u32(); version != kFormatVersion) {
    return refuse(fmt::format("format {}, not {}", version, kFormatVersion));
  }
  const std::string hash = header.substr(kMagic.size() + 4, kHashSize);
  for (std::size_t i = 0; i < kHashSize; ++i) in.u8();
  const auto size = in.u64();
  if (header.compare(kHeaderSize - kHashSize, kHashSize, build_stamp()) != 0) {
    return refuse("written by another build of reviewer");
  }
  for (std::size_t i = 0; i < kHashSize; ++i) in.u8();
  // The content must be exactly what is left of the file (not truncated,
  // nothing after it), known before anything is allocated for it.
  if (!in.at_end() || size > kMaxContent) return refuse("oversized");
  if (file_size != kHeaderSize + size) return refuse("truncated or extended");
  std::string content(static_cast<std::size_t>(size), '\0');
  if (!read_all(content.data(), content.size())) return refuse("truncated");
  if (sha256_hex(content) != hash) return refuse("checksum mismatch");
  if (!names_log(content, identity)) return refuse("another log's");
  if (!deserialize(content, identity)) return refuse("malformed content");
  return true;
}

}  // namespace reviewer::audit
