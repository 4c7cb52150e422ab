#!/usr/bin/env python3
"""What kinds of change get reverted (session 19): signals computable at
review time, measured on the first-parent history of public repositories.

  run CLONES_DIR OUT_DIR [NAME...]   per repository OUT_DIR/NAME.json
                                     (CLONES_DIR/NAME.git, bare clones;
                                     HALF=CHECK tabulates repositories not
                                     in REPOS as CHECK, else their half is "?")
  report OUT_DIR                     Markdown tables, TUNE and CHECK apart
  selftest                           labels and signals on a small made-up history

Population: the first-parent commits (a merge is one change, its diff
against the first parent) committed at least MATURITY_DAYS before the tip,
without the revert commits themselves. Label REVERTED+ from
bench/approval_eval.py (revert_events). The signals and the TUNE / CHECK
split below were fixed before any result was read; an extra is marked so.
"""
import bisect
import collections
import fnmatch
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from approval_eval import REVERT_SUBJECT, REVERTS, PR_SUFFIX, git, ratio_ci, revert_events, revert_labels  # noqa: E402

# The repositories (none tuned on here; the forbidden and held-out ones of
# the brief are absent). Split: sorted, even positions TUNE, odd CHECK.
REPOS = sorted([
    "astral-sh/ruff", "babel/babel", "eslint/eslint", "fmtlib/fmt", "git/git", "laravel/framework",
    "prettier/prettier", "prometheus/prometheus", "pypa/pip", "redis/redis", "rubocop/rubocop",
    "rust-lang/cargo", "square/okhttp", "sveltejs/svelte", "tokio-rs/tokio", "vuejs/core",
])
HALF = {r.split("/")[1]: ("TUNE" if i % 2 == 0 else "CHECK") for i, r in enumerate(REPOS)}

MATURITY_DAYS = 90
DAY = 86400
APPROVABLE_LINES = 400
APPROVABLE_FILES = 25

# guidance/default/intent.yml `manifests` and `lockfiles`, plus the tool pins.
MANIFESTS = ['package.json', 'requirements*.txt', 'requirements/*.txt', 'pyproject.toml', 'setup.py', 'Pipfile',
             'go.mod', 'Cargo.toml', 'pom.xml', 'Gemfile', '*.gemspec', 'composer.json', '*.csproj',
             'packages.config', 'build.gradle*', 'gradle/libs.versions.toml', 'mix.exs', 'pubspec.yaml',
             'vcpkg.json', 'conanfile.*', '.github/dependabot.yml', 'renovate.json']
LOCKFILES = ['package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'Cargo.lock', 'go.sum', 'poetry.lock',
             'Pipfile.lock', 'composer.lock', 'Gemfile.lock', 'mix.lock', 'pubspec.lock', 'gradle.lockfile',
             'packages.lock.json', 'uv.lock']
TOOL_PINS = ['.pre-commit-config.yaml', 'rust-toolchain*', '.nvmrc', '.python-version', '.tool-versions']
CI_DIRS = ('.github/workflows/', '.github/actions/', '.circleci/', '.buildkite/')
CI_FILES = ['.gitlab-ci.yml', 'azure-pipelines*.yml', '.travis.yml', 'Jenkinsfile', 'appveyor.yml', '.appveyor.yml']
BUILD_FILES = ['CMakeLists.txt', '*.cmake', 'Makefile', 'meson.build', 'BUILD', 'BUILD.bazel', 'WORKSPACE',
               'build.gradle*', 'settings.gradle*', 'pom.xml', 'setup.py', 'setup.cfg', 'pyproject.toml',
               'tox.ini', 'noxfile.py', 'tsconfig*.json', 'webpack.config.*', 'rollup.config.*', 'vite.config.*',
               'babel.config.*', '.babelrc*', 'eslint.config.*', '.eslintrc*', 'prettier.config.*', '.prettierrc*',
               'jest.config.*', 'vitest.config.*', 'build.rs', 'Dockerfile*', 'docker-compose*']
