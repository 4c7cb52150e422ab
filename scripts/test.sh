#!/usr/bin/env bash
# Installs every dependency, builds with warnings as errors, and runs every
# test. This is the README's test command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
# Test tooling from npm, pinned by tests/tools/package-lock.json.
npm ci --prefix tests/tools --no-audit --no-fund --loglevel=error

# The same -O2 as the default RelWithDebInfo build, without debug info: a
# quarter less compile time and far smaller objects to link (CI has 2 cores).
cmake -S . -B build -DREVIEWER_WARNINGS_AS_ERRORS=ON -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG"
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)"
