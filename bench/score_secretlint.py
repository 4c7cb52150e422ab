#!/usr/bin/env python3
"""Scores secretlint's JSON output against the labels a bench wrote
(labels.tsv: relative path, pos|neg): a file is flagged when secretlint
reports anything in it. Prints recall and precision, and with --list the
missed positives and flagged negatives.

Usage: score_secretlint.py CASES_DIR SECRETLINT_JSON NAME [--list]"""
import json
import os
import sys

base, out, name = sys.argv[1], sys.argv[2], sys.argv[3]
flagged = set()
for r in json.load(open(out)):
    if r.get("messages"):
        flagged.add(os.path.relpath(r["filePath"], base))
tp = fp = pos = neg = 0
missed, alarms = [], []
for line in open(os.path.join(base, "labels.tsv")):
    path, label = line.rstrip("\n").split("\t")
    hit = path in flagged
    if label == "pos":
        pos += 1
        tp += hit
        if not hit:
            missed.append(path)
    else:
        neg += 1
        fp += hit
        if hit:
            alarms.append(path)
print("%s: %d positives, %d negatives, recall %.1f%% (%d of %d), precision %.1f%% (%d false positives)"
      % (name, pos, neg, 100.0 * tp / pos, tp, pos, 100.0 * tp / (tp + fp) if tp + fp else 0.0, fp))
if "--list" in sys.argv:
    for p in missed:
        print("  missed: " + p)
    for p in alarms:
        print("  false alarm: " + p)