RELEASE_FILES = ['*.spec', '.goreleaser*']
DOC_DIRS = ('docs', 'doc', 'Documentation')
TEST_DIRS = ('test', 'tests', 'spec', '__tests__')
TEST_FILES = ['*_test.*', 'test_*.py', '*.spec.*', '*.test.*']


def _name_in(path, patterns):
    """A pattern without "/" matches the file name; with one, the path's end."""
    name = path.rsplit("/", 1)[-1]
    for p in patterns:
        if "/" in p:
            if fnmatch.fnmatchcase(path, p) or fnmatch.fnmatchcase(path, "*/" + p):
                return True
        elif fnmatch.fnmatchcase(name, p):
            return True
    return False


def is_deps(path):
    return _name_in(path, MANIFESTS + LOCKFILES + TOOL_PINS)


def is_ci(path):
    return path.startswith(CI_DIRS) or _name_in(path, CI_FILES)


def is_build(path):
    # Cargo.toml counts as build configuration only at the root (the workspace).
    return _name_in(path, BUILD_FILES) or path == "Cargo.toml"


def is_release(path):
    name = path.rsplit("/", 1)[-1]
    low = name.lower()
    return (path.startswith(("debian/", "release/", "scripts/release")) or "/debian/" in path
            or _name_in(path, RELEASE_FILES) or low.startswith(("changelog", "history", "news"))
            or low == "version" or low.startswith("version."))


def is_docs(path):
    if is_deps(path) or is_build(path):
        return False  # requirements.txt, CMakeLists.txt are not prose
    return path.endswith((".md", ".rst", ".txt")) or path.split("/", 1)[0] in DOC_DIRS


def is_tests(path):
    parts = path.split("/")
    return any(p in TEST_DIRS for p in parts[:-1]) or _name_in(path, TEST_FILES)


PATH_CLASSES = [("deps", is_deps), ("ci", is_ci), ("build", is_build), ("release", is_release),
                ("docs", is_docs), ("tests", is_tests)]

BUMP = re.compile(r"\b(bump(s|ed|ing)?|updat(e|es|ed|ing)|upgrad(e|es|ed|ing))\b", re.I)
DEP_WORD = re.compile(r"\b(deps?|dependenc(y|ies)|dev-?dependencies|lock ?files?|packages?|crates?|gems?|"
                      r"modules?|npm|yarn|pnpm|go\.mod|go\.sum|cargo\.lock|toolchain|from v?\d[\w.\-]*|"
                      r"to v?\d[\w.\-]*|v\d+(\.\d+)+)\b", re.I)
CONVENTIONAL_DEPS = re.compile(r"^(chore|build)\((deps|deps-dev)\)", re.I)
RELAND_START = re.compile(r'^\s*(re-?land|re-?apply|revert "revert|restore)', re.I)
RELAND_PREFIX = re.compile(r"^\s*re-?land\s*:\s*", re.I)
TENTATIVE = re.compile(r"\b(wip|tmp|temp|temporar(y|ily)|experiment(s|al|ally)?|try|tries|trying|attempt(s|ed|ing)?|"
                       r"hack(s|y)?|workaround|for now)\b", re.I)
BOT = re.compile(r"dependabot|renovate|github-actions|\[bot\]", re.I)
MERGE_SUBJECT = re.compile(r"^(Merge (pull request|branch|remote-tracking branch)|Auto merge of) ")

