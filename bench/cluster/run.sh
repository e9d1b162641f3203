#!/bin/bash
# run.sh - Tandem against Pacemaker 2.1.5 + Corosync 3.1.7, side by side in one run.
#
# Usage: bench/cluster/run.sh [-n REPS] [--only tandem|pcmk] [--measures "LIST"] OUT
#   Runs each measurement first on a 3-node tandemd cluster (bench/cluster/measure.sh,
#   namespaces tdk-*, 10.208.0.0/24), then on pcmk-lab's 3-node Corosync + Pacemaker
#   cluster (its own measure-*.sh, namespaces pcmk-*, 10.99.0.0/24), both with
#   totem.token 1000 and 3 nodes, and writes every raw table plus OUT/summary.txt.
#   LIST defaults to "coldstart failover rscfail switchover bulk memory".
#   Both labs are torn down at the end, also on failure or Ctrl-C.
# Needs root; TANDEM_BIN names the directory holding release builds of tandem and tandemd.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
PCMK_LAB=${PCMK_LAB:-$(cd "$HERE/../../../shared/tools/pcmk-lab" 2>/dev/null && pwd)}
reps=3; only=""; measures="coldstart failover rscfail switchover bulk memory"
while (($#)); do
    case $1 in
        -n) reps=$2; shift 2;;
        --only) only=$2; shift 2;;
        --measures) measures=$2; shift 2;;
        -h|--help) sed -n '2,12p' "$0"; exit 0;;
        -*) echo "unknown option $1" >&2; exit 64;;
        *) break;;
    esac
done
(($# == 1)) || { sed -n '2,12p' "$0"; exit 64; }
OUT=$(mkdir -p "$1" && cd "$1" && pwd)
[[ $(id -u) == 0 ]] || { echo "must run as root" >&2; exit 1; }
[[ -x $PCMK_LAB/measure-all.sh ]] || { echo "pcmk-lab not found (set PCMK_LAB)" >&2; exit 1; }
export PCMK_LAB TANDEM_BIN=${TANDEM_BIN:-$(cd "$HERE/../.." && pwd)/target/release}

cleanup() {
    "$HERE/measure.sh" down >/dev/null 2>&1
    [[ $only == tandem ]] || "$PCMK_LAB/lab-down.sh" --quiet >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tandem_side() {   # MEASURE
    case $1 in
        memory) TDK_RESULTS=$OUT/tandem "$HERE/measure.sh" memory --count 100;;
        bulk) TDK_RESULTS=$OUT/tandem "$HERE/measure.sh" bulk -n "$reps" --count 100;;
        *) TDK_RESULTS=$OUT/tandem "$HERE/measure.sh" "$1" -n "$reps";;
    esac
}
pcmk_side() {     # MEASURE
    local env=(env LAB_RESULTS="$OUT/pcmk" LAB_TOKEN=1000)
    case $1 in
        coldstart) "${env[@]}" "$PCMK_LAB/measure-coldstart.sh" -n "$reps" --token 1000 --variants restart;;
        failover) "${env[@]}" "$PCMK_LAB/measure-failover.sh" -n "$reps" --token 1000 --victim both;;
        memory) "${env[@]}" "$PCMK_LAB/measure-memory.sh" --count 100;;
        bulk) "${env[@]}" "$PCMK_LAB/measure-bulk.sh" -n "$reps" --count 100 --token 1000;;
        *) "${env[@]}" "$PCMK_LAB/measure-$1.sh" -n "$reps" --token 1000;;
    esac
}

{
    echo "# bench/cluster/run.sh -n $reps — $(date -Is) — $(nproc) CPUs, loadavg at start $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "# tandem: $("$TANDEM_BIN/tandem" --version), $(cd "$HERE" && git rev-parse --short HEAD 2>/dev/null)"
} >"$OUT/summary.txt"
if [[ $only != pcmk ]]; then
    "$HERE/measure.sh" up >/dev/null || exit 1
    for m in $measures; do
        echo "== tandem $m (loadavg $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$OUT/summary.txt"
        tandem_side "$m" > >(tee "$OUT/tandem-$m.log") 2>&1 || echo "tandem $m FAILED" | tee -a "$OUT/summary.txt"
        grep -E 'n=[0-9]+|TOTAL' "$OUT/tandem-$m.log" >>"$OUT/summary.txt"
    done
    "$HERE/measure.sh" down
fi
if [[ $only != tandem ]]; then
    for m in $measures; do
        echo "== pcmk $m (loadavg $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$OUT/summary.txt"
        pcmk_side "$m" > >(tee "$OUT/pcmk-$m.log") 2>&1 || echo "pcmk $m FAILED" | tee -a "$OUT/summary.txt"
        grep -E 'n=[0-9]+|TOTAL' "$OUT/pcmk-$m.log" >>"$OUT/summary.txt"
    done
fi
echo "# loadavg at end $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/summary.txt"
cat "$OUT/summary.txt"
