// FlatIndex: the checks made at open, and the whole index decoded for an
// update.
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "reviewer/git/history/classify.h"
#include "reviewer/git/history/flat_index.h"

namespace reviewer::history {

namespace {

using namespace flat;

bool fits(StrRef r, std::string_view pool) { return r.size <= pool.size() && r.offset <= pool.size() - r.size; }

bool fits(ListRef r, std::string_view pool) {
  const std::size_t n = pool.size() / sizeof(std::uint32_t);
  return r.count <= n && r.offset <= n - r.count;
}

[[noreturn]] void bad(const char* what) { throw Error(Error::Code::invalid_input, fmt::format("bad {}", what)); }

bool corrupt(std::string* why, const std::string& reason) {
  if (why) *why = "the index file is corrupt (" + reason + ")";
  return false;
}

}  // namespace

bool FlatIndex::parse(std::string* why, bool whole) {
  auto fail = [why](const std::string& reason) { return corrupt(why, reason); };
  if (!verify(0, kFirstExtra, why)) return false;
  constexpr std::pair<Section, std::size_t> kRecords[] = {
      {kCommits, sizeof(CommitRec)},  {kCommitIds, sizeof(KeyId)},        {kMerged, sizeof(KeyId)},
      {kFiles, sizeof(FileRec)},      {kLiveIds, sizeof(KeyId)},          {kFormerIds, sizeof(KeyId)},
      {kAuthors, sizeof(AuthorRec)},  {kAuthorIds, sizeof(KeyId)},        {kAuthorFiles, sizeof(FileList)},
      {kAuthorKeys, sizeof(KeyList)}, {kLists, sizeof(std::uint32_t)},    {kSubjects, sizeof(StrRef)},
      {kFileExtra, sizeof(FileExtra)}, {kExtraLists, sizeof(std::uint32_t)}};
  for (const auto& [s, size] : kRecords) {
    if (header_.table[s].size % size != 0) return fail(fmt::format("section {} is not whole records", static_cast<int>(s)));
  }
  shallow_ = (header_.flags & kShallow) != 0;
  try {
    check_records();
  } catch (const Error& e) {
    return fail(e.what());
  }
  return !whole || parse_rest(why);
}

bool FlatIndex::parse_rest(std::string* why) {
  if (!verify(kFirstExtra, kSectionCount, why)) return false;
  try {
    check_rest();
  } catch (const Error& e) {
    return corrupt(why, e.what());
  }
  whole_ = true;
  return true;
}

// Every reference of every record points into what it names, and every id
// into its table, in the sections a review reads. Lists are checked where
// they are read (checked_list).
void FlatIndex::check_records() {
  const std::size_t n = count(kCommits, sizeof(CommitRec));
  const std::size_t files = count(kFiles, sizeof(FileRec));
  const std::size_t authors = author_count();
  const std::string_view strings = section(kStrings), lists = section(kLists);
  commits_.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto r = record<CommitRec>(kCommits, i);
    if (r.author >= authors) bad("author");
    if ((r.reverted_by != CommitFacts::kNone && r.reverted_by >= n) || (r.fixed_by != CommitFacts::kNone && r.fixed_by >= n)) {
      bad("label");
    }
    if (r.flags > (kFixFlag | kRevertFlag | kBulkFlag) || !fits(r.sha, strings)) bad("commit");
    CommitFacts& c = commits_[i];
    c.time = r.time;
    c.author = r.author;
    c.fix = r.flags & kFixFlag;
    c.revert = r.flags & kRevertFlag;
    c.bulk = r.flags & kBulkFlag;
    c.reverted_at = r.reverted_at;
    c.fixed_at = r.fixed_at;
    c.reverted_by = r.reverted_by;
    c.fixed_by = r.fixed_by;
    for (std::size_t f = 0; f < kFeatureCount; ++f) {
      if (!std::isfinite(r.features[f]) || r.features[f] < 0) bad("feature");
      c.features[f] = r.features[f];
    }
  }
  const std::pair<Section, std::size_t> tables[] = {
      {kCommitIds, n}, {kMerged, n}, {kLiveIds, files}, {kFormerIds, files}, {kAuthorIds, authors}};
  // Lookups search a table by key: its keys are strictly ascending, and a
  // table whose records carry the key themselves (a commit's sha, a live
  // file's path, an author's key) names the record that does, so that a
  // lookup and the records cannot disagree.
  auto key_of = [&](Section table, std::uint32_t id) -> std::optional<StrRef> {
    if (table == kCommitIds) return record<CommitRec>(kCommits, id).sha;
    if (table == kLiveIds) return record<FileRec>(kFiles, id).path;
    if (table == kAuthorIds) return record<AuthorRec>(kAuthors, id).key;
    return std::nullopt;
  };
  for (const auto& [table, bound] : tables) {
    std::string_view previous;
    for (std::size_t i = 0; i < count(table, sizeof(KeyId)); ++i) {
      const auto e = record<KeyId>(table, i);
      if (e.id >= bound || !fits(e.key, strings)) bad("lookup table");
      const std::string_view key = str(e.key);
      if (i > 0 && !(previous < key)) bad("lookup table order");
      previous = key;
      if (const auto own = key_of(table, e.id); own && (!fits(*own, strings) || str(*own) != key)) bad("lookup table key");
    }
  }
  for (std::size_t i = 0; i < files; ++i) {
    const auto f = record<FileRec>(kFiles, i);
    if (!fits(f.path, strings) || !fits(f.commits, lists) || !fits(f.authors, lists) || f.alive > 1) bad("file");
  }
  const std::size_t file_lists = count(kAuthorFiles, sizeof(FileList)), key_lists = count(kAuthorKeys, sizeof(KeyList));
  auto run = [](std::size_t begin, std::size_t size, std::size_t bound) { return size <= bound && begin <= bound - size; };
  for (std::size_t i = 0; i < authors; ++i) {
    const auto a = record<AuthorRec>(kAuthors, i);
    if (!fits(a.key, strings) || !fits(a.commits, lists) || !run(a.files_begin, a.files_count, file_lists) ||
        !run(a.folders_begin, a.folders_count, key_lists) || !run(a.subsystems_begin, a.subsystems_count, key_lists)) {
      bad("author record");
    }
  }
  for (std::size_t i = 0; i < file_lists; ++i) {
    const auto e = record<FileList>(kAuthorFiles, i);
    if (e.file >= files || !fits(e.list, lists)) bad("author file");
  }
  for (std::size_t i = 0; i < key_lists; ++i) {
    const auto e = record<KeyList>(kAuthorKeys, i);
    if (!fits(e.key, strings) || !fits(e.list, lists)) bad("author folder");
  }
}