SIGNALS = [
    ("deps-only", "1 every file a dependency manifest, lockfile or tool pin"),
    ("touches deps", "1 some file one"),
    ("ci-only", "2 every file CI configuration"),
    ("touches ci", "2 some file one"),
    ("build-only", "3 every file build/tooling configuration"),
    ("touches build", "3 some file one"),
    ("release-only", "4 every file release/packaging (or a one-line `__version__` change)"),
    ("touches release", "4 some file one"),
    ("docs-only", "5 every file documentation"),
    ("tests-only", "5 every file a test"),
    ("bump title", "6 bump/update/upgrade + dependency word, or chore(deps)/build(deps)"),
    ("reland", "7 Reland/Reapply/Revert \"Revert/Restore, or the title of an earlier reverted change"),
    ("tentative title", "8 wip, tmp, temporary, experiment, try, attempt, hack, workaround, for now"),
    ("bot author", "9 dependabot, renovate, github-actions, [bot]"),
    ("near revert 30d", "10 a file touched by a revert (or its target) in the 30 days before"),
    ("near revert 90d", "10 the same, 90 days"),
    ("hot file", "11 a file changed by >= 3 other commits in the 7 days before"),
    ("first change", "12 the author's first change in the repository"),
    ("first in folder", "12 the author's first change in a touched top-level folder"),
    ("extra: tentative description", "extra: wording of 8 anywhere in the message"),
    ("extra: no tests, code", "extra: touches code (not docs/tests/config classes) and no test file"),
    # Added after reading both halves (session 19): the forms the bot implements,
    # checked again on the six repositories of `## approval on real history`.
    ("post hoc: first in subsystem", "post hoc: the author's first change in a touched subsystem "
     "(reviewer/git/history/features.cpp subsystem_of), or in the repository"),
    ("post hoc: tentative wording", "post hoc: intent/tentative as shipped (guidance/default/intent.yml "
     "`description.tentative*`: the title, or a line of the body)"),
]

SUBSYSTEM_CONTAINERS = {"packages", "src", "lib", "libs", "apps", "modules", "crates", "components", "plugins",
                        "services", "pkg", "internal", "cmd"}
# The lists of guidance/default/intent.yml `description.tentative`,
# `tentative_title` and `tentative_unless` (the intent agent's
# `intent/tentative`), read from the file so the two cannot drift apart.


def intent_list(key):
    """The single-quoted items of `description.<key>` (a YAML list of RE2 patterns)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guidance", "default", "intent.yml")
    items, inside = [], False
    for line in open(path, encoding="utf-8"):
        if re.match(rf"^    {key}:\s*$", line):
            inside = True
        elif inside:
            m = re.match(r"^      - '(.*)'\s*$", line)
            if not m:
                break
            items.append(m.group(1).replace("''", "'"))
    if not items:
        raise SystemExit(f"intent.yml: no description.{key} list")
    # RE2 and Python agree on these patterns' syntax (checked by selftest).
    return re.compile("(?m)(?:" + "|".join(items) + ")", re.I)


TENT_ANY, TENT_TITLE, TENT_UNLESS = (intent_list(k) for k in ("tentative", "tentative_title", "tentative_unless"))


def provisional(title, body):
    """As subagents/intent/description.cpp's provisional(): the title, or a line of the body."""
    def said(line, is_title):
        hit = TENT_ANY.search(line) or (is_title and TENT_TITLE.search(line))
        return bool(hit) and not TENT_UNLESS.search(line)
    return said(title, True) or any(said(line, False) for line in body.splitlines())


def subsystem_of(path):
    """As reviewer/git/history/features.cpp's subsystem_of."""
    parts = path.split("/")
    if len(parts) == 1:
        return "(root)"
    if parts[0] in SUBSYSTEM_CONTAINERS and len(parts) > 2:
        return parts[0] + "/" + parts[1]
    return parts[0]


def size_label(lines):
    for label, top in (("XS", 10), ("S", 50), ("M", 200), ("L", 400)):
        if lines <= top:
            return label
    return "XL"


