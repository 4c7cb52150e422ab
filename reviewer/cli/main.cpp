#include "reviewer/cli/cli.h"

#ifdef REVIEWER_TCMALLOC
#include <gperftools/malloc_extension.h>

#include "reviewer/cli/huge_page_heap.h"
#include "reviewer/core/memory_release.h"
#endif

int main(int argc, char** argv) {
#ifdef REVIEWER_TCMALLOC
  reviewer::set_heap_setup([](std::string_view command) {
    return reviewer::use_huge_pages_for_heap(std::size_t{1} << 30, command == "audit" ? 0 : std::size_t{64} << 20);
  });
  reviewer::set_memory_releaser([] { MallocExtension::instance()->ReleaseFreeMemory(); });
#endif
  return reviewer::run_cli(argc, argv);
}
