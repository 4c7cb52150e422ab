// What a benchmark process used: CPU time and peak memory (getrusage).
#pragma once

#include <sys/resource.h>

namespace reviewer::bench {

// CPU time of this process (user + system): on a loaded machine wall time
// mostly measures the other processes.
inline double cpu_ms() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

inline long peak_rss_mb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024;
}

}  // namespace reviewer::bench
