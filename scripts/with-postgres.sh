#!/usr/bin/env bash
# Runs a command beside a throw-away PostgreSQL 15 cluster:
#   scripts/with-postgres.sh COMMAND [ARGS...]
# The cluster is initdb'd into a fresh temporary folder, runs as an
# unprivileged user (`postgres` when this script runs as root: PostgreSQL
# refuses to run as root), listens on a Unix socket in that folder only
# (no TCP port), and is stopped and deleted when COMMAND ends, whatever its
# exit status. COMMAND sees
#   REVIEWER_TEST_DATABASE_URL  postgresql://…/reviewer_test (a superuser
#                               connection; tests make one database each)
#   REVIEWER_TEST_REQUIRE_POSTGRES=1   tests that need the URL fail without it
#   REVIEWER_TEST_PG_BINDIR     PostgreSQL's bin folder (initdb, pg_ctl), and
#   REVIEWER_TEST_PG_USER       the user to run them as (set when root): tests
#                               that stop a server start a cluster of their own
#   REVIEWER_TEST_PGDATA        this cluster's data folder (never stop it from
#                               a test: other tests of the run use it)
# REVIEWER_TEST_PG_OPTIONS, when set, adds server settings to the start
# (e.g. "-c backend_flush_after=256kB": bench/postgres.sh sets what a busy queue's
# server would have).
# and this script exits with COMMAND's status.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }

bindir=""
for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
  [ -x "$d/initdb" ] && { bindir="$d"; break; }
done
[ -n "$bindir" ] || { echo "with-postgres: no initdb (install the postgresql package: scripts/install-deps.sh)" >&2; exit 1; }

run_as=()
owner="$(id -un)"
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || { echo "with-postgres: running as root, but there is no user 'postgres' to run the server" >&2; exit 1; }
  run_as=(runuser -u postgres --)
  owner=postgres
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/reviewer-pg.XXXXXX")"
chmod 0755 "$dir"  # the server's user must reach its data and socket folders
mkdir "$dir/data" "$dir/socket"
[ "$owner" = postgres ] && chown postgres: "$dir/data" "$dir/socket"

stop() {
  status=$?
  if [ -f "$dir/data/postmaster.pid" ]; then
    "${run_as[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  exit "$status"
}
trap stop EXIT
trap 'exit 130' INT TERM

"${run_as[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
  >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
# fsync stays on: the benchmarks should measure what a user gets.
# scripts/test.sh turns it off (REVIEWER_TEST_PG_OPTIONS): the tests check
# durability against SIGKILL, not power loss.
# The postmaster may outlive this script (killed, or a test restarting the
# cluster): it gets no descriptor above 2 from us, or a lock held around
# this script (`flock FILE scripts/with-postgres.sh ...`) would stay held.
(
  for fd in /proc/self/fd/*; do n=${fd##*/}; [ "$n" -gt 2 ] 2>/dev/null && eval "exec $n>&-" 2>/dev/null; done
  exec "${run_as[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/socket/server.log" -w -t 30 \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir/socket' -c max_connections=300 ${REVIEWER_TEST_PG_OPTIONS:-}" start
) >/dev/null || { cat "$dir/socket/server.log" >&2; exit 1; }
"$bindir/createdb" -h "$dir/socket" -U postgres reviewer_test

export REVIEWER_TEST_DATABASE_URL="postgresql://postgres@/reviewer_test?host=$dir/socket"
export REVIEWER_TEST_REQUIRE_POSTGRES=1
export REVIEWER_TEST_PG_BINDIR="$bindir" REVIEWER_TEST_PGDATA="$dir/data"
[ "$owner" = postgres ] && export REVIEWER_TEST_PG_USER=postgres
echo "with-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on $dir/socket"
set +e
"$@"
