// The history index file read in place (the layout is flat_format.h): what
// a review needs when its base is already indexed, without rebuilding the
// whole index. The commit records are decoded at open (training reads them
// all); files, authors and lookups are answered from the file's bytes by
// binary search over its sorted tables.
//
// Opening reads the sections a review uses (not the subjects, line origins
// and blamed lists only an update needs), verifies their checksums and the
// bounds of every record; a list (a file's commits, an author's changes) is
// checked each time it is returned (linear, and cheaper than a memo). A file that fails a check is refused
// at open (nullptr and a reason) or, for a list, makes the call throw
// reviewer::Error (invalid_input): never an out-of-bounds read.
#pragma once

#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "reviewer/git/history/flat_format.h"
#include "reviewer/git/history/history_index.h"
#include "reviewer/git/history/index_view.h"

namespace reviewer::history {

// What identifies one version of an index file: a save (a rename onto the
// path) changes it.
struct FileStamp {
  std::uintmax_t size = 0;
  std::int64_t mtime_ns = 0;
  std::uint64_t inode = 0;
  bool operator==(const FileStamp&) const = default;
};

// The version of `file` now; {} when there is none.
FileStamp stamp_of(const std::filesystem::path& file);

class FlatIndex final : public IndexView {
 public:
  // The index in `file`, or nullptr when there is none or it cannot be
  // used (`why` says so). With `whole`, every section is read and verified
  // (the form decode_index reads).
  static std::unique_ptr<FlatIndex> open(const std::filesystem::path& file, std::string* why = nullptr, bool whole = false);
  // The same from bytes in memory (tests).
  static std::unique_ptr<FlatIndex> from_bytes(std::string_view bytes, std::string* why = nullptr, bool whole = true);
  // The whole index (as `open` with `whole` reads it) from this one opened
  // for a review: only the sections it lacks are read from `file` and
  // checked. nullptr (and `why`) when `file` is no longer the version this
  // was read from (a save replaced it) or those sections fail a check.
  std::unique_ptr<FlatIndex> completed(const std::filesystem::path& file, std::string* why = nullptr) const;
  // The version of the file it was read from ({} from bytes).
  const FileStamp& stamp() const { return stamp_; }

  bool shallow() const override { return shallow_; }
  std::size_t commit_count() const override { return commits_.size(); }
  const CommitFacts& commit(std::size_t i) const override { return commits_[i]; }
  std::string commit_sha(std::size_t i) const override;
  std::optional<std::uint32_t> commit_id(std::string_view sha) const override;
  bool merged(std::string_view sha) const override;
  std::optional<FileFacts> file_as_of(std::string_view path, std::size_t as_of) const override;
  std::size_t author_count() const override { return count(flat::kAuthors, sizeof(flat::AuthorRec)); }
  std::optional<std::uint32_t> author_id(std::string_view key) const override;
  std::span<const std::uint32_t> author_commits(std::uint32_t author) const override;
  std::span<const std::uint32_t> author_file_commits(std::uint32_t author, std::uint32_t file) const override;
  std::span<const std::uint32_t> author_subsystem_commits(std::uint32_t author, std::string_view subsystem) const override;

  // The whole index in memory (needs `whole`); throws reviewer::Error
  // (invalid_input) when a list is out of range or out of order (the
  // records and ids were checked at open).
  HistoryIndex decode() const;

 private:
  FlatIndex() = default;
  // Reads `n` bytes at `at` of the `size` bytes the index is read from (a
  // file, or bytes in memory); false when they cannot be read.
  using ReadAt = std::function<bool(char* out, std::size_t n, std::uint64_t at)>;
  // What open and from_bytes share: the header checked, then the sections.
  static std::unique_ptr<FlatIndex> load(std::uint64_t size, const ReadAt& read_bytes, std::string* why, bool whole);
  std::uint64_t check_header(std::uint64_t file_size, bool whole, std::string* why) const;
  // Sections [first, last) match their checksums.
  bool verify(std::uint32_t first, std::uint32_t last, std::string* why) const;
  bool parse(std::string* why, bool whole);
  // The sections only an update reads (after parse read the others).
  bool parse_rest(std::string* why);
  void check_records();
  void check_rest() const;
  // The accessors below take references check_records has checked.
  std::string_view section(flat::Section s) const {
    const auto& e = header_.table[s];
    if (e.offset + e.size > size_) return {};  // an update's section, not read
    return {bytes_.get() + e.offset, static_cast<std::size_t>(e.size)};
  }
  std::size_t count(flat::Section s, std::size_t record) const { return section(s).size() / record; }
  template <class T>
  T record(flat::Section s, std::size_t i) const {
    T r;
    std::memcpy(&r, section(s).data() + i * sizeof(T), sizeof(T));
    return r;
  }
  std::string_view str(flat::StrRef r, flat::Section pool = flat::kStrings) const {
    return section(pool).substr(r.offset, r.size);
  }
  // In place: the pools start at a multiple of 8 in a buffer from new[].
  std::span<const std::uint32_t> list(flat::ListRef r, flat::Section pool = flat::kLists) const {
    return {reinterpret_cast<const std::uint32_t*>(section(pool).data()) + r.offset, r.count};
  }
  // A list checked as it is read: every entry below `bound`, ascending
  // when `ascending` (else throws, saying `what` is bad).
  std::span<const std::uint32_t> checked_list(flat::ListRef r, flat::Section pool, std::size_t bound, bool ascending,
                                              const char* what) const;
  // A list of commit ids, checked ascending and in range (else throws).
  std::span<const std::uint32_t> commit_list(flat::ListRef r, const char* what = "commit list",
                                             flat::Section pool = flat::kLists) const {
    return checked_list(r, pool, commits_.size(), true, what);
  }
  std::optional<std::uint32_t> find(flat::Section table, std::string_view key) const;

  std::unique_ptr<char[]> bytes_;
  std::size_t size_ = 0;  // bytes read
  flat::Header header_{};
  FileStamp stamp_;
  bool shallow_ = false;
  bool whole_ = false;
  std::vector<CommitFacts> commits_;
};

// What this process has read of index files and checksummed, in bytes
// (tests: a review reads and checks each byte once).
struct ReadCounts {
  std::uint64_t read = 0, checked = 0;
};
ReadCounts read_counts();

// load_index for an update after a review read the file in place: reads
// only what `opened` lacks, or the whole file anew when a save replaced it
// since.
HistoryIndex load_index(const FlatIndex& opened, const std::filesystem::path& file, std::string* why = nullptr);

// The index as the bytes of a version-7 file.
std::string encode_index(const HistoryIndex& index);

}  // namespace reviewer::history
