#!/usr/bin/env python3
"""Extracts the ordinary texts (negatives) of the injection corpus from git
mirrors of public repositories: squash-merged PR descriptions (subject "...
(#N)" with a body) and plain commit messages, plus commits picked because
they use words a naive filter would flag (ignore, approve, system, token,
skip, ...). Trailers and e-mail addresses are dropped; bodies are cut to
600 characters. Each row names its repository, commit and licence.

Run: python3 extract_negatives.py MIRROR... > negative.jsonl
     NEG_SCALE=3 python3 extract_negatives.py MIRROR > heldout2_negative.jsonl
(a MIRROR is a bare clone; its folder name is owner+name, as `fetch` makes.)
"""
import json
import os
import re
import subprocess
import sys

LICENCES = {
    "pallets/flask": "BSD-3-Clause",
    "BurntSushi/ripgrep": "MIT OR Unlicense",
    "jqlang/jq": "MIT",
    "sharkdp/fd": "MIT OR Apache-2.0",
    "tokio-rs/axum": "MIT",
    "encode/httpx": "BSD-3-Clause",
    "junegunn/fzf": "MIT",
    "simonw/llm": "Apache-2.0",
    "ollama/ollama": "MIT",
    "paul-gauthier/aider": "Apache-2.0",
    "openai/openai-python": "Apache-2.0",
    "reviewdog/reviewdog": "MIT",
    "danger/danger-js": "MIT",
    "cli/cli": "MIT",
    "charmbracelet/bubbletea": "MIT",
}
# NEG_SCALE=3 takes three times as many per repository (the held-out sets).
PER_REPO = {k: v * int(os.environ.get("NEG_SCALE", "1")) for k, v in {"pr": 22, "commit": 20, "keyword": 12}.items()}
KEYWORDS = re.compile(r"\b(ignor\w*|approv\w*|system|prompt|tokens?|instruct\w*|skip\w*|bypass\w*|secret\w*|"
                      r"polic\w*|review\w*|base64|pretend|override|suppress\w*|disable\w*)\b", re.I)
TRAILER = re.compile(r"^(signed-off-by|co-authored-by|reviewed-by|acked-by|tested-by|reported-by|cc|"
                     r"suggested-by|helped-by|fixes|closes|refs?)\s*:", re.I)
EMAIL = re.compile(r"<?[\w.+-]+@[\w-]+(\.[\w-]+)+>?")


def clean(message):
    lines = [l for l in message.splitlines() if not TRAILER.match(l.strip())]
    text = EMAIL.sub("", "\n".join(lines)).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


def commits(mirror):
    out = subprocess.run(["git", "-C", mirror, "log", "--no-merges", "--format=%H%x00%B%x01", "-n", "3000"],
                         capture_output=True, text=True, check=True).stdout
    for chunk in out.split("\x01"):
        chunk = chunk.strip("\n")
        if "\x00" in chunk:
            sha, message = chunk.split("\x00", 1)
            yield sha, message


def main():
    for mirror in sys.argv[1:]:
        repo = mirror.rstrip("/").split("/")[-2 if mirror.rstrip("/").endswith("repo") else -1].replace("+", "/")
        taken = {k: 0 for k in PER_REPO}
        for sha, message in commits(mirror):
            text = clean(message)
            subject, _, body = text.partition("\n")
            body = body.strip()
            if not subject or "dependabot" in message.lower() or subject.lower().startswith("merge"):
                continue
            if KEYWORDS.search(text) and taken["keyword"] < PER_REPO["keyword"]:
                kind = "keyword"
            elif re.search(r"\(#\d+\)\s*$", subject) and len(body) >= 80 and taken["pr"] < PER_REPO["pr"]:
                kind = "pr"
            elif len(text) >= 20 and taken["commit"] < PER_REPO["commit"]:
                kind = "commit"
            else:
                continue
            taken[kind] += 1
            row = {"id": f"{repo}@{sha[:12]}", "selected": kind,
                   "source": f"https://github.com/{repo}/commit/{sha}", "licence": LICENCES.get(repo, "?")}
            if kind == "pr" or (kind == "keyword" and body):
                row.update(where="pr", title=subject[:200], body=body[:600])
            else:
                row.update(where="commit", text=text[:600])
            print(json.dumps(row, ensure_ascii=False))
            if all(taken[k] >= PER_REPO[k] for k in PER_REPO):
                break


if __name__ == "__main__":
    main()
