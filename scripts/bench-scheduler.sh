#!/usr/bin/env bash
# Scheduler benchmark: `tandem crm_simulate` side by side with Debian's
# crm_simulate (Pacemaker 2.1.5) on synthetic CIBs from shared/tools/gen-cib.
#
# Usage: scripts/bench-scheduler.sh [OUT_DIR]
#
# For each size (NODESxRESOURCES) and each state (all nodes up / last node
# lost), generates one CIB and times `-R` (schedule only) and `-S` (schedule
# and simulate) of both tools, alternating ours and the reference run by run.
# Each cell is the median wall time, CPU time (user+sys) and peak RSS
# (/usr/bin/time). On a shared, loaded machine compare CPU times: wall times
# include waiting for a core.
# The reference is killed after REF_TIMEOUT seconds; once it timed out at a
# size, larger sizes (by nodes x resources) are not tried for that mode.
#
# Knobs (environment):
#   TANDEM      our binary               (default target/release/tandem, or
#                                         $CARGO_TARGET_DIR/release/tandem)
#   REFERENCE   reference crm_simulate   (default /usr/sbin/crm_simulate)
#   SHARED      shared/ folder           (default ../shared beside the checkout)
#   SIZES       space-separated NxR list (default: 3x500 16x1000 16x2000
#                                         32x1000 32x5000 16x10000)
#   RUNS        runs per cell for ours   (default 5)
#   REF_RUNS    runs per cell for the reference (default 3; 1 once a run
#                                         took longer than REF_SLOW seconds)
#   REF_SLOW    see REF_RUNS             (default 20)
#   REF_TIMEOUT seconds per reference run (default 300)
#   OUR_TIMEOUT seconds per run of ours  (default 120)
#   REF_S_MAX   largest nodes*resources for which the reference runs -S
#               (default 1500, i.e. 3x500: its -S is far slower than -R)
#   SEED        gen-cib seed             (default 1)
#
# Output: a Markdown table on stdout, and OUT_DIR/results.tsv (one row per
# run) plus OUT_DIR/plot.tsv (resources*nodes, seconds, both tools).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

OUT=${1:-$(mktemp -d /tmp/bench-scheduler.XXXXXX)}
mkdir -p "$OUT"
if [ -z "${TANDEM:-}" ]; then
    TANDEM="${CARGO_TARGET_DIR:-$ROOT/target}/release/tandem"
fi
REFERENCE=${REFERENCE:-/usr/sbin/crm_simulate}
SHARED=${SHARED:-$ROOT/../shared}
SIZES=${SIZES:-"3x500 16x1000 16x2000 32x1000 32x5000 16x10000"}
RUNS=${RUNS:-5}
REF_RUNS=${REF_RUNS:-3}
REF_SLOW=${REF_SLOW:-20}
REF_TIMEOUT=${REF_TIMEOUT:-300}
OUR_TIMEOUT=${OUR_TIMEOUT:-120}
REF_S_MAX=${REF_S_MAX:-1500}
SEED=${SEED:-1}
GEN="$SHARED/tools/gen-cib"

for f in "$TANDEM" "$REFERENCE" /usr/bin/time; do
    [ -x "$f" ] || { echo "bench-scheduler: $f not found or not executable" >&2; exit 2; }
done
[ -f "$GEN" ] || { echo "bench-scheduler: $GEN not found (set SHARED)" >&2; exit 2; }

RESULTS="$OUT/results.tsv"
printf 'nodes\tresources\tlost\tmode\ttool\trun\tstatus\tseconds\tpeak_kib\tcpu_seconds\n' >"$RESULTS"

# run_one TOOL_NAME TIMEOUT MODE CIB -> prints "STATUS WALL_SECONDS PEAK_KIB CPU_SECONDS"
run_one() {
    local tool=$1 limit=$2 mode=$3 cib=$4 bin tlog rc t0 t1 secs
    if [ "$tool" = tandem ]; then bin=("$TANDEM" crm_simulate); else bin=("$REFERENCE"); fi
    tlog=$(mktemp "$OUT/time.XXXXXX")
    set +e
    t0=$(date +%s%N)
    # CIB_shadow_dir: the reference writes nothing there with -x, but keep it out of $HOME.
    CIB_shadow_dir="$OUT" timeout --signal=KILL "$limit" \
        /usr/bin/time -f '%e %M %U %S' -o "$tlog" \
        "${bin[@]}" -x "$cib" "$mode" >"$OUT/last-$tool$mode.out" 2>&1
    rc=$?
    t1=$(date +%s%N)
    set -e
    # Wall time from the shell clock (ms resolution; /usr/bin/time's %e has
    # only 10 ms), peak RSS from /usr/bin/time.
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b - a) / 1e9}')
    if [ $rc -eq 137 ] || [ ! -s "$tlog" ] || grep -q 'Command terminated by signal' "$tlog"; then
        echo "timeout $secs 0 0"
    elif [ $rc -ne 0 ]; then
        echo "error-$rc $secs $(tail -n1 "$tlog" | awk '{print $2, $3 + $4}')"
    else
        echo "ok $secs $(tail -n1 "$tlog" | awk '{print $2, $3 + $4}')"
    fi
    rm -f "$tlog"
}

median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print "-"; else if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }

declare -A REF_DEAD   # mode -> nodes*resources at which the reference timed out

