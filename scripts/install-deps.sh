#!/usr/bin/env bash
# Installs every Debian package reviewer needs to build, test and benchmark.
# Idempotent: packages already present are skipped; safe to run as root or
# as a user with sudo.
#   scripts/install-deps.sh          build, run, unit tests, benchmarks
#   scripts/install-deps.sh --test   also the browser test's Chromium,
#                                    ChromeDriver and Selenium (about a
#                                    minute more), and Ninja (scripts/test.sh
#                                    uses it)
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config git ca-certificates
  libgit2-dev libcpprest-dev libboost-dev nlohmann-json3-dev libsqlite3-dev
  libfmt-dev doctest-dev libre2-dev libcli11-dev libyaml-cpp-dev
  libssl-dev libjwt-dev zlib1g-dev libgoogle-perftools-dev sqlite3
  time wrk curl bc jq
  libpq-dev postgresql
  libjs-chart.js
)
# The audit console's browser test (tests/browser): headless Chromium driven
# through WebDriver.
if [ "${1:-}" = "--test" ]; then
  PACKAGES+=(chromium chromium-driver python3-selenium)
  # scripts/test.sh builds with Ninja: both cores stay busy across libraries.
  PACKAGES+=(ninja-build)
elif [ -n "${1:-}" ]; then
  echo "install-deps: unknown option '$1' (only --test)" >&2
  exit 1
fi
# Node.js and npm serve test tooling only (the SARIF validator). Some images
# ship a newer nodejs whose npm conflicts with Debian's npm package: only ask
# apt for them when the commands are missing.
command -v node >/dev/null || PACKAGES+=(nodejs)
command -v npm >/dev/null || PACKAGES+=(npm)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
