#!/usr/bin/env python3
"""Compare `crm_simulate -G` transition graphs with the shared cases' expected graphs.

Usage: scripts/graph-conformance.py --cmd "target/release/tandem crm_simulate"
           [--cases ../shared/scheduler-cases] [--only NAME ...] [--show N] [--json FILE]

For every case it runs `CMD -x CASE.xml -S -Q -G OUT` (plus the case's extra arguments from
index.tsv) and compares OUT with exp/CASE.exp at two levels, ignoring action ids and synapse
order (they are numbering, not meaning):
  actions  the multiset of graph actions, each named by kind, operation key and node
  edges    actions plus, for each action, the set of actions it waits for
With --dot-oracle CMD (e.g. Debian's `crm_simulate`) it also runs both commands with `-D`
and counts the cases whose dot graphs hold the same actions (name, style, colours) and the
same bold edges (the oracle's dashed/optional extras are not compared).
Prints one line per failing case with --show, and the headline last.
"""
import argparse
import collections
import json
import os
import shlex
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

ACTION_TAGS = ("rsc_op", "pseudo_event", "crm_event")


def action_name(el):
    key = el.get("operation_key") or el.get("operation") or "?"
    node = el.get("on_node") or ""
    return f"{el.tag}:{key}@{node}"


def graph_of(path):
    """Returns {action name: frozenset of input names} as a multiset of (name, inputs)."""
    root = ET.parse(path).getroot()
    synapses = []
    for syn in root.iter("synapse"):
        acts = [a for a in syn.find("action_set") if a.tag in ACTION_TAGS]
        inputs = syn.find("inputs")
        trig = []
        if inputs is not None:
            for t in inputs.iter("trigger"):
                trig += [action_name(a) for a in t if a.tag in ACTION_TAGS]
        for a in acts:
            synapses.append((action_name(a), frozenset(trig)))
    return synapses


def case_args(text):
    """The extra arguments of a case: `-t` takes the rest of the column as one date."""
    text = text.strip()
    if text.startswith("-t "):
        return ["-t", text[3:].strip()]
    return shlex.split(text)


def dot_of(path):
    """The (actions, bold edges) of a dot file as crm_simulate -D writes it."""
    actions, edges = set(), set()
    with open(path) as f:
        for line in f:
            line = line.strip()
            if " -> " in line:
                if line.endswith("[ style = bold]"):
                    edges.add(line)
            elif line.startswith('"') and "style=bold" in line:
                actions.add(line)
    return actions, edges


def dot_matches(oracle, cmd, xml, extra, tmp):
    """Whether CMD's -D output holds the oracle's in-graph actions and edges."""
    graphs = []
    for i, c in enumerate((oracle, cmd)):
        out = os.path.join(tmp, f"dot{i}")
        if os.path.exists(out):
            os.remove(out)
        subprocess.run(shlex.split(c) + ["-x", xml, "-S", "-Q", "-D", out] + extra,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60, cwd=tmp)
        graphs.append(dot_of(out))
    return graphs[0] == graphs[1]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cmd", required=True)
    ap.add_argument("--cases", default=os.path.join(here, "..", "..", "shared", "scheduler-cases"))
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--show", type=int, default=0)
    ap.add_argument("--json")
    ap.add_argument("--dot-oracle", help="command whose -D output ours is compared with")
    a = ap.parse_args()
    index = {}
    with open(os.path.join(a.cases, "index.tsv")) as f:
        next(f)
        for line in f:
            parts = line.rstrip("\n").split("\t")
            index[parts[0]] = parts[2] if len(parts) > 2 else ""
    names = a.only or sorted(index)
    unknown = [n for n in names if n not in index]
    if unknown:
        print("unknown cases: " + " ".join(unknown), file=sys.stderr)
        return 2
    counts = collections.Counter()
    results = []
    shown = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            out = os.path.join(tmp, name + ".graph")
            argv = shlex.split(a.cmd) + ["-x", os.path.join(a.cases, "xml", name + ".xml"), "-S", "-Q", "-G", out]
            argv += case_args(index[name])
            try:
                subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60, cwd=tmp)
                got = graph_of(out)
            except Exception:
                got = None
            exp = graph_of(os.path.join(a.cases, "exp", name + ".exp"))
            ok_actions = got is not None and collections.Counter(n for n, _ in got) == collections.Counter(n for n, _ in exp)
            ok_edges = ok_actions and collections.Counter(got) == collections.Counter(exp)
            counts["actions"] += ok_actions
            counts["edges"] += ok_edges
            result = {"case": name, "actions": ok_actions, "edges": ok_edges}
            if a.dot_oracle:
                try:
                    xml = os.path.join(a.cases, "xml", name + ".xml")
                    result["dot"] = dot_matches(a.dot_oracle, a.cmd, xml, case_args(index[name]), tmp)
                except Exception:
                    result["dot"] = False
                counts["dot"] += result["dot"]
            results.append(result)
            if not ok_edges and shown < a.show:
                shown += 1
                print(f"--- {name}")
                if got is None:
                    print("  no graph written")
                    continue
                g, e = collections.Counter(got), collections.Counter(exp)
                for item in sorted((e - g).elements(), key=str)[:8]:
                    print(f"  - {item[0]} <- {sorted(item[1])}")
                for item in sorted((g - e).elements(), key=str)[:8]:
                    print(f"  + {item[0]} <- {sorted(item[1])}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=0)
    n = len(names)
    print(f"actions {counts['actions']}/{n} ({100 * counts['actions'] / n:.1f}%)  "
          f"edges {counts['edges']}/{n} ({100 * counts['edges'] / n:.1f}%)"
          + (f"  dot {counts['dot']}/{n} ({100 * counts['dot'] / n:.1f}%)" if a.dot_oracle else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
