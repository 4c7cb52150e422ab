#!/usr/bin/env bash
# Installs every dependency, builds the tests with warnings as errors, and
# runs them. This is the README's test command; .ci/run calls it.
#   scripts/test.sh          every test but those labelled slow
#   scripts/test.sh --slow   the slow ones too (tests/CMakeLists.txt)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh --test
# The browser test fails rather than skips here: its browser was installed.
export REVIEWER_TEST_REQUIRE_BROWSER=1
# Test tooling from npm, pinned by tests/tools/package-lock.json.
npm ci --prefix tests/tools --no-audit --no-fund --loglevel=error

# A new build folder is generated for Ninja: its compiles of every library
# and of the tests run side by side, where make's wait for each library
# before the next (about a minute of one idle core on two). A folder the
# README's first command made keeps its generator (CMake refuses another).
generator=()
[ ! -f build/CMakeCache.txt ] && command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DREVIEWER_BUILD_TESTS=ON -DREVIEWER_WARNINGS_AS_ERRORS=ON
cmake --build build -j"$(nproc)"
# One ctest test per test source file. Many wait on sockets, child
# processes and the SARIF validator rather than compute: run twice as many
# as there are cores.
labels=(-LE slow)
[ "${1:-}" = "--slow" ] && labels=()
# The PostgreSQL backends' tests need a server: a throw-away cluster,
# stopped when ctest ends (scripts/with-postgres.sh). Without fsync: the
# tests kill processes, never the machine, so a commit written to the page
# cache is as durable for them, and the cluster's thousands of commits no
# longer wait on the disk (the benchmarks keep fsync).
export REVIEWER_TEST_PG_OPTIONS="${REVIEWER_TEST_PG_OPTIONS--c fsync=off}"
scripts/with-postgres.sh ctest --test-dir build --output-on-failure -j"$(( $(nproc) * 2 ))" "${labels[@]}"
