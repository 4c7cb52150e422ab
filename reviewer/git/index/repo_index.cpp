#include "reviewer/git/index/repo_index.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "reviewer/core/private_files.h"
#include "reviewer/git/handles.h"
#include "reviewer/git/index/index_builder.h"

namespace reviewer::index {

namespace fs = std::filesystem;

// The bytes of one index, and views into them. Either owns a buffer (just
// built) or a read-only mapping of a cache file.
struct RepoIndex::Data {
  std::string buffer;
  void* map = nullptr;
  size_t map_size = 0;
  const char* bytes = nullptr;
  size_t size = 0;
  const Header* header = nullptr;
  const FileEntry* entries = nullptr;
  std::string tree;

  Data() = default;
  Data(const Data&) = delete;
  Data& operator=(const Data&) = delete;
  ~Data() {
    if (map) ::munmap(map, map_size);
  }

  // Checks the header and the file table once. Blocks and buckets are
  // checked when read: touching them all here would fault in every page of
  // a large index on each warm open.
  bool validate() {
    if (size < sizeof(Header)) return false;
    header = reinterpret_cast<const Header*>(bytes);
    if (std::memcmp(header->magic, kMagic, sizeof(kMagic)) != 0 || header->version != kFormatVersion ||
        header->total_size != size) {
      return false;
    }
    size_t entries_end = sizeof(Header) + size_t{header->nfiles} * sizeof(FileEntry);
    if (header->nfiles > (size / sizeof(FileEntry)) || entries_end > size ||
        header->paths_off != entries_end || header->data_off < header->paths_off ||
        header->data_off > size || header->data_off % 8 != 0 || header->bucket_bits > 30 ||
        header->buckets_off < header->data_off || header->buckets_off > size ||
        ((size_t{1} << header->bucket_bits) + 1) * 4 > size - header->buckets_off ||
        header->postings_off != header->buckets_off + ((size_t{1} << header->bucket_bits) + 1) * 4 ||
        header->postings_off + size_t{header->npostings} * 4 != size) {
      return false;
    }
    entries = reinterpret_cast<const FileEntry*>(bytes + sizeof(Header));
    size_t paths_len = header->data_off - header->paths_off, data_len = header->buckets_off - header->data_off;
    for (std::uint32_t i = 0; i < header->nfiles; ++i) {
      const FileEntry& e = entries[i];
      if (size_t{e.path_off} + e.path_len > paths_len || e.data_off > data_len ||
          e.data_len > data_len - e.data_off || e.data_off % 8 != 0 || e.lang > static_cast<int>(Lang::data) ||
          e.status > static_cast<int>(FileStatus::unsupported) ||
          (static_cast<FileStatus>(e.status) == FileStatus::indexed && e.data_len < sizeof(BlockHeader))) {
        return false;
      }
    }
    tree.assign(header->tree, 40);
    return true;
  }

  // The files that may hold a symbol of this hash, ascending (calls fn(file)).
  template <class Fn>
  void candidates(std::uint64_t hash, Fn fn) const {
    std::uint32_t b = bucket_of(hash, header->bucket_bits);
    const char* starts = bytes + header->buckets_off;
    std::uint32_t lo, hi;
    std::memcpy(&lo, starts + size_t{b} * 4, 4);
    std::memcpy(&hi, starts + size_t{b + 1} * 4, 4);
    if (lo > hi || hi > header->npostings) return;
    std::uint32_t last = UINT32_MAX;
    for (std::uint32_t k = lo; k < hi; ++k) {
      std::uint32_t f;
      std::memcpy(&f, bytes + header->postings_off + size_t{k} * 4, 4);
      if (f >= header->nfiles || f == last) continue;
      last = f;
      if (!fn(f)) return;
    }
  }

  const char* block(std::uint32_t i) const { return bytes + header->data_off + entries[i].data_off; }
  std::string_view path(std::uint32_t i) const {
    return {bytes + header->paths_off + entries[i].path_off, entries[i].path_len};
  }

