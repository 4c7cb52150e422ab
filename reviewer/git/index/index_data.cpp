#include "reviewer/git/index/index_data.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "reviewer/core/error.h"

namespace reviewer::index {

RepoIndex::Data::~Data() {
  if (map) ::munmap(map, map_size);
  if (fd >= 0) ::close(fd);
}

bool RepoIndex::Data::read(std::uint64_t at, void* out, std::size_t n) const {
  if (at > size || n > size - at) return false;
  if (n == 0) return true;
  if (bytes) {
    std::memcpy(out, bytes + at, n);
    return true;
  }
  auto* p = static_cast<char*>(out);
  while (n > 0) {
    const ssize_t got = ::pread(fd, p, n, static_cast<off_t>(at));
    if (got < 0 && errno == EINTR) continue;
    // In range when opened, so the file changed or failed under the reader:
    // an error, never "no such symbol", which could clear a change whose
    // removed names are still used.
    if (got <= 0) {
      throw Error(Error::Code::io, got < 0 ? fmt::format("symbol index: read failed: {}", std::strerror(errno))
                                           : std::string("symbol index: the file shrank while it was read"));
    }
    p += got;
    at += static_cast<std::uint64_t>(got);
    n -= static_cast<std::size_t>(got);
  }
  return true;
}

void RepoIndex::Data::need(std::uint64_t at, void* out, std::size_t n) const {
  if (!read(at, out, n)) damaged("a read past its end");
}

void RepoIndex::Data::damaged(const char* what) {
  throw Error(Error::Code::io, fmt::format("symbol index: the cached file is damaged ({}); delete the "
                                           "repository's reviewer-index folder to rebuild it",
                                           what));
}

bool RepoIndex::Data::validate() {
  if (size < sizeof(Header) || !read(0, &header, sizeof header)) return false;
  const Header& h = header;
  if (std::memcmp(h.magic, kMagic, sizeof(kMagic)) != 0 || h.version != kFormatVersion || h.total_size != size) {
    return false;
  }
  const std::size_t entries_end = sizeof(Header) + std::size_t{h.nfiles} * sizeof(FileEntry);
  if (h.nfiles > (size / sizeof(FileEntry)) || entries_end > size || h.paths_off != entries_end ||
      h.data_off < h.paths_off || h.data_off > size || h.data_off % 8 != 0 || h.bucket_bits > 30 ||
      h.buckets_off < h.data_off || h.buckets_off > size ||
      ((std::size_t{1} << h.bucket_bits) + 1) * 4 > size - h.buckets_off ||
      h.postings_off != h.buckets_off + ((std::size_t{1} << h.bucket_bits) + 1) * 4 ||
      h.postings_off + std::size_t{h.npostings} * 4 != size) {
    return false;
  }
  entries.resize(h.nfiles);
  paths.resize(h.data_off - h.paths_off);
  if (!read(sizeof(Header), entries.data(), entries.size() * sizeof(FileEntry)) ||
      !read(h.paths_off, paths.data(), paths.size())) {
    return false;
  }
  const std::size_t data_len = h.buckets_off - h.data_off;
  for (const FileEntry& e : entries) {
    if (std::size_t{e.path_off} + e.path_len > paths.size() || e.data_off > data_len ||
        e.data_len > data_len - e.data_off || e.data_off % 8 != 0 || e.lang > static_cast<int>(Lang::data) ||
        e.status > static_cast<int>(FileStatus::unsupported) ||
        (static_cast<FileStatus>(e.status) == FileStatus::indexed && e.data_len < sizeof(BlockHeader))) {
      return false;
    }
  }
  tree.assign(h.tree, 40);
  return true;
}

bool RepoIndex::Data::find_sym(std::uint32_t i, std::uint64_t hash, Sym* out, BlockHeader* block) const {
  if (static_cast<FileStatus>(entries[i].status) != FileStatus::indexed) return false;
  BlockHeader& bh = *block;
  need(block_at(i), &bh, sizeof bh);
  const std::size_t len = sizeof(BlockHeader) + std::size_t{bh.nsym} * sizeof(Sym) +
                          std::size_t{bh.nocc} * sizeof(Occ) + std::size_t{bh.ndef} * sizeof(Def);
  if (len > entries[i].data_len) damaged("a block's counts");
  const std::uint64_t syms = block_at(i) + sizeof(BlockHeader);
  // Halve the range by single reads, then read what is left in one.
  std::uint32_t lo = 0, hi = bh.nsym;
  while (hi - lo > 64) {
    const std::uint32_t mid = lo + (hi - lo) / 2;
    std::uint64_t v;
    need(syms + std::uint64_t{mid} * sizeof(Sym), &v, sizeof v);
    if (v < hash) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  // The first symbol not below `hash` is in [lo, hi], and hi may be nsym.
  const std::uint32_t n = (hi < bh.nsym ? hi + 1 : hi) - lo;
  Sym rest[65];
  need(syms + std::uint64_t{lo} * sizeof(Sym), rest, std::size_t{n} * sizeof(Sym));
  for (std::uint32_t k = 0; k < n; ++k) {
    if (rest[k].hash < hash) continue;
    *out = rest[k];
    if (out->hash != hash) return false;
    if (std::size_t{out->occ_first} + out->occ_count > bh.nocc ||
        std::size_t{out->def_first} + out->def_count > bh.ndef) {
      damaged("a symbol's ranges");
    }
    return true;
  }
  return false;
}

std::vector<Occ> RepoIndex::Data::occs(std::uint32_t i, const BlockHeader& bh, const Sym& s) const {
  std::vector<Occ> out(s.occ_count);
  const std::uint64_t at = block_at(i) + sizeof(BlockHeader) + std::uint64_t{bh.nsym} * sizeof(Sym) +
                           std::uint64_t{s.occ_first} * sizeof(Occ);
  need(at, out.data(), out.size() * sizeof(Occ));
  return out;
}

std::vector<Def> RepoIndex::Data::defs(std::uint32_t i, const BlockHeader& bh, const Sym& s) const {
  std::vector<Def> out(s.def_count);
  const std::uint64_t at = block_at(i) + sizeof(BlockHeader) + std::uint64_t{bh.nsym} * sizeof(Sym) +
                           std::uint64_t{bh.nocc} * sizeof(Occ) + std::uint64_t{s.def_first} * sizeof(Def);
  need(at, out.data(), out.size() * sizeof(Def));
  return out;
}

std::string_view RepoIndex::Data::block(std::uint32_t i) const {
  return bytes ? std::string_view(bytes + block_at(i), entries[i].data_len) : std::string_view();
}

std::shared_ptr<RepoIndex::Data> open_index_file(const std::filesystem::path& p, bool mapped) {
  const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  auto d = std::make_shared<RepoIndex::Data>();
  d->fd = fd;  // closed with d
  struct stat st;
  if (::fstat(fd, &st) != 0 || st.st_size < static_cast<off_t>(sizeof(Header))) return nullptr;
  d->size = static_cast<std::size_t>(st.st_size);
  if (mapped) {
    void* m = ::mmap(nullptr, d->size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) return nullptr;
    d->map = m;
    d->map_size = d->size;
    d->bytes = static_cast<const char*>(m);
  }
  if (!d->validate()) return nullptr;
  return d;
}

}  // namespace reviewer::index
