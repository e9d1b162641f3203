# shellcheck shell=bash
# The Tandem side of the cluster benchmark: a 3-node tandemd cluster in network
# namespaces tdk-hub / tdk-n1..n3 (10.208.0.K/24, VIP 10.208.0.100).
#
# It sources pcmk-lab's lib.sh for the measuring machinery (pollers every
# LAB_POLL s, crm_mon XML parsing, stats, log helpers), so both sides are
# measured by the same code, and overrides only what differs: how a command
# reaches a node (ip netns exec + the node's admin socket instead of nsenter +
# libqb), how nodes start and die, and where the files are.
#
# Source this file; do not execute it. Needs root, `tandem` and `tandemd` on
# TANDEM_BIN (default: the release build of this worktree).

PCMK_LAB=${PCMK_LAB:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../shared/tools/pcmk-lab" 2>/dev/null && pwd)}
[[ -r $PCMK_LAB/lib.sh ]] || { echo "pcmk-lab not found (set PCMK_LAB)" >&2; return 1; }

# Our namespaces, addresses and files; never pcmk-lab's. TDK_LAB=NAME:NET runs a second lab
# beside the first (e.g. TDK_LAB=tdb:10.208.1 gives tdb-hub, tdb-n1.. and 10.208.1.K).
TDK_LAB=${TDK_LAB:-tdk:10.208.0}
TDK_NAME=${TDK_LAB%%:*}
TDK_NET=${TDK_LAB#*:}
[[ $TDK_NET =~ ^10\.20[0-9]\.[0-9]+$ ]] || { echo "TDK_LAB net must be 10.20x.y, not $TDK_NET" >&2; return 1; }
LAB_DIR=/tmp/$TDK_NAME-bench
LAB_NS_PREFIX=$TDK_NAME-
LAB_NET=$TDK_NET
LAB_VIP=$TDK_NET.100
LAB_RESULTS=${TDK_RESULTS:-/tmp/$TDK_NAME-bench-results}
# shellcheck source=/dev/null
. "$PCMK_LAB/lib.sh"
LAB_NET=$TDK_NET
LAB_VIP=$TDK_NET.100
LAB_TOKEN=${TDK_TOKEN:-1000}
BASE_RSC_XML=${BASE_RSC_XML//10.99.0.100/$LAB_VIP}

TANDEM_BIN=${TANDEM_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/target/release}

node_sock() { echo "$LAB_DIR/$1/tandem.sock"; }
node_crm() { echo "$LAB_DIR/$1/crm.sock"; }
node_state() { echo "$LAB_DIR/$1/state"; }
# tandemd gives agents HA_RSCTMP=rsctmp/ beside its IPC socket.
node_rsctmp() { echo "$LAB_DIR/$1/rsctmp"; }

# nx NODE TOOL ARGS... : run a tandem tool (cibadmin, crm_resource, ...) in NODE's netns.
nx() {
    local n=$1; shift
    local tool=$1; shift
    ip netns exec "$(node_ns "$n")" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        TANDEM_CRM_SOCKET="$(node_crm "$n")" TANDEM_SOCKET="$(node_sock "$n")" \
        "$TANDEM_BIN/tandem" "$tool" "$@"
}

# crm_mon XML from node $1, as pcmk-lab's mon_xml (extra args ignored: ours has no --include).
mon_xml() { nx "$1" crm_mon -1 --output-as=xml 2>/dev/null; }

# No crmadmin here: "idle" is approximated by the callers' settle sleeps.
dc_idle() { [[ -n $(dc_of "$1") && $(dc_of "$1") != none ]]; }

# Every process of node $1 (tandemd and the agents it runs): all of its netns.
node_pids() { ip netns pids "$(node_ns "$1")" 2>/dev/null; return 0; }

# Fail count of RSC on NODE from the live CIB (0 when none).
fail_count() {
    nx "$1" cibadmin -Q 2>/dev/null | grep -o "name=\"fail-count-$2#[^\"]*\" value=\"[^\"]*\"" |
        awk -F'"' '{v=$4; if (v=="INFINITY") v=1000000; s+=v} END {print s+0}'
}

tk_create_infra() {
    local n i
    mkdir -p "$LAB_DIR"
    ip netns add "$(hub_ns)"
    ip -n "$(hub_ns)" link add br0 type bridge stp_state 0 forward_delay 0
    ip -n "$(hub_ns)" link set br0 up
    i=0
    for n in $LAB_NODES; do
        i=$((i + 1))
        ip netns add "$(node_ns "$n")"
        ip link add "v-$n-$TDK_NAME" type veth peer name eth0 netns "$(node_ns "$n")"
        ip link set "v-$n-$TDK_NAME" netns "$(hub_ns)"
        ip -n "$(hub_ns)" link set "v-$n-$TDK_NAME" master br0 up
        ip -n "$(node_ns "$n")" addr add "$LAB_NET.$i/24" dev eth0
        ip -n "$(node_ns "$n")" link set eth0 up
        ip -n "$(node_ns "$n")" link set lo up
        mkdir -p "$(node_state "$n")"
    done
    # The configuration comes from our own `tandem cluster setup` (knet: aes256/sha256).
    local args=()
    i=0
    for n in $LAB_NODES; do i=$((i + 1)); args+=("$n=$LAB_NET.$i"); done
    "$TANDEM_BIN/tandem" cluster setup "${args[@]}" --name tdk --token "$LAB_TOKEN" \
        -o "$LAB_DIR" --force >/dev/null || return 1
    sed -i "s|^totem {|totem {\n    keyfile: $LAB_DIR/authkey|; s|^    logfile: .*|    logfile: $LAB_DIR/corosync.log|; s|to_logfile: yes|to_logfile: no|" \
        "$LAB_DIR/corosync.conf"
}

node_start() {
    local n=$1
    setsid ip netns exec "$(node_ns "$n")" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        RUST_LOG="${TDK_LOG:-info,executor::runner=debug}" "$TANDEM_BIN/tandemd" -c "$LAB_DIR/corosync.conf" \
        --state-dir "$(node_state "$n")" --socket "$(node_sock "$n")" --crm-socket "$(node_crm "$n")" \
        </dev/null >>"$LAB_DIR/$n/tandemd.log" 2>&1 &
    disown $! 2>/dev/null
    return 0
}

# What a reboot clears: agents' runtime state (HA_RSCTMP) and a stale VIP.
node_wipe_runtime() {
    rm -rf "$(node_rsctmp "$1")"
    ip -n "$(node_ns "$1")" addr del "$LAB_VIP/24" dev eth0 2>/dev/null
    return 0
}

lab_kill_all() { local n; for n in $LAB_NODES; do node_crash "$n" "$(node_pids "$n")" || return 1; done; }

# tandemd processes of this lab found by their command line (our own config path), for
# when a namespace was deleted under them (its processes are then no longer listed by it).
lab_orphans() {
    local p
    for p in /proc/[0-9]*; do
        { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -q -- "-c $LAB_DIR/corosync.conf " && echo "${p#/proc/}"
    done
    return 0
}

tk_down() {
    local n p
    for n in $LAB_NODES; do node_crash "$n" "$(node_pids "$n")" 2>/dev/null; done
    for p in $(lab_orphans); do kill -KILL "$p" 2>/dev/null; done
    for n in $LAB_NODES; do ip netns del "$(node_ns "$n")" 2>/dev/null; done
    ip netns del "$(hub_ns)" 2>/dev/null
    rm -rf "$LAB_DIR"
    return 0
}

tk_up() {
    local n q
    tk_down
    tk_create_infra || die "setup failed"
    for n in $LAB_NODES; do node_start "$n"; done
    q=$(first_node)
    wait_for "$LAB_WAIT_MAX" 0.2 cluster_up "$q" 3 || die "tandem cluster did not come up"
    nx "$q" crm_attribute --type crm_config --name stonith-enabled --update false >/dev/null || die "property"
    nx "$q" crm_attribute --type crm_config --name no-quorum-policy --update stop >/dev/null || die "property"
    local line
    while IFS= read -r line; do
        [[ -n $line ]] && { nx "$q" cibadmin --create -o resources --xml-text "$line" || die "create resource"; }
    done <<<"$BASE_RSC_XML"
    nx "$q" cibadmin --create -o constraints --xml-text "$BASE_CONS_XML" || die "create constraint"
    wait_for "$LAB_WAIT_MAX" 0.2 base_started "$q" >/dev/null || die "base resources did not start"
}

# RSS (kB) of each tandemd of node $1: "PID COMM RSS_kB PSS_kB", as pcmk-lab's node_mem.
node_mem() {
    local p c rss pss
    for p in $(node_pids "$1"); do
        c=$(cat /proc/"$p"/comm 2>/dev/null) || continue
        [[ $c == tandemd ]] || continue
        rss=$(awk '/^VmRSS:/{print $2}' /proc/"$p"/status 2>/dev/null)
        pss=$(awk '/^Pss:/{print $2}' /proc/"$p"/smaps_rollup 2>/dev/null)
        echo "$p $c ${rss:-0} ${pss:-0}"
    done
}

# tlog_line FILE AFTER_EPOCH REGEX -> the first line of a tandemd log matching REGEX at or
# after AFTER_EPOCH (tlog_first gives its time).
tlog_line() {
    local f=$1 after=$2 re=$3 line ts
    [[ -r $f ]] || return 0
    while IFS= read -r line; do
        ts=$(date -d "${line%% *}" +%s.%N 2>/dev/null) || continue
        if awk -v a="$ts" -v b="$after" 'BEGIN{exit !(a>=b-0.0005)}'; then
            printf '%s\n' "$line"; return 0
        fi
    done < <(grep -E -- "$re" "$f" | tail -n 50)
}

# tlog_first FILE AFTER_EPOCH REGEX -> seconds (relative to AFTER) of the first line of a
# tandemd log (RFC 3339 UTC timestamps) matching REGEX at or after AFTER_EPOCH, as log_first.
tlog_first() {
    local line ts
    line=$(tlog_line "$@")
    [[ -n $line ]] || return 0
    ts=$(date -d "${line%% *}" +%s.%N 2>/dev/null) || return 0
    awk -v a="$ts" -v b="$2" 'BEGIN{printf "%.3f", a-b}'
}

# CPU seconds used so far by the lab's tandemd processes: "SELF AGENTS" (utime+stime of
# the daemons; cutime+cstime, i.e. the agents they ran and reaped), summed over nodes.
lab_cpu() {
    local n p c hz; hz=$(getconf CLK_TCK)
    for n in $LAB_NODES; do
        for p in $(node_pids "$n"); do
            c=$(cat /proc/"$p"/comm 2>/dev/null) || continue
            [[ $c == tandemd ]] && awk '{print $14+$15, $16+$17}' /proc/"$p"/stat 2>/dev/null
        done
    done | awk -v hz="$hz" '{s+=$1; a+=$2} END {printf "%.2f %.2f\n", s/hz, a/hz}'
}

# Agent runs finished so far on all nodes (executor debug lines in the logs).
lab_runs() { cat "$LAB_DIR"/n*/tandemd.log 2>/dev/null | grep -c 'executor::runner: finished'; }

# Above ~500 resources the XML no longer fits in one argument (128 KiB): feed it on stdin.
bulk_replace_pipe() {
    { printf '<resources>%s' "$BASE_RSC_XML"; bulk_xml "$2" "$3"; printf '</resources>'; } |
        nx "$1" cibadmin --replace -o resources --xml-pipe
}