def read_log(clone):
    """[(sha, parents, ct, author name, email, subject, body, [(path, lines)])], oldest first.
    A snapshot may lack its largest blobs: a change touching one gets lines
    None (not sized, so never approvable-size)."""
    fmt = "%x01%H%x00%P%x00%ct%x00%an%x00%ae%x00%s%x00%b%x02"
    out = git(clone, "log", "--first-parent", "--reverse", "--diff-merges=first-parent", "--raw", "--no-abbrev",
              "--no-renames", f"--format={fmt}", "HEAD")
    commits = []
    blobs = set()
    for rec in out.split("\x01")[1:]:
        head, _, raw = rec.partition("\x02")
        sha, parents, ct, an, ae, subject, body = head.split("\x00", 6)
        files = []
        for line in raw.splitlines():
            if line.startswith(":") and "\t" in line:
                meta, path = line.split("\t", 1)
                old, new = meta.split()[2:4]
                files.append((path, (old, new)))
                blobs.update(b for b in (old, new) if b.strip("0"))
        commits.append([sha, parents.split(), int(ct), an, ae, subject, body, files])
    r = subprocess.run(["git", "--git-dir", clone, "cat-file", "--batch-check"], input="\n".join(sorted(blobs)) + "\n",
                       capture_output=True, text=True, check=True, errors="replace")
    missing = {line.split()[0] for line in r.stdout.splitlines() if line.endswith(" missing")}
    sized = [c for c in commits if not any(b in missing for _, pair in c[7] for b in pair)]
    feed = "".join(f"{c[0]} {c[1][0]}\n" if c[1] else f"{c[0]}\n" for c in sized)
    r = subprocess.run(["git", "--git-dir", clone, "diff-tree", "--stdin", "--numstat", "--no-renames", "--root", "-r"],
                       input=feed, capture_output=True, text=True, check=True, errors="replace")
    counts = collections.defaultdict(dict)
    current = None
    for line in r.stdout.splitlines():
        parts = line.split("\t", 2)
        if len(parts) == 3 and current:
            n = (int(parts[0]) if parts[0].isdigit() else 0) + (int(parts[1]) if parts[1].isdigit() else 0)
            counts[current][parts[2]] = n
        elif re.fullmatch(r"[0-9a-f]{40}( [0-9a-f]{40})*", line.strip()):
            current = line.split()[0]
    ok = {c[0] for c in sized}
    for c in commits:
        c[7] = [(p, counts[c[0]].get(p, 0) if c[0] in ok else None) for p, _ in c[7]]
    return commits


def version_changes(clone, commits):
    """The one-line changes (one file, <= 2 lines) whose diff names `__version__`."""
    small = [c for c in commits if len(c[7]) == 1 and c[7][0][1] is not None and c[7][0][1] <= 2]
    feed = "".join(f"{c[0]} {c[1][0]}\n" if c[1] else f"{c[0]}\n" for c in small)
    r = subprocess.run(["git", "--git-dir", clone, "diff-tree", "--stdin", "-p", "--no-renames", "--root", "-r"],
                       input=feed, capture_output=True, text=True, check=True, errors="replace")
    found, current = set(), None
    for line in r.stdout.splitlines():
        if re.fullmatch(r"[0-9a-f]{40}( [0-9a-f]{40})*", line.strip()):
            current = line.split()[0]
        elif current and line[:1] in "+-" and not line.startswith(("+++", "---")) and "__version__" in line:
            found.add(current)
    return found


def second_parent_authors(clone, commits):
    """A merge's change is its second parent's: that author wrote it."""
    p2 = [c[1][1] for c in commits if len(c[1]) > 1]
    if not p2:
        return {}
    r = subprocess.run(["git", "--git-dir", clone, "log", "--no-walk=unsorted", "--stdin", "--format=%H%x00%an%x00%ae"],
                       input="\n".join(p2) + "\n", capture_output=True, text=True, check=True, errors="replace")
    return {h: (an, ae) for h, an, ae in (line.split("\x00") for line in r.stdout.splitlines() if line)}


def title_of(subject, body):
    """A merge's subject names a branch; the pull request title is the body's first line."""
    if MERGE_SUBJECT.match(subject):
        for line in body.splitlines():
            if line.strip():
                return line.strip()
    return subject


def is_revert_commit(subject, body):
    # A reapply (Revert "Revert ...") is a change of its own and stays in.
    if subject.startswith('Revert "Revert'):
        return False
    return bool(REVERTS.search(body)) or bool(REVERT_SUBJECT.match(subject))


def normalize(title):
    return RELAND_PREFIX.sub("", PR_SUFFIX.sub("", title.strip())).strip()


