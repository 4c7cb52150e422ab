// Transparent huge pages (2 MB) for the memory tcmalloc takes from the
// system, for `reviewer audit serve`.
//
// Why: the console builds its overview's summary (~100 MB of rows, maps
// and strings for 100,000 changes) when it starts, and in a fresh process
// every new 4 KB page is a page fault: ~31,000 of them, at 17–37 µs each
// in this VM, most of the first overview's time. With huge pages one
// fault maps 512 of those pages.
//
// How: the kernel gives huge pages to anonymous memory only in ranges
// marked with madvise(MADV_HUGEPAGE) when its mode is `madvise`
// (/sys/kernel/mm/transparent_hugepage/enabled; at `always` every range
// has them, at `never` none does). This reserves `bytes` of address space
// (not memory), marks it, and makes it tcmalloc's system allocator, the
// one it grows its heap from (gperftools' pluggable SysAllocator); past
// that range tcmalloc grows as before.
//
// Only in the `reviewer` executable (main.cpp: the one linked with
// tcmalloc), and only for `audit serve`, before its threads start.
#pragma once

#include <cstddef>
#include <string>

namespace reviewer {

// Empty when applied, else why not (the kernel's mode is `never`, the
// malloc is not tcmalloc, mmap or madvise failed).
std::string use_huge_pages_for_heap(std::size_t bytes = std::size_t{1} << 30);

}  // namespace reviewer