  // Finds the symbol's entry in file i (false when absent or out of range).
  bool find_sym(std::uint32_t i, std::uint64_t hash, Sym* out) const {
    if (static_cast<FileStatus>(entries[i].status) != FileStatus::indexed) return false;
    const char* b = block(i);
    BlockHeader h;
    std::memcpy(&h, b, sizeof(h));
    size_t need = sizeof(BlockHeader) + size_t{h.nsym} * sizeof(Sym) + size_t{h.nocc} * sizeof(Occ) +
                  size_t{h.ndef} * sizeof(Def);
    if (need > entries[i].data_len) return false;
    const char* syms = b + sizeof(BlockHeader);
    std::uint32_t lo = 0, hi = h.nsym;
    while (lo < hi) {
      std::uint32_t mid = lo + (hi - lo) / 2;
      std::uint64_t v;
      std::memcpy(&v, syms + size_t{mid} * sizeof(Sym), sizeof(v));
      if (v < hash) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    if (lo == h.nsym) return false;
    std::memcpy(out, syms + size_t{lo} * sizeof(Sym), sizeof(Sym));
    return out->hash == hash && size_t{out->occ_first} + out->occ_count <= h.nocc &&
           size_t{out->def_first} + out->def_count <= h.ndef;
  }
  const char* occs(std::uint32_t i) const {
    BlockHeader h;
    std::memcpy(&h, block(i), sizeof(h));
    return block(i) + sizeof(BlockHeader) + size_t{h.nsym} * sizeof(Sym);
  }
  const char* defs(std::uint32_t i) const {
    BlockHeader h;
    std::memcpy(&h, block(i), sizeof(h));
    return occs(i) + size_t{h.nocc} * sizeof(Occ);
  }
};

namespace {

std::shared_ptr<RepoIndex::Data> map_file(const fs::path& p) {
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  struct stat st;
  if (::fstat(fd, &st) != 0 || st.st_size < static_cast<off_t>(sizeof(Header))) {
    ::close(fd);
    return nullptr;
  }
  void* m = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (m == MAP_FAILED) return nullptr;
  auto d = std::make_shared<RepoIndex::Data>();
  d->map = m;
  d->map_size = static_cast<size_t>(st.st_size);
  d->bytes = static_cast<const char*>(m);
  d->size = d->map_size;
  if (!d->validate()) return nullptr;
  return d;
}

std::string oid_hex(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof(buf), &oid);
  return buf;
}

fs::path default_cache_dir(git_repository* repo) {
  return fs::path(git_repository_path(repo)) / "reviewer-index";
}

// The newest other index in the folder: the base of an incremental build.
std::shared_ptr<RepoIndex::Data> newest_previous(const fs::path& dir, std::string_view tree) {
  std::error_code ec;
  std::vector<std::pair<fs::file_time_type, fs::path>> found;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() != ".idx" || e.path().stem() == tree) continue;
    found.emplace_back(e.last_write_time(ec), e.path());
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [t, p] : found) {
    if (auto d = map_file(p)) return d;
  }
  return nullptr;
}

void prune(const fs::path& dir, int keep) {
  std::error_code ec;
  std::vector<std::pair<fs::file_time_type, fs::path>> found;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".idx") found.emplace_back(e.last_write_time(ec), e.path());
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t i = static_cast<size_t>(std::max(keep, 1)); i < found.size(); ++i) fs::remove(found[i].second, ec);
}

}  // namespace

fs::path cache_file(const fs::path& cache_dir, std::string_view tree) {
  return cache_dir / (std::string(tree) + ".idx");
}

RepoIndex RepoIndex::open(git_repository* repo, std::string_view rev, const IndexOptions& options,
                          IndexStats* stats) {
  IndexStats local;
  IndexStats& st = stats ? *stats : local;
  st = IndexStats{};
  git_object* obj = nullptr;
  std::string spec(rev);
  git::check(git_revparse_single(&obj, repo, spec.c_str()), fmt::format("resolve '{}'", spec).c_str());
  git::ObjectPtr owned(obj);
  git_object* tree_obj = nullptr;
  git::check(git_object_peel(&tree_obj, owned.get(), GIT_OBJECT_TREE),
             fmt::format("find the tree of '{}'", spec).c_str());
  git::TreePtr tree(reinterpret_cast<git_tree*>(tree_obj));
  std::string tree_id = oid_hex(*git_tree_id(tree.get()));

  fs::path dir = options.cache_dir.empty() ? default_cache_dir(repo) : options.cache_dir;
  fs::path target = cache_file(dir, tree_id);
  if (auto d = map_file(target); d && d->tree == tree_id && d->header->settings == settings_hash(options)) {
    st.from_cache = true;
    st.files = d->header->nfiles;
    for (std::uint32_t i = 0; i < d->header->nfiles; ++i) {
      st.indexed += static_cast<FileStatus>(d->entries[i].status) == FileStatus::indexed;
    }
    return RepoIndex(std::move(d));
  }

  std::shared_ptr<Data> base;
  std::error_code ec;
  if (fs::is_directory(dir, ec)) base = newest_previous(dir, tree_id);
  if (base) st.base_tree = base->tree;

  BaseLookup lookup;
  if (base) {
    for (std::uint32_t i = 0; i < base->header->nfiles; ++i) {
      const FileEntry& e = base->entries[i];
      std::string key(reinterpret_cast<const char*>(e.blob), 20);
      lookup.emplace(std::move(key), BaseBlock{static_cast<Lang>(e.lang), static_cast<FileStatus>(e.status),
                                               std::string_view(base->block(i), e.data_len)});
    }
  }
  // Stream straight into a temporary file, renamed into place when whole
  // (a reader never sees a half-written index), then map it.
  if (options.write_cache) {
    fs::path tmp = target;
    tmp += fmt::format(".tmp{}", ::getpid());
    // The index holds the repository's names and literals: private, like
    // the mirror it is built from. A cache that cannot be written is only slower.
    bool private_ok = true;
    try {
      create_private_directories(dir);
      create_private_file(tmp);
    } catch (const Error&) {
      private_ok = false;
    }
    std::ofstream out;
    if (private_ok) out.open(tmp, std::ios::binary | std::ios::trunc);
    if (out) {
      IndexStats attempt = st;
      build_index(repo, tree.get(), tree_id, options, lookup, attempt,
                  [&out](std::string_view b) { out.write(b.data(), static_cast<std::streamsize>(b.size())); });
      out.close();
      if (out) fs::rename(tmp, target, ec);
      if (!out || ec) {
        fs::remove(tmp, ec);
      } else if (auto d = map_file(target); d && d->tree == tree_id) {
        st = attempt;
        prune(dir, options.keep);
        return RepoIndex(std::move(d));
      }
    } else if (private_ok) {
      fs::remove(tmp, ec);
    }
  }
  // No cache (or it could not be written): build in memory.
  auto d = std::make_shared<Data>();
  build_index(repo, tree.get(), tree_id, options, lookup, st, [&d](std::string_view b) { d->buffer.append(b); });
  d->bytes = d->buffer.data();
  d->size = d->buffer.size();
  if (!d->validate()) throw Error(Error::Code::internal, "the index just built does not validate");
  return RepoIndex(std::move(d));
}