def analyse(clone, name):
    commits = read_log(clone)
    order = [c[0] for c in commits]
    events = revert_events(clone, order)
    label = revert_labels(events)
    targets_of = collections.defaultdict(list)
    for target, by, _ in events:
        targets_of[by].append(target)
    version_commits = version_changes(clone, commits)
    p2_author = second_parent_authors(clone, commits)
    files_of = {c[0]: [p for p, _ in c[7]] for c in commits}
    by_sha = {c[0]: c for c in commits}
    tip_ct = commits[-1][2]
    cut = tip_ct - MATURITY_DAYS * DAY

    last_revert_touch = {}                      # file -> last time a revert (or its target) touched it
    file_times = collections.defaultdict(list)  # file -> commit times (history order)
    authors_seen = set()
    author_tops = set()
    author_subs = set()
    reverted_titles = set()                     # titles of changes known reverted so far
    rows = []
    for sha, parents, ct, an, ae, subject, body, files in commits:
        author = (an, ae)
        if len(parents) > 1 and parents[1] in p2_author:
            author = p2_author[parents[1]]
        who = (author[1] or author[0]).lower()
        paths = [p for p, _ in files]
        title = title_of(subject, body)
        revert = is_revert_commit(subject, body)
        if not revert and paths:
            lines = None if any(n is None for _, n in files) else sum(n for _, n in files)
            sig = set()
            for cname, test in PATH_CLASSES:
                hits = [test(p) for p in paths]
                if all(hits):
                    sig.add(cname + "-only")
                if any(hits):
                    sig.add("touches " + cname)
            if sha in version_commits and len(paths) == 1 and lines is not None and lines <= 2:
                sig |= {"release-only", "touches release"}
            if (BUMP.search(title) and DEP_WORD.search(title)) or CONVENTIONAL_DEPS.match(title):
                sig.add("bump title")
            if RELAND_START.match(title) or normalize(title) in reverted_titles:
                sig.add("reland")
            if TENTATIVE.search(title):
                sig.add("tentative title")
            if TENTATIVE.search(subject + "\n" + body):
                sig.add("extra: tentative description")
            if BOT.search(author[0]) or BOT.search(author[1]):
                sig.add("bot author")
            if any(last_revert_touch.get(p, -1) >= ct - 30 * DAY for p in paths):
                sig.add("near revert 30d")
            if any(last_revert_touch.get(p, -1) >= ct - 90 * DAY for p in paths):
                sig.add("near revert 90d")
            for p in paths:
                t = file_times.get(p)
                if t and len(t) - bisect.bisect_left(t, ct - 7 * DAY) >= 3:
                    sig.add("hot file")
                    break
            if who not in authors_seen:
                sig.add("first change")
            tops = {p.split("/", 1)[0] if "/" in p else "(root)" for p in paths}
            if any((who, t) not in author_tops for t in tops):
                sig.add("first in folder")
            if who not in authors_seen or any((who, subsystem_of(p)) not in author_subs for p in paths):
                sig.add("post hoc: first in subsystem")
            if provisional(title, body):
                sig.add("post hoc: tentative wording")
            code = [p for p in paths if not any(test(p) for _, test in PATH_CLASSES)]
            if code and not any(is_tests(p) for p in paths):
                sig.add("extra: no tests, code")
            if ct <= cut:
                rows.append({"sha": sha, "ct": ct, "lines": lines, "files": len(paths), "label": label.get(sha, ""),
                             "title": title[:100], "signals": sorted(sig)})
        # The history as known after this commit.
        for p in paths:
            bisect.insort(file_times[p], ct)
        authors_seen.add(who)
        author_tops.update((who, p.split("/", 1)[0] if "/" in p else "(root)") for p in paths)
        author_subs.update((who, subsystem_of(p)) for p in paths)
        for target in targets_of.get(sha, []):
            for p in set(paths) | set(files_of.get(target, [])):
                last_revert_touch[p] = ct
            tc = by_sha.get(target)
            if tc:
                reverted_titles.add(normalize(title_of(tc[5], tc[6])))
    return {"name": name, "half": HALF.get(name, os.environ.get("HALF", "?")), "tip": order[-1], "tip_ct": tip_ct,
            "first_parent": len(order), "revert_events": len(events), "rows": rows}


