#!/usr/bin/env python3
"""Helpers of bench/approval_eval.sh (see there).

  case SHA REVIEW.json        one TSV line: the decision and what each agent said
  labels CLONE FIRST_PARENT   the reverted first-parent commits: "sha\tkind"
  report [TAG=]OUT...         per repository and pooled: A, B, A/B, decision mix
                              (TAG names a set when several are pooled)
"""
import collections
import json
import math
import os
import re
import subprocess
import sys

COLUMNS = ["sha", "decision", "size", "lines", "files", "risk", "threshold", "above", "agents", "reasons", "title"]


def case(sha, path):
    with open(path, encoding="utf-8") as f:
        d = json.load(f)
    size = d.get("size") or {}
    risk = d.get("risk") or {}
    agents = []
    for a in d.get("agents", []):
        rules = sorted({f["rule"] for f in a.get("findings", []) if f.get("severity") != "info"})
        agents.append(f"{a.get('name')}:{a.get('status')}:{','.join(rules)}")
    row = [
        sha,
        d["decision"] if isinstance(d["decision"], str) else d["decision"].get("kind", "?"),
        size.get("label", ""),
        str(size.get("lines_added", 0) + size.get("lines_deleted", 0)),
        str(size.get("files", "")),
        f"{risk['probability']:.4f}" if "probability" in risk else "",
        f"{risk['threshold']:.4f}" if "threshold" in risk else "",
        str(risk.get("above_threshold", "")),
        " ".join(agents),
        " | ".join(d.get("reasons", []))[:300],
        (d.get("pr") or {}).get("title", "")[:80],
    ]
    print("\t".join(x.replace("\t", " ").replace("\n", " ") for x in row))


def git(clone, *args):
    return subprocess.run(["git", "--git-dir", clone, *args], check=True, capture_output=True, text=True, errors="replace").stdout


REVERTS = re.compile(r"This reverts commit ([0-9a-fA-F]{7,40})")
REVERT_SUBJECT = re.compile(r'^Revert "(.*)"(?: \(#\d+\))?$')
PR_SUFFIX = re.compile(r" \(#\d+\)$")


def revert_events(clone, order):
    """The reverts of the first-parent commits `order` (oldest first):
    (target, reverting commit, "reverts" | "subject") in history order.
    bench/revert_kinds.py reads the reverting commit too (when a change
    became known as reverted)."""
    pos = {sha: i for i, sha in enumerate(order)}
    log = git(clone, "log", "--first-parent", "--reverse", "--format=%H%x00%s%x00%B%x01", "HEAD")
    events = []
    subjects = {}
    for rec in log.split("\x01"):
        rec = rec.strip("\n")
        if not rec:
            continue
        sha, subject, body = rec.split("\x00", 2)
        for short in REVERTS.findall(body):
            try:
                full = git(clone, "rev-parse", "--verify", "-q", short + "^{commit}").strip()
            except subprocess.CalledProcessError:
                continue
            target = full if full in pos else None
            if target is None:
                # A side-branch commit: the first-parent merge that brought it.
                desc = git(clone, "rev-list", "--first-parent", "--ancestry-path", f"{full}..{sha}").split()
                desc = [c for c in desc if c in pos and pos[c] < pos[sha]]
                target = min(desc, key=lambda c: pos[c]) if desc else None
            if target and sha in pos and pos[target] < pos[sha]:
                events.append((target, sha, "reverts"))
        m = REVERT_SUBJECT.match(subject)
        if m:
            t = subjects.get(PR_SUFFIX.sub("", m.group(1)))
            if t:
                events.append((t, sha, "subject"))
        subjects[PR_SUFFIX.sub("", subject)] = sha
    return events


def revert_labels(events):
    """{target: kind}: "reverts" wins over a "subject" match."""
    out = {}
    for target, _, kind in events:
        if kind == "reverts" or target not in out:
            out[target] = kind
    return out


def labels(clone, fp_file):
    order = [line.split()[0] for line in open(fp_file, encoding="utf-8") if line.strip()]
    out = revert_labels(revert_events(clone, order))
    for sha in order:
        if sha in out:
            print(f"{sha}\t{out[sha]}")


