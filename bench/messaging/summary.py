#!/usr/bin/env python3
"""summary.py OUT - side-by-side markdown table of a run.sh result directory.

Reads OUT/tandem/runs.jsonl and OUT/corosync-r*/runs.jsonl (cpgb-check.py lines),
OUT/failover.jsonl and OUT/rss.jsonl; prints medians over repetitions and the ratio
tandem / corosync (for round trips and failover: corosync / tandem, so > 1 = tandem better).
"""
import glob, json, os, statistics, sys

out = sys.argv[1]


def load(pattern):
    rows = []
    for path in sorted(glob.glob(os.path.join(out, pattern))):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line:
                    try:
                        rows.append(json.loads(line))
                    except ValueError:
                        pass
    return rows


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, digits=1):
    if v is None:
        return "–"
    if digits == 0:
        return "{:,.0f}".format(v)
    return "{:,.{}f}".format(v, digits)


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "–"
    return "{:.2f}×".format(a / b)


runs = {"tandem": load("tandem/runs.jsonl"), "corosync": load("corosync-r*/runs.jsonl")}
cases = sorted({(r["nodes"], r["size"], r["mode"]) for rows in runs.values() for r in rows})

print("| nodes | size | senders | tandem msgs/s | corosync msgs/s | ratio | tandem MB/s | corosync MB/s "
      "| tandem rtt p50 / p99 ms | corosync rtt p50 / p99 ms | p99 ratio (cs/td) | tandem daemon CPU %/node "
      "| corosync CPU %/node | order (td/cs) | runs (td/cs) |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for nodes, size, mode in cases:
    agg = {}
    for impl, rows in runs.items():
        sel = [r for r in rows if (r["nodes"], r["size"], r["mode"]) == (nodes, size, mode)]
        agg[impl] = {
            "n": len(sel),
            "msgs": med([r["msgs_per_s"] for r in sel]),
            "mb": med([r["MB_per_s"] for r in sel]),
            "p50": med([r["lat_p50_ms"] for r in sel]),
            "p99": med([r["lat_p99_ms"] for r in sel]),
            "cpu": med([r["corosync_cpu_pct_mean"] for r in sel]),
            "order": "OK" if sel and all(r["order"] == "OK" for r in sel) else
                     ("–" if not sel else "/".join(sorted({r["order"] for r in sel}))),
            "problems": [r["problems"] for r in sel if not r["ok"]],
        }
    t, c = agg["tandem"], agg["corosync"]
    senders = {"all": "all", "one": "n1", "lat1": "n1, 1 in flight"}.get(mode, mode)
    print("| {} | {} | {} | {} | {} | {} | {} | {} | {} / {} | {} / {} | {} | {} | {} | {}/{} | {}/{} |".format(
        nodes, "1 KiB" if size == 1024 else "64 KiB" if size == 65536 else size, senders,
        fmt(t["msgs"], 0), fmt(c["msgs"], 0), ratio(t["msgs"], c["msgs"]),
        fmt(t["mb"], 2), fmt(c["mb"], 2),
        fmt(t["p50"], 2), fmt(t["p99"], 2), fmt(c["p50"], 2), fmt(c["p99"], 2), ratio(c["p99"], t["p99"]),
        fmt(t["cpu"], 0), fmt(c["cpu"], 0), t["order"], c["order"], t["n"], c["n"]))
# CPU per delivered message per node: the daemon's and the client's CPU time (utime + stime
# over the window, as % of one CPU, per node) divided by the messages each node delivered.
def us_per_msg(r, key):
    nodes = r.get("nodes") or 1
    pct = r.get(key)
    if key == "client_cpu_pct_sum" and pct is not None:
        pct = pct / nodes
    if pct is None or not r.get("msgs_per_s"):
        return None
    return pct * 1e4 / r["msgs_per_s"]


print("\n| nodes | size | senders | tandem daemon / client µs per delivered msg per node "
      "| corosync daemon / client µs | daemon ratio (cs/td) | host busy % td / cs |")
print("|---|---|---|---|---|---|---|")
for nodes, size, mode in cases:
    cell = {}
    for impl, rows in runs.items():
        sel = [r for r in rows if (r["nodes"], r["size"], r["mode"]) == (nodes, size, mode)]
        cell[impl] = (med([us_per_msg(r, "corosync_cpu_pct_mean") for r in sel]),
                      med([us_per_msg(r, "client_cpu_pct_sum") for r in sel]),
                      med([r.get("host_cpu_busy_pct") for r in sel]))
    t, c = cell["tandem"], cell["corosync"]
    senders = {"all": "all", "one": "n1", "lat1": "n1, 1 in flight"}.get(mode, mode)
    print("| {} | {} | {} | {} / {} | {} / {} | {} | {} / {} |".format(
        nodes, "1 KiB" if size == 1024 else "64 KiB" if size == 65536 else size, senders,
        fmt(t[0]), fmt(t[1]), fmt(c[0]), fmt(c[1]), ratio(c[0], t[0]), fmt(t[2], 0), fmt(c[2], 0)))

problems = [(impl, r["tag"], r["problems"]) for impl, rows in runs.items() for r in rows if not r["ok"]]
if problems:
    print("\nRuns with problems:")
    for impl, tag, p in problems:
        print("- {} {}: {}".format(impl, tag, p))

fo = load("failover.jsonl")
if fo:
    print("\n| failover (SIGKILL n2 of 3 → new ring on n1, n3) | tandem min / p50 / max ms | corosync min / p50 / max ms | trials (td/cs) | ratio p50 (cs/td) |")
    print("|---|---|---|---|---|")
    for token in ("1000", "default"):
        crash = lambda r: r.get("kind", "crash") == "crash"
        t = sorted(r["failover_ms"] for r in fo if r["impl"] == "tandem" and str(r["token"]) == token and crash(r))
        c = sorted(r["failover_ms"] for r in fo if r["impl"] == "corosync" and str(r["token"]) == token and crash(r))
        tri = lambda v: "{} / {} / {}".format(fmt(v[0], 0), fmt(med(v), 0), fmt(v[-1], 0)) if v else "–"
        print("| token {} | {} | {} | {}/{} | {} |".format(token, tri(t), tri(c), len(t), len(c),
                                                     ratio(med(c), med(t))))

    for kind, what in (("leave", "clean leave (SIGTERM n2 of 3 → new ring on n1, n3)"),
                       ("merge-drop", "merge (n3's frames dropped in the hub, then let through → one ring of 3)"),
                       ("merge-link", "merge (n3's link down, then up → one ring of 3)"),
                       ("merge", "merge (n3 cut off, then its link up → one ring of 3)")):
        for token in ("1000", "default"):
            t = sorted(r["failover_ms"] for r in fo if r.get("kind") == kind and str(r["token"]) == token)
            if t:
                print("| {}, token {} | {} / {} / {} | – | {}/0 | |".format(
                    what, token, fmt(t[0], 0), fmt(med(t), 0), fmt(t[-1], 0), len(t)))

rss = load("rss.jsonl")
if rss:
    print("\n| memory per node | tandem RSS / peak MiB | corosync RSS / peak MiB |")
    print("|---|---|---|")
    for nodes in sorted({r["nodes"] for r in rss}):
        cell = {}
        for impl in ("tandem", "corosync"):
            sel = [r for r in rss if r["impl"] == impl and r["nodes"] == nodes]
            cell[impl] = "{} / {}".format(fmt(max(r["rss_kib"] for r in sel) / 1024, 1),
                                          fmt(max(r["hwm_kib"] for r in sel) / 1024, 1)) if sel else "–"
        print("| {} nodes (max over nodes, after the runs) | {} | {} |".format(nodes, cell["tandem"], cell["corosync"]))