def run(clones_dir, out_dir, names):
    os.makedirs(out_dir, exist_ok=True)
    for name in names or [r.split("/")[1] for r in REPOS]:
        clone = os.path.join(clones_dir, name + ".git")
        if not os.path.isdir(clone):
            print(f"{name}: no clone at {clone}, skipped", file=sys.stderr)
            continue
        d = analyse(clone, name)
        with open(os.path.join(out_dir, name + ".json"), "w", encoding="utf-8") as f:
            json.dump(d, f)
        rev = sum(1 for r in d["rows"] if r["label"])
        print(f"{name}: {len(d['rows'])} mature changes, {rev} reverted", file=sys.stderr)


def approvable(r):
    return r["lines"] is not None and r["lines"] <= APPROVABLE_LINES and r["files"] <= APPROVABLE_FILES


def rr(rows, signal):
    """(a, reverted, b, others, RR, lo, hi): a reverted and b others have the signal."""
    pos = [r for r in rows if r["label"]]
    neg = [r for r in rows if not r["label"]]
    a = sum(signal in r["signals"] for r in pos)
    b = sum(signal in r["signals"] for r in neg)
    c, d = len(pos) - a, len(neg) - b
    q, lo, hi = ratio_ci(a, a + b, c, c + d) if a + b and c + d else (float("nan"),) * 3
    return a, len(pos), b, len(neg), q, lo, hi


def fmt_rr(q, lo, hi):
    return "–" if q != q else f"{q:.2f} ({lo:.2f}–{hi:.2f})"


def signal_table(repos, names):
    print("| signal | reverted with / reverted | others with / others | P(rev given signal) | RR (95% CI) | repos RR > 1 | all sizes: RR (95% CI) |")
    print("|---|---|---|---|---|---|---|")
    pooled = [r for n in names for r in repos[n]["rows"] if approvable(r)]
    pooled_all = [r for n in names for r in repos[n]["rows"]]
    verdict = {}
    for sig, _ in SIGNALS:
        a, p, b, n, q, lo, hi = rr(pooled, sig)
        per = [rr([r for r in repos[x]["rows"] if approvable(r)], sig) for x in names]
        defined = [x for x in per if x[4] == x[4] and x[0] + x[2] > 0]
        above = sum(x[4] > 1 for x in defined)
        qa = rr(pooled_all, sig)
        print(f"| {sig} | {a}/{p} = {100*a/max(1,p):.1f}% | {b}/{n} = {100*b/max(1,n):.1f}% | {100*a/max(1,a+b):.2f}% | {fmt_rr(q, lo, hi)} "
              f"| {above}/{len(defined)} | {fmt_rr(*qa[4:])} |")
        verdict[sig] = (q, lo, hi, above, len(defined))
    return verdict


