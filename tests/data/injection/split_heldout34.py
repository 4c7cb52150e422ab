#!/usr/bin/env python3
"""Splits one pool of injection texts, written together and blind to the rules,
into two held-out sets: heldout3 (tune) and heldout4 (check, never read by
whoever writes rules). Positives are grouped by category and negatives by
repository, then by where, each in a seeded shuffled order, and rows are
dealt to the two sets alternately, so both sets cover every category,
repository and kind of place alike.
Positive ids are m001... (heldout3) and n001... (heldout4): p and q are
already taken by positive.jsonl.

Run: python3 split_heldout34.py POOL_POSITIVE.jsonl POOL_NEGATIVE.jsonl
(the pool positives carry no id; the pool negatives come from
extract_negatives.py). Writes heldout{3,4}_{positive,negative}.jsonl here.
"""
import json
import os
import random
import sys

SEED = 3434


def deal(rows, group_of, rng):
    # The stable sort keeps the shuffled order inside each (group, where).
    rng.shuffle(rows)
    rows.sort(key=lambda r: (group_of(r), r["where"]))
    sets = ([], [])
    for i, row in enumerate(rows):
        sets[i % 2].append(row)
    return sets


def write(path, rows):
    with open(path, "w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def main():
    rng = random.Random(SEED)
    here = os.path.dirname(os.path.abspath(__file__))
    with open(sys.argv[1], encoding="utf-8") as f:
        positives = [json.loads(l) for l in f if l.strip()]
    with open(sys.argv[2], encoding="utf-8") as f:
        negatives = [json.loads(l) for l in f if l.strip()]
    for number, prefix, rows in zip((3, 4), "mn", deal(positives, lambda r: r["category"], rng)):
        write(os.path.join(here, f"heldout{number}_positive.jsonl"),
              [{"id": f"{prefix}{i:03d}", **row} for i, row in enumerate(rows, 1)])
    for number, rows in zip((3, 4), deal(negatives, lambda r: r["id"].split("@")[0], rng)):
        write(os.path.join(here, f"heldout{number}_negative.jsonl"), rows)


if __name__ == "__main__":
    main()
