#!/usr/bin/env python3
"""Rewrites docs/conformance.md's headline table and failing-case lists from a
sched-conformance --json file, keeping the feature groups the doc already names.

Usage: ../shared/tools/sched-conformance --cmd "target/release/tandem crm_simulate" --json R.json
       scripts/conformance-doc.py R.json [docs/conformance.md]

A failing case keeps the group it is listed under; a newly failing case goes to
"other (not yet grouped)". Groups are ordered by their failing count, largest first.
"""
import json
import re
import sys

LEVELS = ("decisions", "actions", "full")


def main() -> int:
    if len(sys.argv) not in (2, 3):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    results = json.load(open(sys.argv[1]))
    doc_path = sys.argv[2] if len(sys.argv) == 3 else "docs/conformance.md"
    doc = open(doc_path).read()
    total = len(results)
    if total == 0:
        print("no results in the json file", file=sys.stderr)
        return 1
    first_fail = {}
    for r in results:
        for level in LEVELS:
            if not r[level]:
                first_fail[r["case"]] = level
                break
    passing = {lv: sum(1 for r in results if r[lv]) for lv in LEVELS}
    table = "| level | passing |\n| --- | --- |\n" + "".join(
        f"| {lv} | {passing[lv]}/{total} ({100 * passing[lv] / total:.1f}%) |\n" for lv in LEVELS
    )
    doc, n = re.subn(r"\| level \| passing \|\n\| --- \| --- \|\n(\|.*\|\n)+", table, doc, count=1)
    if n != 1:
        print(f"{doc_path}: headline table not found", file=sys.stderr)
        return 1

    head, sep, body = doc.partition("## Failing cases by the feature they need\n")
    if not sep:
        print(f"{doc_path}: '## Failing cases by the feature they need' not found", file=sys.stderr)
        return 1
    intro, _, _ = body.partition("\n### ")
    groups = []  # (title, [cases])
    for m in re.finditer(r"^### (.*?) \(\d+\)\n(.*?)(?=^### |\Z)", body, re.S | re.M):
        cases = re.findall(r"^- fails at \*\*\w+\*\* \(\d+\): (.*)$", m.group(2), re.M)
        names = [c.strip() for line in cases for c in line.split(",") if c.strip()]
        groups.append((m.group(1), names))
    placed = set()
    sections = []
    for title, names in groups:
        failing = [c for c in names if c in first_fail and c not in placed]
        placed.update(failing)
        sections.append((title, failing))
    other = sorted(c for c in first_fail if c not in placed)
    if other:
        sections.append(("other (not yet grouped)", other))
    sections = [s for s in sections if s[1]]
    sections.sort(key=lambda s: -len(s[1]))
    out = [head, sep, intro.rstrip("\n") + "\n"]
    for title, failing in sections:
        out.append(f"\n### {title} ({len(failing)})\n\n")
        for level in LEVELS:
            at = sorted(c for c in failing if first_fail[c] == level)
            if at:
                out.append(f"- fails at **{level}** ({len(at)}): {', '.join(at)}\n")
    open(doc_path + ".tmp", "w").write("".join(out))
    import os

    os.replace(doc_path + ".tmp", doc_path)
    print(f"decisions {passing['decisions']}/{total}  actions {passing['actions']}/{total}  full {passing['full']}/{total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
