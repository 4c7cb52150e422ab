// The audit sample: N changes drawn from a population with a recorded seed,
// so that anyone can draw the same sample again.
//
// The draw: sort the population by (repository, by bytes; pr_number), seed
// std::mt19937_64 with the seed (its output is fixed by the C++ standard),
// and run a partial Fisher–Yates shuffle: for i = 0 … N-1, pick j in
// [i, size) with bounded(size - i) and swap positions i and j; the sample
// is positions 0 … N-1, in that order. bounded(m) takes 64-bit outputs,
// rejects those at or above the largest multiple of m below 2^64, and
// returns the first other one modulo m (no modulo bias; no
// std::uniform_int_distribution, whose output differs between standard
// libraries).
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "audit/console_queries.h"
#include "reviewer/console/params.h"

namespace reviewer::console {

// A number in [0, m) from `rng` (m > 0), as described above.
std::uint64_t bounded(std::mt19937_64& rng, std::uint64_t m);

// Positions drawn from [0, population): min(n, population) of them.
std::vector<std::size_t> draw(std::size_t population, std::size_t n, std::uint64_t seed);

// The largest sample the console draws (and packs).
inline constexpr std::int64_t kMaxSample = 500;

struct Sample {
  FilterForm form;       // the population's definition
  std::int64_t n = 0;    // asked for
  std::uint64_t seed = 0;
  std::vector<audit::ChangeKey> population;  // sorted as above
  std::vector<audit::ChangeKey> drawn;       // in draw order
};

// Reads the population of `form` and draws `n` with `seed`.
Sample draw_sample(audit::LogReader& log, const FilterForm& form, std::int64_t n, std::uint64_t seed);

// The sample's parameters, as the page and the pack take them.
Pairs sample_pairs(const Sample& s);

}  // namespace reviewer::console
