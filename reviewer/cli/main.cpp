#include "reviewer/cli/cli.h"

#ifdef REVIEWER_TCMALLOC
#include <gperftools/malloc_extension.h>

#include "reviewer/cli/huge_page_heap.h"
#include "reviewer/core/memory_release.h"
#endif

int main(int argc, char** argv) {
#ifdef REVIEWER_TCMALLOC
  reviewer::set_heap_setup([] { return reviewer::use_huge_pages_for_heap(); });
  reviewer::set_memory_releaser([] { MallocExtension::instance()->ReleaseFreeMemory(); });
#endif
  return reviewer::run_cli(argc, argv);
}
