#!/usr/bin/python3
"""Does the history gate's score separate later-REVERTED changes? (session 25)

Reads the rows `reviewer risk eval --rows FILE` writes (every indexed commit:
its features as known before it landed, when it was reverted or blamed by a
fix, subject, paths), replays the time-split evaluation of
subagents/history/learning.cpp (`evaluate`) with numpy, and scores variants of
the model against the REVERT label and the SZZ (fix) label separately.

  revert_gate.py eval  ROWS_DIR NAME...      per repository, one variant or all
  revert_gate.py check ROWS_DIR NAME         replays `risk eval` (AUC, A, B) for comparison

ROWS_DIR/NAME.rows holds NAME's rows. Needs numpy (/usr/bin/python3 with
Debian's python3-numpy). Labels and the split as in `risk eval`: the split at
75% of the mature commits (older than 90 days at the index's tip), training
rows known at the split, the threshold the 60th percentile of the recent
training scores (last quarter, at least 300), A = share of the positives after
the split at or below it, B = the same of every other change.
"""
import json
import math
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import revert_kinds as rk  # noqa: E402  path classes and the intent agent's wording lists

DAY = 86400
MATURITY = 90 * DAY
FEATURES = ["la", "ld", "lt", "ns", "nd", "nf", "entropy", "fix", "ndev", "age", "nuc", "exp", "rexp", "sexp",
            "prior_reverts", "fix_share", "touches_code", "author_bug_share", "file_bug_share"]
NOT_COUNTS = {"fix", "fix_share", "touches_code", "entropy", "author_bug_share", "file_bug_share"}
EXTRA = ["first_change", "touches_ci", "docs_only", "tests_only", "touches_deps", "near_revert_90d", "tentative"]
# Chosen on TUNE before CHECK was read (session 25): the pooled revert prior
# with the extra signals, its logit added to the repository's own.
CHOSEN = "blend1"
TUNE = ["eslint", "git", "okhttp", "pip", "prettier", "rubocop", "ruff", "tokio"]
CHECK = ["babel", "cargo", "core", "fmt", "framework", "prometheus", "redis", "svelte"]


def load(rows_dir, name):
    """NAME's rows with the extra signals, cached beside them (NAME.npz, rebuilt when older than the rows)."""
    src = os.path.join(rows_dir, name + ".rows")
    cache = os.path.join(rows_dir, name + ".npz")
    if os.path.exists(cache) and os.path.getmtime(cache) >= os.path.getmtime(src):
        z = np.load(cache)
        d = {k: z[k] for k in z.files}
        d["name"] = name
        d["n"] = len(d["time"])
        return d
    d = load_rows(rows_dir, name)
    np.savez(cache, **{k: v for k, v in d.items() if k not in ("name", "n")})
    return d


def load_rows(rows_dir, name):
    rows = [json.loads(line) for line in open(os.path.join(rows_dir, name + ".rows"), encoding="utf-8")]
    n = len(rows)
    raw = np.array([[max(0.0, float(r["features"][f])) for f in FEATURES] for r in rows])
    for j, f in enumerate(FEATURES):
        if f not in NOT_COUNTS:
            raw[:, j] = np.log1p(raw[:, j])
    time = np.array([r["time"] for r in rows], dtype=np.int64)
    rev_at = np.array([r["reverted_at"] for r in rows], dtype=np.int64)
    fix_at = np.array([r["fixed_at"] for r in rows], dtype=np.int64)
    bulk = np.array([r["bulk"] for r in rows], dtype=bool)
    # Extra signals, each as known before the change landed.
    extra = np.zeros((n, len(EXTRA)))
    events = {}  # path -> times a revert touched it (the revert's and its target's files)
    for r in rows:
        if r["reverted_by"] is not None:
            t = rows[r["reverted_by"]]["time"]
            for p in r["paths"] + rows[r["reverted_by"]]["paths"]:
                events.setdefault(p, []).append(t)
    for p in events:
        events[p].sort()
    import bisect
    for i, r in enumerate(rows):
        f = r["features"]
        paths = r["paths"]
        extra[i, 0] = 1.0 if f["sexp"] == 0 and f["nf"] > 0 else 0.0
        extra[i, 1] = 1.0 if any(rk.is_ci(p) for p in paths) else 0.0
        extra[i, 2] = 1.0 if paths and all(rk.is_docs(p) for p in paths) else 0.0
        extra[i, 3] = 1.0 if paths and all(rk.is_tests(p) for p in paths) else 0.0
        extra[i, 4] = 1.0 if any(rk.is_deps(p) for p in paths) else 0.0
        t = r["time"]
        near = False
        for p in paths:
            ts = events.get(p)
            if ts:
                k = bisect.bisect_left(ts, t)
                if k > 0 and ts[k - 1] >= t - MATURITY:
                    near = True
                    break
        extra[i, 5] = 1.0 if near else 0.0
        extra[i, 6] = 1.0 if rk.provisional(r["subject"], "") else 0.0
    return {"name": name, "n": n, "raw": raw, "time": time, "rev_at": rev_at, "fix_at": fix_at, "bulk": bulk,
            "extra": extra, "revert_commit": np.array([r["revert"] for r in rows], dtype=bool)}


