#!/bin/bash
# timeline.sh - per-action timeline of a tandemd lab from its debug logs.
#
# Usage: bench/cluster/timeline.sh [FROM [TO]]    (HH:MM:SS[.frac] UTC; default: whole logs)
#   Needs the nodes started with TDK_LOG="info,executor::runner=debug,controller::controller=debug"
#   (measure.sh up). For every action the DC dispatched between FROM and TO it follows
#     dispatched (DC) -> received (node) -> agent running -> agent finished (node) -> result recorded (DC)
#   and prints, per phase, the count, median, 90th percentile and maximum in ms, plus the
#   slot turnaround: from a result recorded at the DC to the next action it dispatched to
#   the same node. Actions are matched by transition key; executor lines by (node,
#   resource, action) in order.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
LAB_DIR=${LAB_DIR:-/tmp/tdk-bench}
from=${1:-00:00:00}; to=${2:-99:99:99}
[[ ${1:-} == -h || ${1:-} == --help ]] && { sed -n '2,12p' "$0"; exit 0; }
ls "$LAB_DIR"/n*/tandemd.log >/dev/null 2>&1 || { echo "no logs in $LAB_DIR" >&2; exit 1; }

for f in "$LAB_DIR"/n*/tandemd.log; do
    n=$(basename "$(dirname "$f")")
    grep -E 'action dispatched|action received|result recorded|executor::runner: (running|finished)' "$f" |
        awk -v n="$n" '{print $1, n, $0}'
done | sort | awk -v from="$from" -v to="$to" '
function secs(ts,   x) { split(substr(ts, 12, 15), x, ":"); return x[1]*3600 + x[2]*60 + x[3] }
function field(name,   re) { re = name "=[^ ]+"; return match($0, re) ? substr($0, RSTART+length(name)+1, RLENGTH-length(name)-1) : "" }
{
    hms = substr($1, 12, 15); t = secs($1); node = $2
    if ($0 ~ /action dispatched/) {
        if (hms < from || hms > to) next
        k = field("key"); disp[k] = t; dnode[k] = field("node")
        if (dnode[k] in lastrec) print "turnaround", (t - lastrec[dnode[k]]) * 1000
        delete lastrec[dnode[k]]
    } else if ($0 ~ /action received/) {
        k = field("key"); if (!(k in disp)) next
        recv[k] = t; q = node SUBSEP field("rsc") SUBSEP field("task")
        waitrun[q] = waitrun[q] " " k
    } else if ($0 ~ /executor::runner: running/) {
        q = node SUBSEP field("resource") SUBSEP field("action")
        if (!(q in waitrun) || waitrun[q] == "") next
        split(substr(waitrun[q], 2), ks, " "); k = ks[1]; sub(/^ [^ ]+/, "", waitrun[q])
        run[k] = t; waitfin[q] = waitfin[q] " " k
    } else if ($0 ~ /executor::runner: finished/) {
        q = node SUBSEP field("resource") SUBSEP field("action")
        if (!(q in waitfin) || waitfin[q] == "") next
        split(substr(waitfin[q], 2), ks, " "); k = ks[1]; sub(/^ [^ ]+/, "", waitfin[q])
        fin[k] = t
    } else if ($0 ~ /result recorded/) {
        k = field("key"); if (!(k in disp)) next
        rec[k] = t; lastrec[dnode[k]] = t
        if (k in recv) print "1-totem-to-node", (recv[k] - disp[k]) * 1000
        if ((k in run) && (k in recv)) print "2-node-to-agent-start", (run[k] - recv[k]) * 1000
        if ((k in fin) && (k in run)) print "3-agent-run", (fin[k] - run[k]) * 1000
        if (k in fin) print "4-agent-exit-to-recorded-at-DC", (t - fin[k]) * 1000
        print "5-dispatched-to-recorded", (t - disp[k]) * 1000
    }
}' | sort -k1,1 -k2,2g | awk '
function flush(   p) {
    if (name == "") return
    p = int(c * 0.9); if (p < 1) p = 1
    printf "%-32s n=%-5d median=%8.2f ms  p90=%8.2f ms  max=%8.2f ms\n", name, c, v[int((c+1)/2)], v[p], v[c]
}
$1 != name { flush(); name = $1; c = 0 }
{ v[++c] = $2 }
END { flush() }'