// The same for the sections only an update reads.
void FlatIndex::check_rest() const {
  const std::size_t n = commits_.size(), files = count(kFiles, sizeof(FileRec));
  if (count(kSubjects, sizeof(StrRef)) != n || count(kFileExtra, sizeof(FileExtra)) != files) bad("extra sections");
  for (std::size_t i = 0; i < n; ++i) {
    if (!fits(record<StrRef>(kSubjects, i), section(kExtraStrings))) bad("subject");
  }
  for (std::size_t i = 0; i < files; ++i) {
    const auto x = record<FileExtra>(kFileExtra, i);
    if (!fits(x.blamed, section(kExtraLists)) || !fits(x.origin, section(kExtraLists))) bad("file lists");
  }
}

HistoryIndex FlatIndex::decode() const {
  if (!whole_) {
    throw Error(Error::Code::internal, "history index opened for a review cannot be decoded whole");
  }
  auto vec = [](std::span<const std::uint32_t> s) { return std::vector<std::uint32_t>(s.begin(), s.end()); };
  HistoryIndex ix;
  ix.shallow = shallow_;
  ix.commits.resize(commits_.size());
  for (std::size_t i = 0; i < commits_.size(); ++i) {
    CommitRecord& c = ix.commits[i];
    static_cast<CommitFacts&>(c) = commits_[i];
    c.sha = commit_sha(i);
    c.subject = std::string(str(record<StrRef>(kSubjects, i), kExtraStrings));
    ix.subject_ids[normalise_subject(c.subject)] = static_cast<std::uint32_t>(i);
  }
  ix.tip = ix.commits.empty() ? std::string() : ix.commits.back().sha;
  ix.files.resize(count(kFiles, sizeof(FileRec)));
  for (std::size_t i = 0; i < ix.files.size(); ++i) {
    const auto r = record<FileRec>(kFiles, i);
    const auto x = record<FileExtra>(kFileExtra, i);
    FileState& f = ix.files[i];
    f.path = std::string(str(r.path));
    f.commits = vec(commit_list(r.commits, "commit list of a file"));
    f.authors = vec(checked_list(r.authors, kLists, author_count(), false, "file author"));
    f.blamed = vec(commit_list(x.blamed, "blamed list of a file", kExtraLists));
    // A line's origin is a commit index + 1, 0 when unknown.
    f.origin = vec(checked_list(x.origin, kExtraLists, commits_.size() + 1, false, "line origin"));
    f.last_time = r.last_time;
    f.fixes = r.fixes;
    f.reverts = r.reverts;
    f.lines = r.lines;
    f.alive = r.alive != 0;
  }
  ix.authors.resize(author_count());
  for (std::size_t i = 0; i < ix.authors.size(); ++i) {
    const auto r = record<AuthorRec>(kAuthors, i);
    AuthorState& a = ix.authors[i];
    a.key = std::string(str(r.key));
    a.commits = vec(commit_list(r.commits, "commit list of an author"));
    for (std::size_t k = r.files_begin; k < std::size_t{r.files_begin} + r.files_count; ++k) {
      const auto e = record<FileList>(kAuthorFiles, k);
      a.files.emplace(e.file, vec(commit_list(e.list, "commit list of an author's file")));
    }
    for (std::size_t k = r.folders_begin; k < std::size_t{r.folders_begin} + r.folders_count; ++k) {
      const auto e = record<KeyList>(kAuthorKeys, k);
      a.folders.emplace(std::string(str(e.key)), vec(commit_list(e.list, "commit list of an author's folder")));
    }
    for (std::size_t k = r.subsystems_begin; k < std::size_t{r.subsystems_begin} + r.subsystems_count; ++k) {
      const auto e = record<KeyList>(kAuthorKeys, k);
      a.subsystems.emplace(std::string(str(e.key)), vec(commit_list(e.list, "commit list of an author's subsystem")));
    }
  }
  const std::pair<Section, std::unordered_map<std::string, std::uint32_t>*> maps[] = {
      {kCommitIds, &ix.commit_ids}, {kMerged, &ix.merged_ids}, {kLiveIds, &ix.file_ids},
      {kFormerIds, &ix.former_ids}, {kAuthorIds, &ix.author_ids}};
  for (const auto& [table, map] : maps) {
    const std::size_t m = count(table, sizeof(KeyId));
    map->reserve(m);
    for (std::size_t k = 0; k < m; ++k) {
      const auto e = record<KeyId>(table, k);
      map->emplace(std::string(str(e.key)), e.id);
    }
  }
  return ix;
}

}  // namespace reviewer::history
