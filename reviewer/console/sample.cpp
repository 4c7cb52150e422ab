#include "reviewer/console/sample.h"

#include <numeric>

namespace reviewer::console {

std::uint64_t bounded(std::mt19937_64& rng, std::uint64_t m) {
  // 2^64 mod m, computed without 128-bit arithmetic.
  const std::uint64_t excess = (0 - m) % m;
  const std::uint64_t limit = 0 - excess;  // 2^64 - excess; 0 when m divides 2^64
  for (;;) {
    const std::uint64_t x = rng();
    if (excess == 0 || x < limit) return x % m;
  }
}

std::vector<std::size_t> draw(std::size_t population, std::size_t n, std::uint64_t seed) {
  std::vector<std::size_t> order(population);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::mt19937_64 rng(seed);
  const std::size_t k = std::min(n, population);
  for (std::size_t i = 0; i < k; ++i) {
    const std::size_t j = i + static_cast<std::size_t>(bounded(rng, population - i));
    std::swap(order[i], order[j]);
  }
  order.resize(k);
  return order;
}

Sample draw_sample(audit::LogReader& log, const FilterForm& form, std::int64_t n, std::uint64_t seed) {
  Sample s{form, n, seed, audit::sample_population(log, form.filter()), {}};
  for (std::size_t i : draw(s.population.size(), static_cast<std::size_t>(n), seed)) s.drawn.push_back(s.population[i]);
  return s;
}

Pairs sample_pairs(const Sample& s) {
  Pairs p = s.form.pairs();
  p.emplace_back("n", std::to_string(s.n));
  p.emplace_back("seed", std::to_string(s.seed));
  return p;
}

}  // namespace reviewer::console
