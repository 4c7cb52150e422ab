// Giving freed memory back to the system. tcmalloc keeps freed pages for
// reuse, so after an unsigned client made the listener hold request bodies
// of megabytes, the process would keep that memory (and, as sizes vary,
// grow by fragments of it). The executable linked with tcmalloc installs
// the call (main.cpp); elsewhere release_free_memory() does nothing.
#pragma once

namespace reviewer {

void set_memory_releaser(void (*release)());
void release_free_memory();

}  // namespace reviewer
