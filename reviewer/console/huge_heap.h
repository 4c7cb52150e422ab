// Transparent huge pages (2 MB) for the console process's malloc heap.
//
// Why: the overview's summary (live_overview.h) builds ~100 MB of rows,
// maps and strings when the console starts. In a fresh process each new
// 4 KB page is a page fault, and in this VM a fault costs 17–37 µs: the
// first build took ~46,000 of them (~0.65 s of CPU) where the same build
// in a process that had freed one before took ~8,700. With huge pages one
// fault maps 2 MB (512 of the small ones): touching 64 MB took ~610 ms in
// 4 KB pages and ~10–20 ms in huge pages here.
//
// How: the kernel gives huge pages to anonymous memory only in ranges the
// process marks with madvise(MADV_HUGEPAGE) when its mode is `madvise`
// (/sys/kernel/mm/transparent_hugepage/enabled; at `always` every range
// has them, at `never` none does). prefer_huge_page_heap() grows glibc's
// main heap by `bytes` of address space (not memory: a page is only
// backed when first touched), marks that range, and tells malloc to keep
// it (no trimming), to serve blocks up to 32 MB from it rather than mmap
// each, and to use that one arena for every thread. The blocks the
// summary and the requests allocate then come from huge pages. Memory
// the process frees is kept for its next use rather than returned to the
// system, as glibc already does below its trim threshold.
//
// It changes the policy of the whole process: `reviewer audit serve`
// calls it first, before any thread starts (as console_bench does, to
// measure what serve does); nothing else should.
#pragma once

#include <cstddef>
#include <string>

namespace reviewer::console {

struct HugeHeap {
  bool applied = false;
  std::size_t bytes = 0;  // of the heap marked for huge pages
  std::string why_not;    // when not applied: the reason
};

// Marks the next `bytes` (rounded to 2 MB) of the heap for huge pages.
// Not applied (nothing marked; the malloc options may still be set) when
// the kernel's mode is `never`, or glibc's main heap does not grow in one
// contiguous range here.
// `bytes` is address space, not memory: 512 MB holds the summary of a
// few hundred thousand changes with the build's transient maps.
HugeHeap prefer_huge_page_heap(std::size_t bytes = std::size_t{512} << 20);

}  // namespace reviewer::console
