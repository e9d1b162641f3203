#!/bin/bash
# run.sh - tandemd vs corosync 3.1.7 CPG benchmark, side by side, on this machine.
#
# Usage (root): bench/messaging/run.sh [--node-counts "3 5"] [--sizes "1024 65536"]
#     [--modes "all lat1"] [--reps 1] [--duration 5] [--fail-trials 5] [--cs-fail-trials 2]
#     [--reconf-trials 5] [--merge-by udp|drop|link]
#     [--sched rr|other] [--no-corosync] [--no-failover] [--out DIR]
# --sched rr (default): corosync switches itself to SCHED_RR as shipped; tandemd (which does not)
# is started under `chrt -r 99` so both daemons get the same scheduling. --sched other: both
# stay SCHED_OTHER (corosync via system { sched_rr: no }).
# Tandem side: namespaces tdb-hub (bridge) and tdb-n1..nN, addresses 10.207.0.K/24, one tandemd
# per node (udpu — TDB_TRANSPORT=udp: multicast 239.255.207.1 instead, a setting corosync's knet
# has no counterpart for —, crypto_cipher aes256 + crypto_hash sha256, default token as the reference),
# the client tandem-cpg-bench (same logic as cpg-bench.c) on every node; order checked and
# summarised by the shared cpgb-check.py. Corosync side: the shared cpg-bench harness
# (cpgb-run.sh, its own cpgb-* namespaces on 10.98.0.0/24) with the same parameters. For every
# repetition and node count the tandem block runs first, then the corosync block, so machine
# load hits both alike. Then failover (SIGKILL of n2 of 3 -> new ring on the survivors) with
# token 1000 and the default token on both sides, and RSS per node. Results in $OUT (default
# /tmp/tdb-results); the side-by-side table is printed by summary.py at the end.
# Merge trials partition n3 from the others and heal: --merge-by udp (default) with an nftables
# rule in n3's namespace dropping only the cluster's UDP traffic (port 5405) both ways, as
# Jepsen-style tests do with iptables: ARP keeps working, so the heal time is the cluster's own;
# --merge-by drop with a bridge filter rule in the hub (every frame to and from v-n3 dropped, as
# a failed switch port would; ARP fails too, and after the heal a packet to n3 may wait for the
# kernel's next ARP retry, up to 1 s, which the merge time then includes); --merge-by link with
# `ip link set v-n3 down/up` (the node's interface loses carrier, and after `up` the kernel's
# link watcher may take up to 1 s before that interface transmits again). The merge time runs
# from the start of the heal command; with --sched rr the measuring client runs under
# `chrt -r 50` (below the daemons) so that a busy host does not delay its polling.
# Everything is torn down on exit (trap), by PID and by our own namespace names only.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CPGB=${CPGB:-$ROOT/../shared/tools/cpg-bench}
# Both builds go to CARGO_TARGET_DIR when it is set, else to each workspace's own target/.
TANDEMD=${TANDEMD:-${CARGO_TARGET_DIR:-$ROOT/target}/release/tandemd}
CLIENT=${CLIENT:-${CARGO_TARGET_DIR:-$HERE/target}/release/tandem-cpg-bench}
OUT=${OUT:-/tmp/tdb-results}
TDB_DIR=/tmp/tdb-lab
PREFIX=tdb-
NET=10.207.0
NODE_COUNTS="3 5"; SIZES="1024 65536"; MODES="all lat1"; REPS=1; DUR=5
FAIL_TRIALS=5; CS_FAIL_TRIALS=2; RECONF_TRIALS=5; DO_CS=1; DO_FAIL=1; SCHED=rr; MERGE_BY=udp
while (($#)); do
    case $1 in
        --sched) SCHED=$2; shift;;
        --node-counts) NODE_COUNTS=$2; shift;;
        --sizes) SIZES=$2; shift;;
        --modes) MODES=$2; shift;;
        --reps) REPS=$2; shift;;
        --duration) DUR=$2; shift;;
        --fail-trials) FAIL_TRIALS=$2; shift;;
        --cs-fail-trials) CS_FAIL_TRIALS=$2; shift;;
        --reconf-trials) RECONF_TRIALS=$2; shift;;
        --merge-by) MERGE_BY=$2; shift;;
        --no-corosync) DO_CS=0;;
        --no-failover) DO_FAIL=0;;
        --out) OUT=$2; shift;;
        -h|--help) sed -n '2,29p' "$0"; exit 0;;
        *) echo "unknown argument $1" >&2; exit 2;;
    esac; shift