const std::string& RepoIndex::tree_id() const { return data_->tree; }
std::uint32_t RepoIndex::file_count() const { return data_->header->nfiles; }
std::string_view RepoIndex::path(std::uint32_t f) const { return data_->path(f); }
Lang RepoIndex::lang(std::uint32_t f) const { return static_cast<Lang>(data_->entries[f].lang); }
FileStatus RepoIndex::status(std::uint32_t f) const {
  return static_cast<FileStatus>(data_->entries[f].status);
}

long RepoIndex::find_file(std::string_view p) const {
  std::uint32_t lo = 0, hi = file_count();
  while (lo < hi) {
    std::uint32_t mid = lo + (hi - lo) / 2;
    if (path(mid) < p) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return (lo < file_count() && path(lo) == p) ? static_cast<long>(lo) : -1;
}

std::vector<Hit> RepoIndex::occurrences(Space space, std::string_view text, std::size_t limit) const {
  std::vector<Hit> out;
  std::uint64_t h = symbol_hash(space, text);
  data_->candidates(h, [&](std::uint32_t f) {
    Sym s;
    if (!data_->find_sym(f, h, &s)) return true;
    const char* occs = data_->occs(f);
    for (std::uint32_t k = 0; k < s.occ_count && out.size() < limit; ++k) {
      Occ o;
      std::memcpy(&o, occs + size_t{s.occ_first + k} * sizeof(Occ), sizeof(o));
      out.push_back(Hit{f, o.line, static_cast<OccKind>(o.kind), o.argc});
    }
    return out.size() < limit;
  });
  return out;
}

void RepoIndex::visit(Space space, std::string_view text, const std::function<bool(const Hit&)>& fn) const {
  std::uint64_t h = symbol_hash(space, text);
  data_->candidates(h, [&](std::uint32_t f) {
    Sym s;
    if (!data_->find_sym(f, h, &s)) return true;
    const char* occs = data_->occs(f);
    for (std::uint32_t k = 0; k < s.occ_count; ++k) {
      Occ o;
      std::memcpy(&o, occs + size_t{s.occ_first + k} * sizeof(Occ), sizeof(o));
      if (!fn(Hit{f, o.line, static_cast<OccKind>(o.kind), o.argc})) return false;
    }
    return true;
  });
}

std::vector<DefHit> RepoIndex::definitions(std::string_view name) const {
  std::vector<DefHit> out;
  std::uint64_t h = symbol_hash(Space::ident, name);
  data_->candidates(h, [&](std::uint32_t f) {
    Sym s;
    if (!data_->find_sym(f, h, &s)) return true;
    const char* defs = data_->defs(f);
    for (std::uint32_t k = 0; k < s.def_count; ++k) {
      Def d;
      std::memcpy(&d, defs + size_t{s.def_first + k} * sizeof(Def), sizeof(d));
      out.push_back(DefHit{f, d.line, static_cast<DefKind>(d.kind), d.min_arity, d.max_arity, d.has_self != 0});
    }
    return true;
  });
  return out;
}

}  // namespace reviewer::index
