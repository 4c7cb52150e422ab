#include "reviewer/git/index/repo_index.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "reviewer/core/private_files.h"
#include "reviewer/git/handles.h"
#include "reviewer/git/index/index_builder.h"
#include "reviewer/git/index/index_data.h"

namespace reviewer::index {

namespace fs = std::filesystem;

namespace {

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
    if (auto d = open_index_file(p, /*mapped=*/true)) return d;
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
  if (auto d = open_index_file(target, /*mapped=*/false);
      d && d->tree == tree_id && d->header.settings == settings_hash(options)) {
    st.from_cache = true;
    st.files = d->header.nfiles;
    for (std::uint32_t i = 0; i < d->header.nfiles; ++i) {
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
    for (std::uint32_t i = 0; i < base->header.nfiles; ++i) {
      const FileEntry& e = base->entries[i];
      std::string key(reinterpret_cast<const char*>(e.blob), 20);
      lookup.emplace(std::move(key), BaseBlock{static_cast<Lang>(e.lang), static_cast<FileStatus>(e.status), base->block(i)});
    }
  }
  // Stream straight into a temporary file, renamed into place when whole
  // (a reader never sees a half-written index), then open it.
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
      } else if (auto d = open_index_file(target, /*mapped=*/false); d && d->tree == tree_id) {
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
std::uint32_t RepoIndex::file_count() const { return data_->header.nfiles; }
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
    BlockHeader b;
    if (!data_->find_sym(f, h, &s, &b)) return true;
    for (const Occ& o : data_->occs(f, b, s)) {
      if (out.size() >= limit) break;
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
    BlockHeader b;
    if (!data_->find_sym(f, h, &s, &b)) return true;
    for (const Occ& o : data_->occs(f, b, s)) {
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
    BlockHeader b;
    if (!data_->find_sym(f, h, &s, &b)) return true;
    for (const Def& d : data_->defs(f, b, s)) {
      out.push_back(DefHit{f, d.line, static_cast<DefKind>(d.kind), d.min_arity, d.max_arity, d.has_self != 0});
    }
    return true;
  });
  return out;
}

}  // namespace reviewer::index
