#!/usr/bin/env bash
# pg_ctl as the postgres user with every inherited descriptor above 2 closed, for benchmarks that
# restart a cluster under `flock /tmp/quiet.lock`: a postmaster started there would otherwise keep
# the lock's descriptor for as long as it runs (session 25 held the lock 19 minutes that way).
#
#   bench/pg_ctl_nofd.sh DATADIR PG_CTL_ARGS...
#   bench/pg_ctl_nofd.sh /tmp/console21/pg/data -m fast stop
#   bench/pg_ctl_nofd.sh /tmp/console21/pg/data "-o '-k /tmp/console21/pg/socket -c listen_addresses=' -l /tmp/console21/pg/socket/server.log start"
# The arguments after DATADIR are passed to pg_ctl through `su -c`, so quote as there.
[ $# -ge 2 ] || { sed -n '2,9p' "$0"; exit 2; }
data=$1; shift
for fd in /proc/self/fd/*; do n=${fd##*/}; [ "$n" -gt 2 ] 2>/dev/null && eval "exec $n>&-" 2>/dev/null; done
exec su postgres -s /bin/bash -c "/usr/lib/postgresql/15/bin/pg_ctl -D $data $*"