def sigmoid(s):
    return 1.0 / (1.0 + np.exp(-np.clip(s, -40, 40)))


def fit(x, y, w=None, l2=1.0):
    """Logistic regression as risk_model.cpp's train_model: standardised inputs, Newton, L2 on weights."""
    mean = x.mean(axis=0)
    sd = x.std(axis=0)
    scale = np.where(sd > 1e-9, sd, 0.0)
    z = np.where(scale > 0, (x - mean) / np.where(scale > 0, scale, 1.0), 0.0)
    z1 = np.hstack([z, np.ones((len(z), 1))])
    k = z1.shape[1]
    w = np.ones(len(y)) if w is None else w
    pos = (w * y).sum() / w.sum()
    beta = np.zeros(k)
    beta[-1] = math.log(pos / (1 - pos))
    pen = np.full(k, l2)
    pen[-1] = 0
    for _ in range(25):
        p = sigmoid(z1 @ beta)
        g = z1.T @ (w * (y - p)) - pen * beta
        h = (z1 * (w * np.maximum(p * (1 - p), 1e-9))[:, None]).T @ z1 + np.diag(pen)
        step = np.linalg.solve(h, g)
        beta += step
        if np.abs(step).max() < 1e-7:
            break
    return {"mean": mean, "scale": scale, "beta": beta}


def score(m, x):
    z = np.where(m["scale"] > 0, (x - m["mean"]) / np.where(m["scale"] > 0, m["scale"], 1.0), 0.0)
    return z @ m["beta"][:-1] + m["beta"][-1]  # the logit


def auc(s, y):
    order = np.argsort(s, kind="mergesort")
    ss = s[order]
    ranks = np.empty(len(s))
    i = 0
    while i < len(s):
        j = i
        while j < len(s) and ss[j] == ss[i]:
            j += 1
        ranks[order[i:j]] = (i + j + 1) / 2.0
        i = j
    npos = y.sum()
    nneg = len(y) - npos
    if npos == 0 or nneg == 0:
        return float("nan")
    return (ranks[y].sum() - npos * (npos + 1) / 2.0) / (npos * nneg)


def sides(d, frac=0.75, end_frac=None):
    """Training and test masks as learning.cpp's evaluate (split at `frac` of the mature commits)."""
    now = d["time"][-1] + 1
    mature_end = now - MATURITY
    mature = np.sort(d["time"][d["time"] < mature_end])
    split = mature[int(len(mature) * frac)]
    end = mature_end if end_frac is None else mature[min(len(mature) - 1, int(len(mature) * end_frac))]
    t = d["time"]
    known_rev = (d["rev_at"] != 0) & (d["rev_at"] <= split - 1)
    known_fix = (d["fix_at"] != 0) & (d["fix_at"] <= split - 1)
    before = (t < split) & ~d["bulk"]
    train = before & ((known_rev | known_fix) | (t < split - MATURITY))
    test = (t >= split) & (t < end) & ~d["bulk"]
    rev = (d["rev_at"] != 0) & (d["rev_at"] <= now)
    fix = (d["fix_at"] != 0) & (d["fix_at"] <= now)
    return {"split": split, "train": train, "test": test, "train_rev": known_rev, "train_fix": known_fix,
            "rev": rev, "fix": fix}