def report(out_dir):
    repos = {}
    for f in sorted(os.listdir(out_dir)):
        if f.endswith(".json"):
            with open(os.path.join(out_dir, f), encoding="utf-8") as fh:
                d = json.load(fh)
            repos[d["name"]] = d
    halves = {h: [n for n in repos if repos[n]["half"] == h] for h in ("TUNE", "CHECK")}
    print("## repositories\n")
    print("| repository | half | tip | first-parent commits | mature changes (approvable / all) | reverted (approvable / all) | base rate approvable |")
    print("|---|---|---|---|---|---|---|")
    for h in ("TUNE", "CHECK"):
        for n in halves[h]:
            d = repos[n]
            rows = d["rows"]
            ap = [r for r in rows if approvable(r)]
            ra, rall = sum(1 for r in ap if r["label"]), sum(1 for r in rows if r["label"])
            day = time.strftime("%Y-%m-%d", time.gmtime(d["tip_ct"]))
            print(f"| {n} | {h} | {d['tip'][:12]} ({day}) | {d['first_parent']} | {len(ap)} / {len(rows)} "
                  f"| {ra} / {rall} | {100*ra/max(1,len(ap)):.2f}% |")
        rows = [r for n in halves[h] for r in repos[n]["rows"]]
        ap = [r for r in rows if approvable(r)]
        ra = sum(1 for r in ap if r["label"])
        print(f"| **{h}** | | | | {len(ap)} / {len(rows)} | {ra} / {sum(1 for r in rows if r['label'])} | {100*ra/max(1,len(ap)):.2f}% |")
    verdicts = {}
    for h in ("TUNE", "CHECK"):
        print(f"\n## {h}: signals, approvable-size changes (≤ {APPROVABLE_LINES} lines, ≤ {APPROVABLE_FILES} files)\n")
        verdicts[h] = signal_table(repos, halves[h])
        print(f"\n## {h}: revert rate by size (approvable sizes, then XL)\n")
        rows = [r for n in halves[h] for r in repos[n]["rows"]]
        for s in ("XS", "S", "M", "L", "XL"):
            g = [r for r in rows if size_label(r["lines"] if r["lines"] is not None else 10**9) == s and (s == "XL" or approvable(r))]
            k = sum(1 for r in g if r["label"])
            print(f"- {s}: {k}/{len(g)} = {100*k/max(1,len(g)):.2f}%")
    print("\n## signals whose RR CI is above 1 on TUNE, and on CHECK\n")
    for sig, desc in SIGNALS:
        t, c = verdicts["TUNE"][sig], verdicts["CHECK"][sig]
        held = t[1] > 1 and c[1] > 1
        mark = "holds on both" if held else ("TUNE only" if t[1] > 1 else ("CHECK only" if c[1] > 1 else "neither"))
        print(f"- {sig} ({desc}): TUNE {fmt_rr(*t[:3])}, {t[3]}/{t[4]} repos; CHECK {fmt_rr(*c[:3])}, "
              f"{c[3]}/{c[4]} repos: **{mark}**")
    # The post-hoc forms stay out of the tables read before them (bench/README.md).
    held = [sig for sig, _ in SIGNALS if not sig.startswith("post hoc")
            and verdicts["TUNE"][sig][1] > 1 and verdicts["CHECK"][sig][1] > 1]
    print("\n## per repository: RR of the signals that held (reverted with signal / reverted), approvable sizes\n")
    print("| repository | half | " + " | ".join(held) + " |")
    print("|---|---|" + "---|" * len(held))
    for h in ("TUNE", "CHECK"):
        for n in halves[h]:
            rows = [r for r in repos[n]["rows"] if approvable(r)]
            cells = []
            for sig in held:
                a, p, _, _, q, _, _ = rr(rows, sig)
                cells.append(("–" if q != q else f"{q:.1f}") + f" ({a}/{p})")
            print(f"| {n} | {h} | " + " | ".join(cells) + " |")
    print("\n## post hoc: refusing the signals that held on both (approvable sizes)\n")
    strong = [sig for sig in held if verdicts["TUNE"][sig][0] >= 3 and verdicts["CHECK"][sig][0] >= 3]
    union_table(repos, halves, held, strong)


def union_table(repos, halves, held, strong):
    """Post hoc (the set is chosen by reading both halves): a policy that
    refuses to auto-approve a change with any of `held`."""
    print("| signals (any of) | half | reverted flagged | others flagged | P(rev given flagged) | RR (95% CI) |")
    print("|---|---|---|---|---|---|")
    sets = [[s] for s in held] + [strong, held]
    for group in sets:
        for h in ("TUNE", "CHECK"):
            rows = [dict(r, signals=["any"] if set(group) & set(r["signals"]) else [])
                    for n in halves[h] for r in repos[n]["rows"] if approvable(r)]
            a, p, b, n, q, lo, hi = rr(rows, "any")
            print(f"| {' or '.join(group)} | {h} | {a}/{p} = {100*a/max(1,p):.0f}% | {b}/{n} = {100*b/max(1,n):.1f}% "
                  f"| {100*a/max(1,a+b):.2f}% | {fmt_rr(q, lo, hi)} |")