done

log() { printf '[%s] %s\n' "$(date +%H:%M:%S.%3N)" "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }
[[ $EUID -eq 0 ]] || die "must run as root"
[[ -x $TANDEMD && -x $CLIENT ]] || die "build first: cargo build --release -p tandemd; (cd bench/messaging && cargo build --release)"
mkdir -p "$OUT" || die "cannot create $OUT"

node_ns() { echo "${PREFIX}$1"; }
node_dir() { echo "$TDB_DIR/$1"; }
node_sock() { echo "$TDB_DIR/$1/tandem.sock"; }
tdb_nodes() { [[ -r $TDB_DIR/nodes ]] && cat "$TDB_DIR/nodes"; }
# PID of tandemd in node $1's namespace (by comm, among that namespace's PIDs only)
tandemd_pid() {
    local p
    for p in $(ip netns pids "$(node_ns "$1")" 2>/dev/null); do
        [[ $(cat /proc/"$p"/comm 2>/dev/null) == tandemd ]] && { echo "$p"; return 0; }
    done
    return 1
}

# stop every process in our tdb-* namespaces (TERM, then KILL) and delete the namespaces
tdb_down() {
    local ns pids i
    mapfile -t nss < <(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${PREFIX}(hub|n[0-9]+)$" || true)
    for ns in "${nss[@]}"; do
        pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
        [[ -n ${pids// /} ]] && kill -TERM $pids 2>/dev/null
    done
    for ns in "${nss[@]}"; do
        for i in $(seq 1 50); do
            pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
            [[ -z ${pids// /} ]] && break
            ((i > 20)) && kill -KILL $pids 2>/dev/null
            sleep 0.1
        done
        ip netns del "$ns" 2>/dev/null
    done
    return 0
}

CS_UP=0
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    tdb_down
    ((CS_UP)) && "$CPGB/cpgb-down.sh" --quiet
    exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

write_conf() {   # FILE TOKEN(ms|default) KEY NODES...
    local f=$1 token=$2 key=$3 n; shift 3
    {
        printf 'totem {\n    version: 2\n    cluster_name: tdb\n    transport: %s\n' "${TDB_TRANSPORT:-udpu}"
        if [[ ${TDB_TRANSPORT:-udpu} == udp ]]; then
            printf '    interface {\n        ringnumber: 0\n        bindnetaddr: %s.0\n' "$NET"
            printf '        mcastaddr: 239.255.207.1\n        mcastport: 5405\n    }\n'
        fi
        printf '    crypto_cipher: aes256\n    crypto_hash: sha256\n    keyfile: %s\n' "$key"
        [[ $token != default ]] && printf '    token: %s\n' "$token"
        printf '}\nlogging {\n    to_stderr: yes\n    to_syslog: no\n    debug: off\n}\n'
        printf 'quorum {\n    provider: corosync_votequorum\n}\nnodelist {\n'
        for n in "$@"; do
            printf '    node {\n        ring0_addr: %s.%s\n        nodeid: %s\n        name: %s\n    }\n' \
                "$NET" "${n#n}" "${n#n}" "$n"
        done
        echo "}"
    } >"$f"
}

start_node() {   # NODE
    local n=$1 d; d=$(node_dir "$1")
    rm -f "$(node_sock "$n")"
    local chrt=(); [[ $SCHED == rr ]] && chrt=(chrt -r 99)
    RUST_LOG=${TDB_RUST_LOG:-info} setsid ip netns exec "$(node_ns "$n")" "${chrt[@]}" "$TANDEMD" --no-crm -c "$d/corosync.conf" \
        --state-dir "$d/state" --socket "$(node_sock "$n")" </dev/null >>"$d/tandemd.log" 2>&1 &
    disown $! 2>/dev/null
    local i
    for i in $(seq 1 200); do
        [[ -S $(node_sock "$n") ]] && tandemd_pid "$n" >/dev/null && return 0
        sleep 0.05
    done
    die "tandemd on $n did not come up: $(tail -3 "$d/tandemd.log")"
}

# wait_ring "n1 n3": every listed node reports one ring of exactly these members
wait_ring() {
    local n socks=() ids=()
    for n in $1; do socks+=(--socket "$(node_sock "$n")"); ids+=("${n#n}"); done
    "$CLIENT" failover --expect "$(IFS=,; echo "${ids[*]}")" "${socks[@]}" --timeout 90 >/dev/null ||
        die "no common ring of $1"
}

tdb_up() {   # N TOKEN
    local nn=$1 token=$2 n hub
    tdb_down
    rm -rf --one-file-system "$TDB_DIR"; mkdir -p "$TDB_DIR"
    local nodes; nodes=$(seq -f 'n%g' 1 "$nn" | tr '\n' ' '); nodes=${nodes% }
    echo "$nodes" >"$TDB_DIR/nodes"
    head -c 256 /dev/urandom >"$TDB_DIR/authkey" && chmod 0400 "$TDB_DIR/authkey"
    hub=$(node_ns hub)
    ip netns add "$hub" || die "cannot create $hub"
    ip -n "$hub" link set lo up
    ip -n "$hub" link add br0 type bridge forward_delay 0 stp_state 0
    ip -n "$hub" link set br0 up
    for n in $nodes; do
        ip netns add "$(node_ns "$n")" || die "cannot create $(node_ns "$n")"
        ip -n "$(node_ns "$n")" link set lo up
        ip -n "$hub" link add "v-$n" type veth peer name eth0
        ip -n "$hub" link set eth0 netns "$(node_ns "$n")"
        ip -n "$hub" link set "v-$n" master br0 up
        ip -n "$(node_ns "$n")" addr add "$NET.${n#n}/24" dev eth0
        ip -n "$(node_ns "$n")" link set eth0 up
        mkdir -p "$(node_dir "$n")/state"
        write_conf "$(node_dir "$n")/corosync.conf" "$token" "$TDB_DIR/authkey" $nodes
    done
    for n in $nodes; do start_node "$n"; done
    wait_ring "$nodes"
    log "tandem lab up: $nn nodes, token $token"
}

host_context() { printf 'loadavg %s' "$(cut -d' ' -f1-3 /proc/loadavg)"; }

tdb_case() {   # N SIZE MODE REP
    local nn=$1 size=$2 mode=$3 rep=$4 n send infl pids=() rcs=() i ctx0 ctx1
    local tag="tandem-aes256-n${nn}-s${size}-${mode}-r${rep}"
    local rd="$TDB_DIR/runs/$tag" raw="$OUT/tandem/raw/$tag"
    local run_id; run_id=$(( $(date +%s%N) / 1000 ))
    rm -rf "$rd" "$raw"; mkdir -p "$rd" "$raw"
    ctx0=$(host_context)
    python3 "$CPGB/cpgb-cpusnap.py" "$raw/cpu-before.json"
    for n in $(tdb_nodes); do
        send=0; infl=0
        case $mode in
            all) send=1;;
            one) [[ $n == n1 ]] && send=1;;
            lat1) [[ $n == n1 ]] && send=1; infl=1;;
            *) die "unknown mode $mode";;
        esac
        ip netns exec "$(node_ns "$n")" timeout -k 5 $((DUR + 135)) "$CLIENT" \
            --socket "$(node_sock "$n")" --node "$n" --members "$nn" --size "$size" \
            --duration "$DUR" --send "$send" --max-inflight "$infl" --run-id "$run_id" \
            --sync-mcast "${TDB_SYNC_MCAST:-0}" \
            --daemon-pid "$(tandemd_pid "$n")" --wait-timeout 60 --drain-timeout 60 \
            --order-file "$rd/$n.order" --lat-file "$rd/$n.lat" >"$raw/$n.json" 2>"$raw/$n.err" &
        pids+=("$!")
    done
    for i in "${!pids[@]}"; do wait "${pids[$i]}"; rcs+=("$?"); done
    python3 "$CPGB/cpgb-cpusnap.py" "$raw/cpu-after.json"
    for n in $(tdb_nodes); do "$CLIENT" stats --socket "$(node_sock "$n")" >"$raw/$n.stats.json" 2>&1; done
    ctx1=$(host_context)
    python3 -c '
import json, sys
a = sys.argv[1:]
json.dump({"tag": a[1], "impl": "tandem", "crypto": "aes256", "sched": a[12], "client_nice": 0,
           "nodes": int(a[2]), "size": int(a[3]), "mode": a[4], "rep": int(a[5]),
           "duration": float(a[6]), "run_id": int(a[7]), "client_rc": [int(x) for x in a[8].split()],
           "host_before": a[9], "host_after": a[10], "date": a[11]}, open(a[0], "w"))
' "$raw/meta.json" "$tag" "$nn" "$size" "$mode" "$rep" "$DUR" "$run_id" "${rcs[*]}" "$ctx0" "$ctx1" "$(date -Is)" "$SCHED"
    python3 "$CPGB/cpgb-check.py" "$rd" "$raw" >>"$OUT/tandem/runs.jsonl" || log "$tag: check failed"
    tail -n 1 "$OUT/tandem/runs.jsonl" | python3 -c '
import json,sys; r=json.loads(sys.stdin.read())
print("%-34s msgs/s %9.1f  MB/s %8.3f  rtt p50 %8.3f p99 %8.3f ms  gap %7.1f ms  order %s  daemon_cpu/node %5.1f%%  host %5.1f%% %s" % (
  r["tag"], r["msgs_per_s"] or -1, r["MB_per_s"] or -1, r["lat_p50_ms"] or -1, r["lat_p99_ms"] or -1, r["max_gap_ms"] or -1,
  r["order"], r["corosync_cpu_pct_mean"] or -1, r["host_cpu_busy_pct"] or -1, "" if r["ok"] else "PROBLEM: " + r["problems"]))' >&2
    rm -rf "$rd"
    sleep 1
}

# idle_cpu IMPL N PID... : CPU % of each daemon over 5 s with no client running -> idle.jsonl
idle_cpu() {
    local impl=$1 nn=$2 p; shift 2
    declare -A t0
    for p in "$@"; do t0[$p]=$(awk '{print $14 + $15}' /proc/"$p"/stat); done
    sleep 5
    for p in "$@"; do
        awk -v impl="$impl" -v nn="$nn" -v a="${t0[$p]}" -v hz="$(getconf CLK_TCK)" \
            '{printf "{\"impl\":\"%s\",\"nodes\":%s,\"idle_cpu_pct\":%.1f}\n", impl, nn, ($14 + $15 - a) * 100 / hz / 5}' \
            /proc/"$p"/stat >>"$OUT/idle.jsonl"
    done
}

rss_tandem() {   # N : RSS/HWM of every tandemd -> rss.jsonl
    local n p
    for n in $(tdb_nodes); do
        p=$(tandemd_pid "$n") || continue
        awk -v impl=tandem -v nn="$1" -v node="$n" '/^VmRSS:/{r=$2} /^VmHWM:/{h=$2}
            END{printf "{\"impl\":\"%s\",\"nodes\":%s,\"node\":\"%s\",\"rss_kib\":%s,\"hwm_kib\":%s}\n", impl, nn, node, r, h}' \
            /proc/"$p"/status >>"$OUT/rss.jsonl"
    done
}

rss_corosync() {   # N
    ( . "$CPGB/cpgb-lib.sh"
      for n in $(lab_nodes); do
          p=$(node_pid_of "$n" corosync); [[ -n $p ]] || continue
          awk -v nn="$1" -v node="$n" '/^VmRSS:/{r=$2} /^VmHWM:/{h=$2}
              END{printf "{\"impl\":\"corosync\",\"nodes\":%s,\"node\":\"%s\",\"rss_kib\":%s,\"hwm_kib\":%s}\n", nn, node, r, h}' \
              /proc/"$p"/status >>"$OUT/rss.jsonl"
      done )
}

tandem_failover() {   # TOKEN TRIALS
    local token=$1 t r
    tdb_up 3 "$token"
    for t in $(seq 1 "$2"); do
        r=$("$CLIENT" failover --kill-pid "$(tandemd_pid n2)" --expect 1,3 \
            --socket "$(node_sock n1)" --socket "$(node_sock n3)" --timeout 90) || die "failover trial $t failed"
        log "tandem failover token $token trial $t: $r"
        record "$r" "$token" "$t" crash
        start_node n2
        wait_ring "n1 n2 n3"
        sleep 1
    done
    tdb_down
}

record() {   # JSON TOKEN TRIAL KIND -> failover.jsonl
    python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d.update(impl="tandem", token=sys.argv[2], trial=int(sys.argv[3]), kind=sys.argv[4]); print(json.dumps(d))' \
        "$1" "$2" "$3" "$4" >>"$OUT/failover.jsonl"
}

# Clean leave: SIGTERM of n2 of 3 -> new ring of {n1, n3} on both. Merge: n3's link to the hub
# goes down until {n1, n2} and {n3} are separate rings, then up -> one ring of 3 on all.
tandem_reconf() {   # TOKEN TRIALS
    local token=$1 t r rt=()
    [[ $SCHED == rr ]] && rt=(chrt -r 50)
    tdb_up 3 "$token"
    for t in $(seq 1 "$2"); do
        r=$("${rt[@]}" "$CLIENT" failover --kill-pid "$(tandemd_pid n2)" --signal TERM --expect 1,3 \
            --socket "$(node_sock n1)" --socket "$(node_sock n3)" --timeout 90) || die "leave trial $t failed"
        log "tandem leave token $token trial $t: $r"
        record "$r" "$token" "$t" leave
        start_node n2
        wait_ring "n1 n2 n3"
        sleep 1
    done
    local hub cut heal
    hub=$(node_ns hub)
    if [[ $MERGE_BY == link ]]; then
        cut="ip -n $hub link set v-n3 down"
        heal="ip -n $hub link set v-n3 up"
    elif [[ $MERGE_BY == udp ]]; then
        local n3; n3=$(node_ns n3)
        ip netns exec "$n3" nft add table inet tdbpart || die "nft: cannot add table"
        ip netns exec "$n3" nft add chain inet tdbpart in '{ type filter hook input priority 0; policy accept; }' &&
            ip netns exec "$n3" nft add chain inet tdbpart out '{ type filter hook output priority 0; policy accept; }' ||
            die "nft: cannot add chains"
        cut="ip netns exec $n3 nft add rule inet tdbpart in udp dport 5405 drop"
        cut+=" && ip netns exec $n3 nft add rule inet tdbpart out udp dport 5405 drop"
        heal="ip netns exec $n3 nft flush table inet tdbpart"
    else
        ip netns exec "$hub" nft add table bridge tdbpart || die "nft: cannot add table"
        ip netns exec "$hub" nft add chain bridge tdbpart part \
            '{ type filter hook forward priority 0; policy accept; }' || die "nft: cannot add chain"
        cut="ip netns exec $hub nft add rule bridge tdbpart part iifname v-n3 drop"
        cut+=" && ip netns exec $hub nft add rule bridge tdbpart part oifname v-n3 drop"
        heal="ip netns exec $hub nft flush chain bridge tdbpart part"
    fi
    for t in $(seq 1 "$2"); do
        bash -c "$cut" || die "cannot partition n3"
        wait_ring "n1 n2"
        wait_ring "n3"
        sleep 1
        r=$("${rt[@]}" "$CLIENT" failover --exec "$heal" --expect 1,2,3 \
            --socket "$(node_sock n1)" --socket "$(node_sock n2)" --socket "$(node_sock n3)" \
            --timeout 90) || die "merge trial $t failed"
        log "tandem merge ($MERGE_BY) token $token trial $t: $r"
        record "$r" "$token" "$t" "merge-$MERGE_BY"
        sleep 1
    done
    tdb_down
}

# corosync failover: SIGKILL corosync on n2 (by PID, in its namespace), poll the survivors'
# corosync-quorumtool until both report 2 nodes (poll resolution = one quorumtool call, ~10-50 ms)
corosync_failover() {   # TOKEN TRIALS
    local token=$1 trials=$2
    "$CPGB/cpgb-up.sh" -n 3 --crypto aes256 --sched "$SCHED" || die "cpgb-up.sh failed"
    CS_UP=1
    ( . "$CPGB/cpgb-lib.sh"
      start_cs() {
          local h; h=$(holder_pid "$1")
          setsid nsenter -t "$h" -m -n -u -- "${CPGB_ENV[@]}" corosync -f -c /etc/corosync/corosync.conf \
              </dev/null >>"$(node_dir "$1")/corosync.stdout" 2>&1 &
          disown $! 2>/dev/null
      }
      if [[ $token != default ]]; then
          for n in n1 n2 n3; do p=$(node_pid_of "$n" corosync); [[ -n $p ]] && kill -TERM "$p"; done
          for n in n1 n2 n3; do wait_for 20 0.1 bash -c "[[ -z \$(ip netns pids $(node_ns "$n") | while read q; do [[ \$(cat /proc/\$q/comm 2>/dev/null) == corosync ]] && echo \$q; done) ]]"; done
          for n in n1 n2 n3; do
              sed -i "s/^totem {/totem {\n    token: $token/" "$(node_dir "$n")/etc-corosync/corosync.conf"
              start_cs "$n"
          done
      fi
      for n in n1 n2 n3; do wait_for 120 0.2 ring_has "$n" 3 || exit 1; done
      for t in $(seq 1 "$trials"); do
          sleep 2
          p=$(node_pid_of n2 corosync)
          t0=$EPOCHREALTIME
          kill -KILL "$p"
          while :; do
              a=$(corosync_nodes n1); b=$(corosync_nodes n3)
              [[ $a == 2 && $b == 2 ]] && break
              awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{exit !(b-a>120)}' && exit 1
          done
          ms=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", (b-a)*1000}')
          echo "[corosync failover token $token trial $t: ${ms} ms]" >&2
          printf '{"impl":"corosync","token":"%s","trial":%s,"failover_ms":%s}\n' "$token" "$t" "$ms" >>"$OUT/failover.jsonl"
          start_cs n2
          for n in n1 n2 n3; do wait_for 120 0.2 ring_has "$n" 3 || exit 1; done
      done ) || log "corosync failover token $token: FAILED"
    "$CPGB/cpgb-down.sh" --quiet; CS_UP=0
}

{ date -Is; echo "before: $(uptime)"; } >>"$OUT/uptime.txt"
log "results -> $OUT; sched $SCHED; node counts $NODE_COUNTS, sizes $SIZES, modes $MODES, reps $REPS, ${DUR}s"
for rep in $(seq 1 "$REPS"); do
    for nn in $NODE_COUNTS; do
        tdb_up "$nn" default
        sleep 2
        idle_cpu tandem "$nn" $(for n in $(tdb_nodes); do tandemd_pid "$n"; done)
        for size in $SIZES; do for mode in $MODES; do tdb_case "$nn" "$size" "$mode" "$rep"; done; done
        rss_tandem "$nn"
        tdb_down
        if ((DO_CS)); then
            CS_UP=1
            "$CPGB/cpgb-run.sh" -n "$nn" --crypto aes256 --sched "$SCHED" --sizes "$SIZES" --modes "$MODES" --reps 1 \
                --duration "$DUR" --out "$OUT/corosync-r$rep" --keep-up >/dev/null || log "cpgb-run.sh failed"
            rss_corosync "$nn"
            idle_cpu corosync "$nn" $( . "$CPGB/cpgb-lib.sh"; for n in $(lab_nodes); do node_pid_of "$n" corosync; done)
            "$CPGB/cpgb-down.sh" --quiet; CS_UP=0
        fi
    done
done
if ((DO_FAIL)); then
    for token in 1000 default; do
        tandem_failover "$token" "$FAIL_TRIALS"
        ((RECONF_TRIALS > 0)) && tandem_reconf "$token" "$RECONF_TRIALS"
        ((DO_CS)) && corosync_failover "$token" "$CS_FAIL_TRIALS"
    done
fi
{ echo "after:  $(uptime)"; } >>"$OUT/uptime.txt"
python3 "$HERE/summary.py" "$OUT" | tee "$OUT/summary.md"
