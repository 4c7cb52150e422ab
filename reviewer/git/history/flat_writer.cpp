// Writes a HistoryIndex in the layout of flat_format.h.
#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "reviewer/core/error.h"
#include "reviewer/git/history/flat_format.h"
#include "reviewer/git/history/flat_index.h"

namespace reviewer::history {

namespace {

using namespace flat;

std::uint32_t narrow(std::size_t n) {
  if (n > UINT32_MAX) throw Error(Error::Code::invalid_input, "history index too large to save (a table over 2^32 entries)");
  return static_cast<std::uint32_t>(n);
}

// A byte pool; equal strings are stored once. What is added must outlive
// the pool (the index's own strings).
class Strings {
 public:
  StrRef add(std::string_view s) {
    auto it = seen_.find(s);
    if (it != seen_.end()) return it->second;
    const StrRef ref{narrow(bytes_.size()), narrow(s.size())};
    bytes_.append(s);
    narrow(bytes_.size());
    seen_.emplace(s, ref);
    return ref;
  }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
  std::unordered_map<std::string_view, StrRef> seen_;
};

class Lists {
 public:
  ListRef add(std::span<const std::uint32_t> v) {
    const ListRef ref{narrow(pool_.size()), narrow(v.size())};
    pool_.insert(pool_.end(), v.begin(), v.end());
    narrow(pool_.size());
    return ref;
  }
  std::string_view bytes() const { return {reinterpret_cast<const char*>(pool_.data()), pool_.size() * sizeof(std::uint32_t)}; }

 private:
  std::vector<std::uint32_t> pool_;
};

template <class T>
void put(std::string& out, const T& record) {
  static_assert(std::is_trivially_copyable_v<T>);
  out.append(reinterpret_cast<const char*>(&record), sizeof record);
}

// A map's entries as KeyIds sorted by key (bytes compared unsigned).
template <class Map>
std::string key_ids(const Map& m, Strings& strings) {
  std::vector<std::pair<std::string_view, std::uint32_t>> sorted(m.begin(), m.end());
  std::sort(sorted.begin(), sorted.end());
  std::string out;
  for (const auto& [key, id] : sorted) put(out, KeyId{strings.add(key), id});
  return out;
}

// An author's folder or subsystem lists as KeyLists sorted by key.
void key_lists(const std::unordered_map<std::string, std::vector<std::uint32_t>>& m, Strings& strings, Lists& lists,
               std::string& out) {
  std::vector<const std::pair<const std::string, std::vector<std::uint32_t>>*> sorted;
  for (const auto& e : m) sorted.push_back(&e);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
  for (const auto* e : sorted) put(out, KeyList{strings.add(e->first), lists.add(e->second)});
}

}  // namespace

std::string encode_index(const HistoryIndex& ix) {
  Strings strings, extra_strings;
  Lists lists, extra_lists;
  std::string sec[kSectionCount];
  for (const auto& c : ix.commits) {
    CommitRec r;
    std::memset(static_cast<void*>(&r), 0, sizeof r);  // its padding too: the same index, the same bytes
    r.time = c.time;
    r.reverted_at = c.reverted_at;
    r.fixed_at = c.fixed_at;
    r.author = c.author;
    r.reverted_by = c.reverted_by;
    r.fixed_by = c.fixed_by;
    r.flags = (c.fix ? kFixFlag : 0) | (c.revert ? kRevertFlag : 0) | (c.bulk ? kBulkFlag : 0);
    r.sha = strings.add(c.sha);
    std::copy(c.features.begin(), c.features.end(), r.features);
    put(sec[kCommits], r);
    put(sec[kSubjects], extra_strings.add(c.subject));
  }
  for (const auto& f : ix.files) {
    put(sec[kFiles], FileRec{strings.add(f.path), lists.add(f.commits), lists.add(f.authors), f.last_time, f.fixes,
                             f.reverts, f.lines, f.alive ? 1u : 0u});
    put(sec[kFileExtra], FileExtra{extra_lists.add(f.blamed), extra_lists.add(f.origin)});
  }
  std::uint32_t folders = 0;
  for (const auto& a : ix.authors) {
    AuthorRec r;
    r.key = strings.add(a.key);
    r.commits = lists.add(a.commits);
    r.files_begin = narrow(sec[kAuthorFiles].size() / sizeof(FileList));
    std::vector<std::uint32_t> file_ids;
    for (const auto& e : a.files) file_ids.push_back(e.first);
    std::sort(file_ids.begin(), file_ids.end());
    for (auto id : file_ids) put(sec[kAuthorFiles], FileList{id, lists.add(a.files.at(id))});
    r.files_count = narrow(file_ids.size());
    r.folders_begin = folders;
    key_lists(a.folders, strings, lists, sec[kAuthorKeys]);
    r.folders_count = narrow(a.folders.size());
    r.subsystems_begin = folders + r.folders_count;
    key_lists(a.subsystems, strings, lists, sec[kAuthorKeys]);
    r.subsystems_count = narrow(a.subsystems.size());
    folders = narrow(sec[kAuthorKeys].size() / sizeof(KeyList));
    put(sec[kAuthors], r);
  }
  sec[kCommitIds] = key_ids(ix.commit_ids, strings);
  sec[kMerged] = key_ids(ix.merged_ids, strings);
  sec[kLiveIds] = key_ids(ix.file_ids, strings);
  sec[kFormerIds] = key_ids(ix.former_ids, strings);
  sec[kAuthorIds] = key_ids(ix.author_ids, strings);
  sec[kLists] = lists.bytes();
  sec[kStrings] = strings.bytes();
  sec[kExtraLists] = extra_lists.bytes();
  sec[kExtraStrings] = extra_strings.bytes();

  Header h;
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.version = kIndexVersion;
  h.sections = kSectionCount;
  h.flags = ix.shallow ? kShallow : 0;
  std::uint64_t at = (sizeof(Header) + 7) / 8 * 8;
  for (std::uint32_t s = 0; s < kSectionCount; ++s) {
    h.table[s] = {at, sec[s].size(), checksum(sec[s])};
    at += (sec[s].size() + 7) / 8 * 8;
  }
  h.checksum = checksum({reinterpret_cast<const char*>(&h), offsetof(Header, checksum)});
  std::string out;
  out.reserve(at);
  put(out, h);
  // No padding after the last section: the file ends where it does, so a
  // file cut short by any length leaves a section outside it.
  for (const auto& s : sec) {
    out.resize((out.size() + 7) / 8 * 8, '\0');
    out += s;
  }
  return out;
}

}  // namespace reviewer::history