def selftest():
    """A made-up history whose labels and signals are known; exits non-zero on a mismatch."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        work = os.path.join(tmp, "w")
        os.makedirs(work)

        def sh(*args, day=0, who="alice"):
            env = dict(os.environ, GIT_AUTHOR_NAME=who, GIT_AUTHOR_EMAIL=f"{who}@example.com",
                       GIT_COMMITTER_NAME=who, GIT_COMMITTER_EMAIL=f"{who}@example.com",
                       GIT_AUTHOR_DATE=f"{1600000000 + int(day * DAY)} +0000",
                       GIT_COMMITTER_DATE=f"{1600000000 + int(day * DAY)} +0000")
            return subprocess.run(["git", "-C", work, *args], env=env, check=True, capture_output=True, text=True).stdout

        def commit(path, text, subject, day, who="alice"):
            full = os.path.join(work, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "a", encoding="utf-8") as f:
                f.write(text + "\n")
            sh("add", path, day=day, who=who)
            sh("commit", "-q", "-m", subject, day=day, who=who)
            return sh("rev-parse", "HEAD").strip()

        sh("init", "-q", "-b", "main")
        docs = commit("README.md", "hello", "Add a readme", 0)
        for i in range(3):
            commit("src/a.py", f"x = {i}", f"Change a {i}", 1 + i / 10)
        hot = commit("src/a.py", "y = 1", "Change a again", 1.5)
        ci = commit(".github/workflows/ci.yml", "on: push", "WIP: try a CI job", 2, who="bob")
        sh("revert", "--no-edit", ci, day=3)
        reland = commit(".github/workflows/ci.yml", "on: push", "Reland: WIP: try a CI job", 4)
        bump = commit("package.json", "{}", "Bump lodash from 1.0.0 to 1.0.1", 5, who="dependabot[bot]")
        squashed = commit("src/c.py", "c = 1", "Add c (#12)", 6)
        commit("src/c.py", "c = 0", 'Revert "Add c" (#13)', 7)  # a squash merge: no "This reverts commit"
        commit("src/b.py", "z = 2", "Add b", 200)
        clone = os.path.join(tmp, "c.git")
        subprocess.run(["git", "clone", "-q", "--bare", work, clone], check=True)
        d = analyse(clone, "selftest")
    rows = {r["sha"]: r for r in d["rows"]}
    want = {
        docs: ("", {"docs-only", "touches docs", "first change", "first in folder", "post hoc: first in subsystem"}),
        hot: ("", {"hot file", "extra: no tests, code"}),
        ci: ("reverts", {"ci-only", "touches ci", "tentative title", "extra: tentative description",
                         "first change", "first in folder", "post hoc: first in subsystem",
                         "post hoc: tentative wording"}),
        reland: ("", {"ci-only", "touches ci", "tentative title", "extra: tentative description", "reland",
                      "near revert 30d", "near revert 90d"}),  # alice's revert touched .github; two prefixes
                                                               # before "try": not intent/tentative's title form
        bump: ("", {"deps-only", "touches deps", "bump title", "bot author", "first change", "first in folder",
                    "post hoc: first in subsystem"}),
        squashed: ("subject", {"extra: no tests, code"}),
    }
    bad = 0
    if len(rows) != 9:  # 12 commits: the 2 reverts are left out and the last is younger than 90 days
        print(f"rows: {len(rows)}, want 9")
        bad += 1
    for sha, (lab, sig) in want.items():
        got = rows.get(sha)
        if not got or got["label"] != lab or set(got["signals"]) != sig:
            print(f"{sha[:10]}: want {lab!r} {sorted(sig)}, got {got and (got['label'], got['signals'])}")
            bad += 1
    print("selftest " + ("failed" if bad else "passed"))
    sys.exit(1 if bad else 0)


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "run":
        run(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif cmd == "report":
        report(sys.argv[2])
    elif cmd == "selftest":
        selftest()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
