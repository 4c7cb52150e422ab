#!/usr/bin/env bash
# Does the whole bot's approval mean "safer" on real history? (session 18)
# Reviews the first-parent commits after a time split, each as a pull request
# against its parent and compares the approve share of the changes later
# reverted (A) with that of all the others (B).
#
#   bench/approval_eval.sh run OUT CLONE...   review (writes OUT/NAME/*.tsv)
#   bench/approval_eval.sh report [TAG=]OUT...  the tables (TAG names a set when
#                                               several are pooled)
#
# CLONE is a bare full clone that this script may write into: its
# reviewer-history/ folder is deleted and rebuilt (clone a snapshot with
# `git clone --bare --no-hardlinks` first). Deterministic, no network.
# Do not use curl/curl, psf/requests or expressjs/express (kept for
# independent evaluation), nor the nine repositories the history model was
# tuned on.
#
# Per repository:
#  - split = the first-parent commit at 75% of the first-parent line;
#  - window = the first-parent commits after it (up to the commit at END_AT
#    of the line, default its end) whose commit time is at least
#    MATURITY_DAYS (90) before the last commit's, so labels had time to come;
#  - cases = every labelled commit of the window and SAMPLE (100) of the
#    others, spread evenly over it (the reverts are too rare to find in a
#    few hundred consecutive commits: 0-5 per repository in 500-2,000);
#  - label REVERTED: a later first-parent commit says "This reverts commit
#    <sha>" of the case (a sha from a merged branch maps to the merge that
#    brought it); REVERTED+ also counts a squash-merged `Revert "<title>"`
#    subject matched to the latest earlier commit with that title;
#  - two passes, both with the title and body from the commit message:
#    live:   the index trained up to the split (`reviewer risk train --base
#            SPLIT`), then each case reviewed in order, one process each, so
#            the index grows to each case's parent and the split's model
#            judges. The history agent dates such a case "now" (see
#            bench/README.md), so its age and recency features are off.
#    replay: the index built up to the last case, so each case has already
#            landed and the history agent judges it with a model trained in
#            memory on what was known at its parent, dated at its commit
#            time (subagents/history/README.md).
# Set PASSES="replay" to skip the live pass. SPLIT_AT=0.25 END_AT=0.75 gives
# a second, earlier set to tune a policy change on before reading it on the
# default (held-out) set.
set -euo pipefail
cd "$(dirname "$0")/.."
REVIEWER=${REVIEWER:-build/bin/reviewer}
SPLIT_AT=${SPLIT_AT:-0.75}
END_AT=${END_AT:-1}
SAMPLE=${SAMPLE:-100}
MATURITY_DAYS=${MATURITY_DAYS:-90}
PASSES=${PASSES:-"live replay"}
HERE=$(pwd)

# One TSV line per case from the review's JSON.
case_line() {
  python3 "$HERE/bench/approval_eval.py" case "$@"
}

run_repo() {
  local out=$1 clone=$2
  local name
  name=$(basename "$clone" .git)
  mkdir -p "$out/$name"
  local fp="$out/$name/first_parent.txt"
  git --git-dir="$clone" rev-list --first-parent --reverse --format='%H %ct' HEAD | grep -v '^commit ' >"$fp"
  python3 "$HERE/bench/approval_eval.py" labels "$clone" "$fp" >"$out/$name/labels.tsv"
  python3 "$HERE/bench/approval_eval.py" cases "$fp" "$out/$name/labels.tsv" "$SPLIT_AT" "$END_AT" \
    "$MATURITY_DAYS" "$SAMPLE" "$name" >"$out/$name/cases.txt" 3>"$out/$name/range.tsv"
  local split last
  split=$(cut -f3 "$out/$name/range.tsv")
  last=$(cut -f4 "$out/$name/range.tsv")
  echo "$name: $(wc -l <"$fp") first-parent commits, split $split, $(wc -l <"$out/$name/cases.txt") cases up to $last"
  for pass in $PASSES; do
    rm -rf "$clone/reviewer-history"
    if [ "$pass" = live ]; then
      "$REVIEWER" risk train --repo "$clone" --base "$split" >"$out/$name/train_$pass.txt" 2>&1
    else
      "$REVIEWER" risk train --repo "$clone" --base "$last" >"$out/$name/train_$pass.txt" 2>&1
    fi
    : >"$out/$name/$pass.tsv"
    while read -r base head; do
      local rc=0
      "$REVIEWER" review --no-audit --format json --repo "$clone" --base "$base" --head "$head" \
        >"$out/$name/review.json" 2>"$out/$name/review.err" || rc=$?
      if [ "$rc" = 1 ]; then
        printf '%s\terror\t%s\n' "$head" "$(head -c 200 "$out/$name/review.err" | tr '\t\n' '  ')" >>"$out/$name/$pass.tsv"
      else
        case_line "$head" "$out/$name/review.json" >>"$out/$name/$pass.tsv"
      fi
    done <"$out/$name/cases.txt"
    rm -f "$out/$name/review.json" "$out/$name/review.err"
  done
}

cmd=${1:?usage: bench/approval_eval.sh run OUT CLONE... | report OUT}
shift
case "$cmd" in
  run)
    out=${1:?OUT}
    shift
    "$REVIEWER" --version
    for clone in "$@"; do run_repo "$out" "$clone"; done
    ;;
  report)
    python3 bench/approval_eval.py report "${@:?OUT}"
    ;;
  *)
    echo "unknown command '$cmd'" >&2
    exit 1
    ;;
esac