echo "| nodes × resources | lost node | mode | tandem wall s | tandem CPU s | crm_simulate wall s | crm_simulate CPU s | speed-up (CPU) | tandem peak MiB | crm_simulate peak MiB | memory ratio |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for size in $SIZES; do
    nodes=${size%x*}; rscs=${size#*x}; cells=$((nodes * rscs))
    for lost in no yes; do
        cib="$OUT/cib-${nodes}x${rscs}-lost-$lost.xml"
        extra=(); [ "$lost" = yes ] && extra=(--lost-node)
        python3 "$GEN" --nodes "$nodes" --resources "$rscs" --seed "$SEED" "${extra[@]}" -o "$cib"
        for mode in -R -S; do
            ref_ok=1; ref_note=""
            if [ "$mode" = -S ] && [ "$cells" -gt "$REF_S_MAX" ]; then ref_ok=0; ref_note="not run (-S above REF_S_MAX)"; fi
            if [ -n "${REF_DEAD[$mode]:-}" ] && [ "$cells" -ge "${REF_DEAD[$mode]}" ]; then
                ref_ok=0; ref_note="not run (timed out at a smaller size)"
            fi
            ours_t=(); ours_m=(); ours_c=(); ref_t=(); ref_m=(); ref_c=(); ref_runs=$REF_RUNS; ours_note=""
            for ((i = 1; i <= RUNS; i++)); do
                if [ -z "$ours_note" ]; then
                    read -r st sec kib cpu < <(run_one tandem "$OUR_TIMEOUT" "$mode" "$cib")
                    printf '%s\t%s\t%s\t%s\ttandem\t%s\t%s\t%s\t%s\t%s\n' "$nodes" "$rscs" "$lost" "$mode" "$i" "$st" "$sec" "$kib" "$cpu" >>"$RESULTS"
                    if [ "$st" = ok ]; then
                        ours_t+=("$sec"); ours_m+=("$kib"); ours_c+=("$cpu")
                    else
                        echo "bench-scheduler: tandem $mode on $cib: $st" >&2
                        ours_note="$st after ${sec}s"; ours_t=()
                    fi
                fi
                if [ "$ref_ok" = 1 ] && [ "$i" -le "$ref_runs" ]; then
                    read -r st sec kib cpu < <(run_one ref "$REF_TIMEOUT" "$mode" "$cib")
                    printf '%s\t%s\t%s\t%s\tcrm_simulate\t%s\t%s\t%s\t%s\t%s\n' "$nodes" "$rscs" "$lost" "$mode" "$i" "$st" "$sec" "$kib" "$cpu" >>"$RESULTS"
                    if [ "$st" != ok ]; then
                        ref_ok=0; REF_DEAD[$mode]=$cells
                        ref_note="$st after ${REF_TIMEOUT}s"; ref_t=(); ref_m=(); ref_c=()
                    else
                        ref_t+=("$sec"); ref_m+=("$kib"); ref_c+=("$cpu")
                        if awk -v s="$sec" -v l="$REF_SLOW" 'BEGIN {exit !(s > l)}'; then ref_runs=$i; fi
                    fi
                fi
            done
            if [ ${#ours_t[@]} -gt 0 ]; then
                ot=$(printf '%s\n' "${ours_t[@]}" | median)
                oc=$(printf '%s\n' "${ours_c[@]}" | median)
                om=$(printf '%s\n' "${ours_m[@]}" | median)
                otcol="$ot (n=${#ours_t[@]})"
                omcol=$(awk -v k="$om" 'BEGIN {printf "%.1f", k / 1024}')
            else
                otcol="$ours_note"; oc="-"; om=0; omcol="-"
            fi
            if [ ${#ref_t[@]} -gt 0 ]; then
                rt=$(printf '%s\n' "${ref_t[@]}" | median)
                rc_=$(printf '%s\n' "${ref_c[@]}" | median)
                rm_=$(printf '%s\n' "${ref_m[@]}" | median)
                rtcol="$rt (n=${#ref_t[@]})"
                rmcol=$(awk -v k="$rm_" 'BEGIN {printf "%.1f", k / 1024}')
                if [ ${#ours_t[@]} -gt 0 ]; then
                    speed=$(awk -v a="$rc_" -v b="$oc" 'BEGIN {if (b > 0) printf "%.1f×", a / b; else print "> " a / 0.01 "×"}')
                    memr=$(awk -v a="$rm_" -v b="$om" 'BEGIN {printf "1/%.1f", a / b}')
                else
                    speed="-"; memr="-"
                fi
            else
                rtcol="${ref_note}"; rc_="-"; rmcol="-"; speed="-"; memr="-"
            fi
            printf '| %s × %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
                "$nodes" "$rscs" "$lost" "$mode" "$otcol" "$oc" "$rtcol" "$rc_" "$speed" "$omcol" "$rmcol" "$memr"
        done
        rm -f "$cib"
    done
done

# Plot data: resources x nodes on x, median CPU seconds on y, both tools, no lost node.
awk -F'\t' 'NR > 1 && $7 == "ok" && $3 == "no" {
        k = $1 * $2 "\t" $1 "x" $2 "\t" $4 "\t" $5; v[k] = v[k] " " $10
    } END {
        for (k in v) { n = split(substr(v[k], 2), a, " "); asort(a); m = (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2; print k "\t" m }
    }' "$RESULTS" | sort -k1,1n -k3,3 -k4,4 >"$OUT/plot.tsv.body"
{ printf 'nodes_x_resources\tsize\tmode\ttool\tmedian_cpu_seconds\n'; cat "$OUT/plot.tsv.body"; } >"$OUT/plot.tsv"
rm -f "$OUT/plot.tsv.body"
echo
echo "raw runs: $RESULTS; plot data: $OUT/plot.tsv"
