#include "reviewer/git/index/index_format.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>
#include <vector>

namespace reviewer::index {

std::uint64_t symbol_hash(Space space, std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  h ^= static_cast<std::uint8_t>(space);
  h *= 0x100000001b3ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

Space space_of(OccKind kind) {
  switch (kind) {
    case OccKind::string: return Space::string;
    case OccKind::number: return Space::number;
    default: return Space::ident;
  }
}

std::string encode_block(const Analysis& a) {
  struct Item {
    std::uint64_t hash;
    std::uint32_t index;  // into occs or defs
    bool def;
  };
  std::vector<Item> items;
  items.reserve(a.occs.size() + a.defs.size());
  for (std::uint32_t i = 0; i < a.occs.size(); ++i) {
    items.push_back({symbol_hash(space_of(a.occs[i].kind), a.occs[i].text), i, false});
  }
  for (std::uint32_t i = 0; i < a.defs.size(); ++i) {
    items.push_back({symbol_hash(Space::ident, a.defs[i].name), i, true});
  }
  // Group by hash; within a symbol, occurrences then definitions, each in order.
  std::sort(items.begin(), items.end(), [](const Item& x, const Item& y) {
    if (x.hash != y.hash) return x.hash < y.hash;
    if (x.def != y.def) return !x.def;
    return x.index < y.index;
  });
  std::vector<Sym> syms;
  std::vector<Occ> occs;
  std::vector<Def> defs;
  occs.reserve(a.occs.size());
  defs.reserve(a.defs.size());
  for (const Item& it : items) {
    if (syms.empty() || syms.back().hash != it.hash) {
      syms.push_back(Sym{it.hash, static_cast<std::uint32_t>(occs.size()), 0,
                         static_cast<std::uint32_t>(defs.size()), 0});
    }
    Sym& s = syms.back();
    if (it.def) {
      const Definition& d = a.defs[it.index];
      defs.push_back(Def{d.line, d.min_arity, d.max_arity, static_cast<std::uint8_t>(d.kind),
                         static_cast<std::uint8_t>(d.has_self), 0});
      ++s.def_count;
    } else {
      const Occurrence& o = a.occs[it.index];
      if (s.occ_count > 0 && occs.back().line == o.line && occs.back().kind == static_cast<std::uint8_t>(o.kind) &&
          occs.back().argc == o.argc) {
        continue;  // the same symbol twice on one line adds nothing
      }
      occs.push_back(Occ{o.line, o.argc, static_cast<std::uint8_t>(o.kind), 0});
      ++s.occ_count;
    }
  }
  BlockHeader h{static_cast<std::uint32_t>(syms.size()), static_cast<std::uint32_t>(occs.size()),
                static_cast<std::uint32_t>(defs.size()), 0};
  size_t size = sizeof(h) + syms.size() * sizeof(Sym) + occs.size() * sizeof(Occ) + defs.size() * sizeof(Def);
  std::string out((size + 7) & ~size_t{7}, '\0');
  char* p = out.data();
  std::memcpy(p, &h, sizeof(h));
  p += sizeof(h);
  if (!syms.empty()) std::memcpy(p, syms.data(), syms.size() * sizeof(Sym));
  p += syms.size() * sizeof(Sym);
  if (!occs.empty()) std::memcpy(p, occs.data(), occs.size() * sizeof(Occ));
  p += occs.size() * sizeof(Occ);
  if (!defs.empty()) std::memcpy(p, defs.data(), defs.size() * sizeof(Def));
  return out;
}

}  // namespace reviewer::index