def threshold(train_scores, share=0.6):
    n = len(train_scores)
    recent = np.sort(train_scores[n - min(n, max(300, n // 4)):])
    k = int(math.ceil(share * len(recent) - 1e-9)) - 1
    return recent[min(k, len(recent) - 1)]


# Variants: each returns (training-side scores, test-side scores) for one repository.
def inputs(d, extra):
    return np.hstack([d["raw"], d["extra"]]) if extra else d["raw"]


def v_base(d, s, ctx):
    x = d["raw"]
    y = (s["train_rev"] | s["train_fix"])[s["train"]]
    m = fit(x[s["train"]], y.astype(float))
    return score(m, x[s["train"]]), score(m, x[s["test"]])


def weighted(k, extra=False):
    def v(d, s, ctx):
        x = inputs(d, extra)
        tr = s["train"]
        y = (s["train_rev"] | s["train_fix"])[tr].astype(float)
        w = np.where(s["train_rev"][tr], float(k), 1.0)
        m = fit(x[tr], y, w)
        return score(m, x[tr]), score(m, x[s["test"]])
    return v


def revert_head(extra=False, l2=1.0):
    def v(d, s, ctx):
        x = inputs(d, extra)
        tr = s["train"]
        y = s["train_rev"][tr].astype(float)
        if y.sum() == 0:
            return v_base(d, s, ctx)
        m = fit(x[tr], y, l2=l2)
        return score(m, x[tr]), score(m, x[s["test"]])
    return v


def pooled_rows(ctx, exclude, extra=True):
    """Rows of the other TUNE repositories (their whole mature history), standardised per repository."""
    xs, ys = [], []
    for name, d in ctx["tune"].items():
        if name == exclude:
            continue
        now = d["time"][-1] + 1
        keep = ~d["bulk"] & (d["time"] < now - MATURITY)
        x = inputs(d, extra)[keep]
        mu, sd = x.mean(axis=0), x.std(axis=0)
        z = np.where(sd > 1e-9, (x - mu) / np.where(sd > 1e-9, sd, 1.0), 0.0)
        z[:, len(FEATURES):] = x[:, len(FEATURES):]  # flags as they are
        xs.append(z)
        ys.append(((d["rev_at"] != 0))[keep].astype(float))
    return np.vstack(xs), np.concatenate(ys)


def prior_logit(ctx, d, s, name, extra=True):
    key = ("prior", name if name in ctx["tune"] else None, extra)
    if key not in ctx["cache"]:
        x, y = pooled_rows(ctx, name, extra)
        ctx["cache"][key] = fit(x, y, l2=10.0)
    m = ctx["cache"][key]
    x = inputs(d, extra)
    tr = s["train"]
    mu, sd = x[tr].mean(axis=0), x[tr].std(axis=0)  # the repository's own standardisation, training side
    z = np.where(sd > 1e-9, (x - mu) / np.where(sd > 1e-9, sd, 1.0), 0.0)
    z[:, len(FEATURES):] = x[:, len(FEATURES):]
    return score(m, z)


def global_prior(blend, extra=True):
    """The pooled revert model alone (blend None) or added to the repository's own logit x blend."""
    def v(d, s, ctx):
        p = prior_logit(ctx, d, s, d["name"], extra)
        if blend is None:
            return p[s["train"]], p[s["test"]]
        a, b = v_base(d, s, ctx)
        return a + blend * p[s["train"]], b + blend * p[s["test"]]
    return v


def flags_gate(d, s, ctx):
    """No model: the count of the extra signals that held in session 19 (first change, ci, near revert, tentative)."""
    e = d["extra"]
    f = e[:, 0] + e[:, 1] + e[:, 5] + e[:, 6]
    a, b = v_base(d, s, ctx)
    # ties broken by the base score so the threshold still lands near the share
    return f[s["train"]] * 100 + a * 1e-3, f[s["test"]] * 100 + b * 1e-3


VARIANTS = {
    "base": v_base,
    "w5": weighted(5), "w20": weighted(20), "w20x": weighted(20, True),
    "rev": revert_head(), "rev_l10": revert_head(l2=10.0), "revx": revert_head(True), "revx_l10": revert_head(True, 10.0),
    "prior": global_prior(None), "blend0.5": global_prior(0.5), "blend1": global_prior(1.0),
    "priorb": global_prior(None, False), "blendb0.5": global_prior(0.5, False), "blendb1": global_prior(1.0, False),
    "flags": flags_gate,
}


def evaluate(d, variant, ctx, frac=0.75, end_frac=None, share=0.6):
    s = sides(d, frac, end_frac)
    tr_scores, te_scores = VARIANTS[variant](d, s, ctx)
    thr = threshold(tr_scores, share)
    appr = te_scores <= thr
    out = {"n_test": int(s["test"].sum())}
    for lab in ("rev", "fix", "any"):
        y = (s["rev"] | s["fix"]) if lab == "any" else s[lab]
        y = y[s["test"]]
        out[lab] = {"auc": auc(te_scores, y), "pos": int(y.sum()), "pos_appr": int((appr & y).sum()),
                    "neg": int((~y).sum()), "neg_appr": int((appr & ~y).sum())}
    return out


def katz(a, n1, b, n2):
    if a == 0 or b == 0 or a == n1 or b == n2:
        a, n1, b, n2 = a + 0.5, n1 + 1, b + 0.5, n2 + 1
    rr = (a / n1) / (b / n2)
    se = math.sqrt(1 / a - 1 / n1 + 1 / b - 1 / n2)
    return rr, rr * math.exp(-1.96 * se), rr * math.exp(1.96 * se)


def main():
    mode = sys.argv[1]
    rows_dir = sys.argv[2]
    names = sys.argv[3:]
    variants = os.environ.get("VARIANTS", "base").split(",")
    windows = [(0.75, None)] if os.environ.get("ROLLING") != "1" else [(0.25, 0.5), (0.5, 0.75), (0.75, None)]
    share = float(os.environ.get("SHARE", "0.6"))
    ctx = {"tune": {}, "cache": {}}
    data = {n: load(rows_dir, n) for n in names}
    if any(v.startswith("prior") or v.startswith("blend") for v in variants):
        for n in TUNE:
            ctx["tune"][n] = data[n] if n in data else load(rows_dir, n)
    if mode == "check":
        for n in names:
            r = evaluate(data[n], "base", ctx)
            a = r["any"]
            print(n, f"AUC {a['auc']:.3f} A {a['pos_appr']}/{a['pos']} B {a['neg_appr']}/{a['neg']}")
        return
    for v in variants:
        tot = {lab: [0, 0, 0, 0] for lab in ("rev", "fix", "any")}
        aucs = {lab: [] for lab in ("rev", "fix", "any")}
        print(f"== variant {v} (windows {windows}, share {share})")
        print(f"{'repo':<11} {'AUC rev':>7} {'AUC fix':>7} {'AUC any':>7}  {'rev A':>9} {'B':>12} {'A/B rev':>7}  {'fix A/B':>7}")
        for n in names:
            acc = {lab: [0, 0, 0, 0] for lab in ("rev", "fix", "any")}
            row_auc = {}
            for (f, e) in windows:
                r = evaluate(data[n], v, ctx, f, e, share)
                for lab in acc:
                    q = r[lab]
                    for i, key in enumerate(("pos_appr", "pos", "neg_appr", "neg")):
                        acc[lab][i] += q[key]
                    row_auc.setdefault(lab, []).append(q["auc"])
            for lab in acc:
                for i in range(4):
                    tot[lab][i] += acc[lab][i]
                good = [x for x in row_auc[lab] if not math.isnan(x)]
                aucs[lab].append(float(np.mean(good)) if good else float("nan"))
            ra, rp, rb, rn = acc["rev"]
            fa, fp, fb, fn = acc["fix"]
            abr = (ra / rp) / (rb / rn) if rp and rb else float("nan")
            abf = (fa / fp) / (fb / fn) if fp and fb else float("nan")
            print(f"{n:<11} {aucs['rev'][-1]:>7.3f} {aucs['fix'][-1]:>7.3f} {aucs['any'][-1]:>7.3f}  "
                  f"{ra:>4}/{rp:<4} {rb:>5}/{rn:<6} {abr:>7.2f}  {abf:>7.2f}")
        for lab in ("rev", "fix", "any"):
            a, p, b, nn = tot[lab]
            rr, lo, hi = katz(a, p, b, nn)
            med = float(np.nanmedian(aucs[lab]))
            print(f"pooled {lab:<4} median AUC {med:.3f}  A {a}/{p} = {100*a/max(p,1):.1f}%  B {b}/{nn} = "
                  f"{100*b/max(nn,1):.1f}%  A/B {rr:.2f} ({lo:.2f}-{hi:.2f})")
        print()


if __name__ == "__main__":
    main()