def cases(fp_file, labels_file, split_at, end_at, maturity_days, sample, name):
    """Prints "parent sha" per case: every labelled commit after the split,
    and `sample` of the others spread evenly (deterministic); writes
    "name\tcommits\tsplit\tlast" to fd 3."""
    fp = [line.split() for line in open(fp_file, encoding="utf-8") if line.strip()]
    lab = {line.split("\t")[0] for line in open(labels_file, encoding="utf-8") if line.strip()}
    n = len(fp)
    s = int(n * float(split_at))
    e = min(n, int(n * float(end_at)))
    cut = int(fp[-1][1]) - int(float(maturity_days) * 86400)
    window = [i for i in range(s + 1, e) if int(fp[i][1]) <= cut]
    others = [i for i in window if fp[i][0] not in lab]
    k = int(sample)
    picked = {others[(j * len(others)) // k] for j in range(k)} if len(others) > k else set(others)
    chosen = sorted(picked | {i for i in window if fp[i][0] in lab})
    for i in chosen:
        print(fp[i - 1][0], fp[i][0])
    with os.fdopen(3, "w") as f:
        f.write(f"{name}\t{n}\t{fp[s][0]}\t{fp[chosen[-1]][0]}\t{fp[window[0]][0]}\t{fp[window[-1]][0]}\t{len(window)}\n")


def wilson(k, n, z=1.96):
    if n == 0:
        return (float("nan"), float("nan"))
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (c - h, c + h)


def ratio_ci(a, n1, b, n2, z=1.96):
    """A/B with Katz's log interval (0.5 added to every cell when one is zero)."""
    if n1 == 0 or n2 == 0 or b == 0:
        return (float("nan"),) * 3
    r = (a / n1) / (b / n2)
    if a == 0 or a == n1 or b == n2:
        a, n1, b, n2 = a + 0.5, n1 + 1, b + 0.5, n2 + 1
    rr = (a / n1) / (b / n2)
    se = math.sqrt(1 / a - 1 / n1 + 1 / b - 1 / n2)
    return (r, rr * math.exp(-z * se), rr * math.exp(z * se))


def load(out_dirs):
    """{pass: {repo: [row dict with 'label']}} and {repo: range}"""
    data = collections.defaultdict(dict)
    ranges = {}
    for out in out_dirs:
        tag = out.split("=", 1)[0] + ":" if "=" in out else ""
        out = out.split("=", 1)[-1]
        for name in sorted(os.listdir(out)):
            d = os.path.join(out, name)
            if not os.path.isfile(os.path.join(d, "labels.tsv")):
                continue
            key = tag + name
            lab = dict(line.rstrip("\n").split("\t") for line in open(os.path.join(d, "labels.tsv")) if line.strip())
            with open(os.path.join(d, "range.tsv")) as f:
                ranges[key] = f.read().strip().split("\t")
            ranges[key].append(sum(1 for _ in open(os.path.join(d, "cases.txt"))))
            for p in ("replay", "live"):
                path = os.path.join(d, p + ".tsv")
                if not os.path.isfile(path):
                    continue
                rows = []
                for line in open(path, encoding="utf-8"):
                    parts = line.rstrip("\n").split("\t")
                    if parts[1] == "error":
                        row = {"sha": parts[0], "decision": "error"}
                    else:
                        row = dict(zip(COLUMNS, parts))
                    row["label"] = lab.get(row["sha"], "")
                    rows.append(row)
                data[p][key] = rows
    return data, ranges


def table(rows_by_repo, strict):
    print("| repository | cases | reverted | A: approved of reverted | B: approved of others | A/B (95% CI) | needs_human: reverted / others | approve | comment | request_changes | needs_human | error |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    pooled = []
    for name, rows in list(rows_by_repo.items()) + [("**pooled**", None)]:
        if rows is None:
            rows = pooled
        else:
            pooled = pooled + rows
        pos = [r for r in rows if (r["label"] == "reverts" if strict else r["label"])]
        neg = [r for r in rows if not (r["label"] == "reverts" if strict else r["label"])]
        a = sum(r["decision"] == "approve" for r in pos)
        b = sum(r["decision"] == "approve" for r in neg)
        r, lo, hi = ratio_ci(a, len(pos), b, len(neg))
        mix = collections.Counter(r["decision"] for r in rows)
        la, ha = wilson(a, len(pos))
        lb, hb = wilson(b, len(neg))
        ha_, hb_ = (sum(x["decision"] == "needs_human" for x in g) for g in (pos, neg))
        print(f"| {name} | {len(rows)} | {len(pos)} | {a}/{len(pos)} = {100*a/max(1,len(pos)):.0f}% [{100*max(0,la):.0f}–{100*ha:.0f}] "
              f"| {b}/{len(neg)} = {100*b/max(1,len(neg)):.1f}% [{100*max(0,lb):.1f}–{100*hb:.1f}] "
              f"| {r:.2f} ({lo:.2f}–{hi:.2f}) | {100*ha_/max(1,len(pos)):.0f}% / {100*hb_/max(1,len(neg)):.0f}% | {mix['approve']} | {mix['comment']} | {mix['request_changes']} | {mix['needs_human']} | {mix['error']} |")


def stopped_by(r):
    """The policy step that decided a case, from its first reason."""
    reason = r.get("reasons", "")
    d = r["decision"]
    if d == "approve":
        return "approved"
    if d == "request_changes":
        return "blocking finding"
    if "above the auto-approve limit" in reason:
        return "size limit"
    if "protected path" in reason:
        return "protected path"
    if reason.startswith("revert risk"):
        return "history risk"
    if d == "comment" and "warning" in reason:
        return "warnings"
    return d + ": other"


DESCRIPTION_WARNINGS = {"intent/empty-description", "intent/no-why"}
# Session 19's warnings from what predicted reverts (## what gets reverted).
REVERT_SIGNAL_WARNINGS = {"history/first-change", "intent/tentative"}


def warning_rules(r):
    return {x for a in r.get("agents", "").split() for x in a.split(":", 2)[2].split(",") if x}


def counterfactual(r, rule):
    """Would the case be approved under `rule` (the policy is not changed:
    this only reads the recorded decision, reasons and risk)?"""
    step = stopped_by(r)
    warned = bool(warning_rules(r) - {"history/high-risk"})
    if rule == "shipped":
        return step == "approved"
    if rule == "no history gate":
        return step == "approved" or (step == "history risk" and not warned)
    if rule == "warnings approve":
        return step in ("approved", "warnings")
    if rule == "no description warnings":
        # A commit message is a poorer description than a pull request's:
        # the intent agent's two description warnings, read away.
        return step == "approved" or (step == "warnings" and warning_rules(r) <= DESCRIPTION_WARNINGS)
    if rule == "without first-change and tentative":
        return step == "approved" or (step == "warnings" and warning_rules(r) <= REVERT_SIGNAL_WARNINGS)
    if rule == "no description warnings, without first-change and tentative":
        return step == "approved" or (step == "warnings" and
                                      warning_rules(r) <= DESCRIPTION_WARNINGS | REVERT_SIGNAL_WARNINGS)
    if rule == "history gate only":
        return r.get("above") == "False"
    raise ValueError(rule)


def what_if(rows_by_repo):
    rows = [r for rs in rows_by_repo.values() for r in rs if r["decision"] != "error"]
    print("| policy (read from the recorded reviews, not applied) | A | B | A/B (95% CI) |")
    print("|---|---|---|---|")
    for rule in ("shipped", "without first-change and tentative", "no history gate", "no description warnings",
                 "no description warnings, without first-change and tentative", "warnings approve",
                 "history gate only"):
        pos = [r for r in rows if r["label"]]
        neg = [r for r in rows if not r["label"]]
        a = sum(counterfactual(r, rule) for r in pos)
        b = sum(counterfactual(r, rule) for r in neg)
        q, lo, hi = ratio_ci(a, len(pos), b, len(neg))
        print(f"| {rule} | {a}/{len(pos)} | {b}/{len(neg)} = {100*b/max(1,len(neg)):.0f}% | {q:.2f} ({lo:.2f}–{hi:.2f}) |")


def report(out_dirs):
    data, ranges = load(out_dirs)
    print("## ranges\n")
    for name, (_, total, split, _, first, last, window, picked) in sorted(ranges.items()):
        print(f"- {name}: {total} first-parent commits; split {split[:12]}; window {first[:12]}..{last[:12]} "
              f"({window} commits, {picked} reviewed)")
    for p in ("replay", "live"):
        if p not in data:
            continue
        repos = dict(sorted(data[p].items()))
        for strict in (True, False):
            print(f"\n## {p}: label {'REVERTED' if strict else 'REVERTED+ (with squash-merged Revert subjects)'}\n")
            table(repos, strict)
        print(f"\n## {p}: size mix of the decisions (all cases)\n")
        by = collections.defaultdict(collections.Counter)
        for rows in repos.values():
            for r in rows:
                by[r.get("size", "?")][r["decision"]] += 1
        for s in ("XS", "S", "M", "L", "XL", "XXL"):
            if s in by:
                c = by[s]
                print(f"- {s}: {sum(c.values())} cases, approve {c['approve']}, comment {c['comment']}, "
                      f"request_changes {c['request_changes']}, needs_human {c['needs_human']}")
        print(f"\n## {p}: the step that decided (REVERTED+ / others)\n")
        for lab_name, test in (("reverted", lambda r: r["label"]), ("others", lambda r: not r["label"])):
            c = collections.Counter(stopped_by(r) for rs in repos.values() for r in rs if test(r) and r["decision"] != "error")
            print(f"- {lab_name}: " + ", ".join(f"{k} {v}" for k, v in c.most_common()))
        print(f"\n## {p}: what if (label REVERTED+, pooled)\n")
        what_if(repos)
        print(f"\n## {p}: history agent above its threshold\n")
        for strict_name, test in (("reverted", lambda r: r["label"]), ("others", lambda r: not r["label"])):
            rows = [r for rs in repos.values() for r in rs if test(r) and r.get("above")]
            above = sum(r["above"] == "True" for r in rows)
            print(f"- {strict_name}: {above}/{len(rows)} above")
        print(f"\n## {p}: reverted (either label) and what the bot said\n")
        for name, rows in repos.items():
            for r in rows:
                if r["label"]:
                    print(f"- {name} {r['sha'][:12]} [{r['label']}] {r['decision']} ({stopped_by(r)}) size {r.get('size')} "
                          f"({r.get('lines')} lines, {r.get('files')} files) risk {r.get('risk')} vs {r.get('threshold')}: "
                          f"{r.get('agents')} :: {r.get('title')}")


def main():
    cmd = sys.argv[1]
    if cmd == "case":
        case(sys.argv[2], sys.argv[3])
    elif cmd == "cases":
        cases(*sys.argv[2:9])
    elif cmd == "labels":
        labels(sys.argv[2], sys.argv[3])
    elif cmd == "report":
        report(sys.argv[2:])
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
