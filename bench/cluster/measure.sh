#!/bin/bash
# measure.sh - the Tandem side of pcmk-lab's measure-*.sh, same method and output.
#
# Usage: measure.sh up|down|failover|rscfail|switchover|bulk|coldstart|memory [-n REPS] [--count N]
#   up          build the tdk-* lab (3 tandemd nodes, dummy + vip colocated)
#   down        kill every process of the lab by PID, delete the namespaces and files
#   failover    SIGKILL every process of the node holding dummy+vip (victims: non-DC, DC);
#               poll crm_mon XML (both Started on a survivor) and the VIP in survivors' netns;
#               from the new DC's log: membership seen, first transition dispatched, the hold
#               (unfenced-recovery-delay). The DC counts that delay from its own ring break
#               when the membership followed it within the consensus timeout (the lost node
#               was failed on unanswered token retransmissions, so it lost the token about
#               when the DC did), else from the membership: "from" is how long before the
#               membership the hold started (ring_broke_ms_ago), "wait" what was left of it
#               after the membership (wait_ms = hold - from, at least 0), and m2d-wait =
#               dispatch - membership - wait, the daemon's own reaction time
#   rscfail     delete dummy's state file; poll fail-count >= 1 and dummy Started on the same node
#   switchover  crm_resource --move dummy to the next node; poll both Started there, VIP only there
#   bulk        one cibadmin --replace -o resources with N Dummy (monitor 10s); poll all Started
#   coldstart   kill all, wipe runtime, start all tandemd; poll 3 online + DC (CIB kept, "restart")
#   memory      VmRSS/PSS of each tandemd with N bulk resources + base, after 30 s idle
#   idle        CPU of the 3 tandemd processes at rest (base resources only): utime+stime from
#               /proc/PID/stat over --settle S seconds (default 30), in ms per second, -n times
# TDK_AT_ALL_STARTED=CMD (bulk): run CMD (eval) as soon as all are seen Started.
# Per-action timelines: start the lab with TDK_LOG="info,executor::runner=debug,controller::controller=debug"
# and run bench/cluster/timeline.sh FROM after a measurement.
# Every poll loop starts a sample every LAB_POLL (0.05) s and gives up after LAB_WAIT_MAX s;
# bulk above 500 resources waits nine times a sample's duration (at most 0.5 s) after each.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh" || exit 1
cmd=${1:-}; shift || true
reps=3; count=100; interval=10s; settle=30
while (($#)); do
    case $1 in
        -n) reps=$2; shift 2;;
        --count) count=$2; shift 2;;
        --settle) settle=$2; shift 2;;
        -h|--help) sed -n '2,27p' "$0"; exit 0;;
        *) die "unknown argument $1";;
    esac
done
[[ $(id -u) == 0 ]] || die "must run as root"
[[ -x $TANDEM_BIN/tandemd && -x $TANDEM_BIN/tandem ]] || die "no tandem/tandemd in $TANDEM_BIN"

# log_field LINE NAME -> the number after NAME= in a tracing line (0 when absent).
log_field() { local v; v=$(sed -n "s/.* $2=\([0-9]*\).*/\1/p" <<<"$1"); echo "${v:-0}"; }

live_node() { local n; for n in $LAB_NODES; do [[ -n $(node_pids "$n") ]] && cluster_up "$n" 1 && { echo "$n"; return 0; }; done; return 1; }
set_dummy_pref() {
    nx "$1" cibadmin --delete -o constraints --xml-text '<rsc_location id="loc-dummy"/>' >/dev/null 2>&1
    nx "$1" cibadmin --create -o constraints --xml-text \
        "<rsc_location id=\"loc-dummy\" rsc=\"dummy\" node=\"$2\" score=\"100\"/>"
}
ensure_up() { cluster_up "$(first_node)" 3 2>/dev/null && [[ -n $(base_started "$(first_node)") ]] || tk_up; }

failover() {
    ensure_up
    results_open "tandem-failover-token$LAB_TOKEN"
    echo "# poll period ${LAB_POLL}s; times in seconds after SIGKILL of the victim"
    echo "# DC's log: memb = controller sees the new membership, disp = first transition with actions"
    echo "# computed and multicast (same step), hold = unfenced-recovery-delay (ms), counted from the"
    echo "# DC's ring break \"from\" ms before memb when the membership followed within the consensus"
    echo "# timeout, leaving \"wait\" ms after memb; m2d-wait = disp - memb - wait (s)"
    printf '%-6s %-5s %-3s %-3s | %7s %7s %7s | %6s %6s %5s %5s %5s %8s\n' rep mode X new rsc dummy ip memb disp hold from wait m2d-wait
    local mode rep q dc X P surv n tmp want pids pr pi t0 t_d t_v t_rsc t_ip new rot=0 cands
    local ndc lg l_m l_d hold m2d hl from wt
    declare -A R
    for mode in nondc dc; do
        for rep in $(seq 1 "$reps"); do
            q=$(live_node) || die "no live node"
            wait_for "$LAB_WAIT_MAX" 0.2 cluster_up "$q" 3 || die "cluster not complete before rep"
            dc=$(dc_of "$q")
            if [[ $mode == dc ]]; then X=$dc; else
                cands=(); for n in $LAB_NODES; do [[ $n != "$dc" ]] && cands+=("$n"); done
                X=${cands[$((rot % ${#cands[@]}))]}; rot=$((rot + 1))
            fi
            surv=(); for n in $LAB_NODES; do [[ $n != "$X" ]] && surv+=("$n"); done
            P=${surv[0]}
            set_dummy_pref "$q" "$X" >/dev/null || die "cannot set location constraint"
            wait_for "$LAB_WAIT_MAX" 0.2 base_on "$P" "$X" || die "resources did not settle on $X"
            wait_for "$LAB_WAIT_MAX" 0.2 vip_only_on "$X" || die "VIP not (only) on $X"
            sleep 2
            tmp=$(mktemp -d /tmp/tdk-fo.XXXXXX)
            want="^($(IFS='|'; echo "${surv[*]}"))\$"
            pids=$(node_pids "$X")
            poll_rsc_on "$tmp/rsc" "$P" "$want" dummy vip & pr=$!
            poll_vip_on "$tmp/ip" "${surv[@]}" & pi=$!
            sleep 0.2
            t0=$EPOCHREALTIME
            node_crash "$X" "$pids" || die "could not kill $X"
            wait "$pr"; wait "$pi"
            t_d=$(rel "$tmp/rsc" dummy "$t0"); t_v=$(rel "$tmp/rsc" vip "$t0")
            t_rsc=$(printf '%s\n%s\n' "$t_d" "$t_v" | sort -g | tail -1)
            [[ $t_d == NA || $t_v == NA ]] && t_rsc=NA
            t_ip=$(rel "$tmp/ip" ip "$t0")
            new=$(awk '$1=="vip"{print $3}' "$tmp/rsc")
            ndc=$(dc_of "$P"); lg="$LAB_DIR/$ndc/tandemd.log"
            l_m=$(tlog_first "$lg" "$t0" 'membership changed node=[^ ]+ members=\[[0-9]+, [0-9]+\]')
            l_d=$(tlog_first "$lg" "$t0" 'transition computed transition=[0-9]+ actions=[1-9]')
            hl=$(tlog_line "$lg" "$t0" 'recovery waits for it to stop them')
            hold=$(log_field "$hl" delay_ms); from=$(log_field "$hl" ring_broke_ms_ago)
            wt=$(log_field "$hl" wait_ms)
            m2d=$(awk -v a="${l_m:-x}" -v b="${l_d:-x}" -v w="$wt" 'BEGIN{ if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/) { d=b-a-w/1000; if (d<0 && d>-0.0015) d=0; printf "%.3f", d } else print "NA"}')
            printf '%-6s %-5s %-3s %-3s | %7s %7s %7s | %6s %6s %5s %5s %5s %8s\n' "$rep" "$mode" "$X" "${new:--}" "$t_rsc" "$t_d" "$t_ip" \
                "${l_m:-NA}" "${l_d:-NA}" "$hold" "$from" "$wt" "$m2d"
            R[$mode.rsc]+=" $t_rsc"; R[$mode.ip]+=" $t_ip"; R[$mode.memb]+=" ${l_m:-NA}"; R[$mode.m2d]+=" $m2d"
            rm -rf "$tmp"
            node_wipe_runtime "$X"
            node_start "$X"
            wait_for "$LAB_WAIT_MAX" 0.2 cluster_up "$P" 3 || die "$X did not rejoin"
        done
    done
    nx "$(live_node)" cibadmin --delete -o constraints --xml-text '<rsc_location id="loc-dummy"/>' >/dev/null 2>&1
    echo
    for mode in nondc dc; do
        # shellcheck disable=SC2086
        summary "token=$LAB_TOKEN victim=$mode crm_mon both Started (s)" ${R[$mode.rsc]}
        # shellcheck disable=SC2086
        summary "token=$LAB_TOKEN victim=$mode VIP on survivor (s)" ${R[$mode.ip]}
        # shellcheck disable=SC2086
        summary "token=$LAB_TOKEN victim=$mode log: new membership (s)" ${R[$mode.memb]}
        # shellcheck disable=SC2086
        summary "token=$LAB_TOKEN victim=$mode membership->dispatch minus wait (s)" ${R[$mode.m2d]}
    done
}

rscfail() {
    ensure_up
    results_open "tandem-rscfail"
    echo "# times in seconds after deleting the Dummy state file (monitor interval 1s)"
    printf '%-4s %-3s | %9s | %8s %8s %8s\n' rep Y recovered detect start det2start
    fc_started() { [[ $(fail_count "$1" dummy) -ge 1 ]] && base_on "$1" "$1"; }
    fc_zero() { [[ $(fail_count "$1" dummy) -eq 0 ]]; }
    local rep q Y st t0 t_rec deadline s lg l_det l_st d2s REC=() DET=() ST=() D2S=()
    for rep in $(seq 1 "$reps"); do
        q=$(first_node)
        wait_for "$LAB_WAIT_MAX" 0.2 base_started "$q" >/dev/null || die "dummy not started"
        Y=$(base_started "$q")
        nx "$Y" crm_resource --cleanup --resource dummy >/dev/null 2>&1
        wait_for "$LAB_WAIT_MAX" 0.2 fc_zero "$Y" || die "fail-count not cleared"
        wait_for "$LAB_WAIT_MAX" 0.2 base_on "$Y" "$Y" || die "dummy moved away from $Y"
        sleep 2.3
        st="$(node_rsctmp "$Y")/Dummy-dummy.state"
        [[ -f $st ]] || die "state file $st missing"
        t0=$EPOCHREALTIME
        rm -f "$st"
        t_rec=NA
        deadline=$(( $(now_us) + LAB_WAIT_MAX * 1000000 ))
        while (( $(now_us) < deadline )); do
            s=$(now_us)
            if fc_started "$Y"; then t_rec=$(elapsed "$t0"); break; fi
            poll_sleep "$s"
        done
        sleep 0.5
        lg="$LAB_DIR/$Y/tandemd.log"
        l_det=$(tlog_first "$lg" "$t0" 'finished .* resource=dummy action=monitor result=rc=7')
        l_st=$(tlog_first "$lg" "$t0" 'finished .* resource=dummy action=start result=rc=0 ')
        d2s=$(awk -v a="${l_det:-x}" -v b="${l_st:-x}" 'BEGIN{ if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/) printf "%.3f", b-a; else print "NA"}')
        printf '%-4s %-3s | %9s | %8s %8s %8s\n' "$rep" "$Y" "$t_rec" "${l_det:-NA}" "${l_st:-NA}" "$d2s"
        REC+=("$t_rec"); DET+=("${l_det:-NA}"); ST+=("${l_st:-NA}"); D2S+=("$d2s")
    done
    echo
    summary "rsc failure: restarted (fc=1, Started) (s)" "${REC[@]}"
    summary "rsc failure: log detect (monitor rc=7) (s)" "${DET[@]}"
    summary "rsc failure: log start ok (s)" "${ST[@]}"
    summary "rsc failure: detect -> start ok (s)" "${D2S[@]}"
    nx "$(first_node)" crm_resource --cleanup --resource dummy >/dev/null 2>&1
}

switchover() {
    ensure_up
    results_open "tandem-switchover"
    local q; q=$(first_node)
    nx "$q" cibadmin --delete -o constraints --xml-text '<rsc_location id="loc-dummy"/>' >/dev/null 2>&1
    echo "# times in seconds after launching crm_resource --move"
    printf '%-4s %-3s %-3s | %7s | %7s %7s %7s\n' rep C T cli rsc dummy ip_only
    vip_moved() { [[ $(vip_on $LAB_NODES | tr '\n' ' ') == "$1 " ]]; }
    local nodes=($LAB_NODES) rep C T i tmp pr pi t0 t_cli t_d t_v t_rsc t_ip RSC=() IP=() CLI=()
    for rep in $(seq 1 "$reps"); do
        wait_for "$LAB_WAIT_MAX" 0.2 base_started "$q" >/dev/null || die "base not started"
        C=$(base_started "$q")
        for i in "${!nodes[@]}"; do [[ ${nodes[$i]} == "$C" ]] && T=${nodes[$(( (i + 1) % ${#nodes[@]} ))]}; done
        sleep 2
        tmp=$(mktemp -d /tmp/tdk-sw.XXXXXX)
        poll_rsc_on "$tmp/rsc" "$T" "^$T\$" dummy vip & pr=$!
        ( deadline=$(( $(now_us) + LAB_WAIT_MAX * 1000000 ))
          while (( $(now_us) < deadline )); do s=$(now_us)
              vip_moved "$T" && { echo "ip $EPOCHREALTIME $T" >>"$tmp/ip"; exit 0; }
              poll_sleep "$s"; done ) & pi=$!
        sleep 0.2
        t0=$EPOCHREALTIME
        nx "$C" crm_resource --move --resource dummy --node "$T" >/dev/null 2>&1 || die "move failed"
        t_cli=$(elapsed "$t0")
        wait "$pr"; wait "$pi"
        t_d=$(rel "$tmp/rsc" dummy "$t0"); t_v=$(rel "$tmp/rsc" vip "$t0")
        t_rsc=$(printf '%s\n%s\n' "$t_d" "$t_v" | sort -g | tail -1)
        t_ip=$(rel "$tmp/ip" ip "$t0")
        printf '%-4s %-3s %-3s | %7s | %7s %7s %7s\n' "$rep" "$C" "$T" "$t_cli" "$t_rsc" "$t_d" "$t_ip"
        RSC+=("$t_rsc"); IP+=("$t_ip"); CLI+=("$t_cli")
        nx "$q" crm_resource --clear --resource dummy >/dev/null 2>&1
        sleep 1
        rm -rf "$tmp"
    done
    echo
    summary "switchover: crm_resource --move returns (s)" "${CLI[@]}"
    summary "switchover: crm_mon both Started on T (s)" "${RSC[@]}"
    summary "switchover: VIP only on T's netns (s)" "${IP[@]}"
}

# last_bulk_start T0 -> seconds from T0 (epoch) to the last bulk-* start agent exit logged
# at or after T0 on any node (NA when none).
last_bulk_start() {
    local ts
    ts=$(cat "$LAB_DIR"/n*/tandemd.log 2>/dev/null | grep 'executor::runner: finished' |
        grep ' resource=bulk-[^ ]* action=start ' | awk '{print $1}' | sort | tail -1)
    [[ -n $ts ]] || { echo NA; return 0; }
    ts=$(date -d "$ts" +%s.%N) || { echo NA; return 0; }
    awk -v a="$ts" -v b="$1" 'BEGIN{ if (a >= b) printf "%.3f", a-b; else print "NA" }'
}

bulk() {
    ensure_up
    results_open "tandem-bulk-$count-$interval"
    local q; q=$(first_node)
    echo "# $count x ocf:heartbeat:Dummy, monitor interval $interval; times in seconds after cibadmin --replace"
    echo "# cpu-d / cpu-a: CPU seconds of the 3 tandemd / of the agents they ran, replace -> all Started;"
    echo "# runs: agent runs finished in that time (all nodes); last: the last bulk start's agent"
    echo "# exit in the nodes' logs (executor debug lines), independent of the poll period"
    printf '%-4s | %7s %7s %7s %7s | %6s %6s %5s | %7s | %s\n' rep cli first all last cpu-d cpu-a runs removed per-node
    allgone() { [[ $(bulk_counts "$q") == "0 0" ]]; }
    local rep t0 t_cli t_first t_all deadline s st cf per t_rem t1 ALL=() FIRST=() REM=() CLI=()
    local c0 c1 r0 r1 cpu_d cpu_a runs d CD=() CA=() RUNS=() t_last LAST=()
    for rep in $(seq 1 "$reps"); do
        allgone || bulk_replace "$q" 0 "$interval" >/dev/null
        wait_for "$LAB_WAIT_MAX" 0.5 allgone || die "old bulk resources still present"
        sleep 2
        read -r c0 c1 < <(lab_cpu); r0=$(lab_runs)
        t0=$EPOCHREALTIME
        if ((count > 500)); then
            bulk_replace_pipe "$q" "$count" "$interval" >/dev/null || die "cibadmin --replace failed"
        else
            bulk_replace "$q" "$count" "$interval" >/dev/null || die "cibadmin --replace failed"
        fi
        t_cli=$(elapsed "$t0")
        t_first=NA; t_all=NA
        deadline=$(( $(now_us) + LAB_WAIT_MAX * 1000000 ))
        while (( $(now_us) < deadline )); do
            s=$(now_us)
            read -r st cf < <(bulk_counts "$q")
            [[ $t_first == NA && ${st:-0} -ge 1 ]] && t_first=$(elapsed "$t0")
            if [[ ${cf:-0} -eq $count && ${st:-0} -eq $count ]]; then t_all=$(elapsed "$t0"); break; fi
            poll_sleep "$s"
            # Above 500 resources one crm_mon sample costs tens of CPU-ms (a 2.4 MB CIB to
            # parse and unpack): back to back they would take most of a core from the
            # cluster being measured. Keep the poller near a tenth of one core instead,
            # pausing at most 0.5 s (a sample slowed down by waiting for a CPU uses little
            # of it); the log-derived "last" column does not depend on the poll period.
            if ((count > 500)); then
                d=$(( $(now_us) - s ))
                sleep "$(awk -v d="$d" 'BEGIN{p=9*d/1000000; if (p>0.5) p=0.5; printf "%.3f", p}')"
            fi
        done
        read -r cpu_d cpu_a < <(lab_cpu); r1=$(lab_runs)
        # A hook for profiling (e.g. a per-thread CPU snapshot) at the moment all started.
        [[ -n ${TDK_AT_ALL_STARTED:-} ]] && eval "$TDK_AT_ALL_STARTED"
        t_last=$(last_bulk_start "$t0")
        cpu_d=$(awk -v a="$c0" -v b="$cpu_d" 'BEGIN{printf "%.2f", b-a}')
        cpu_a=$(awk -v a="$c1" -v b="$cpu_a" 'BEGIN{printf "%.2f", b-a}')
        runs=$((r1 - r0))
        [[ $t_all == NA ]] && echo "#   rep $rep: only ${st:-0}/$count Started after ${LAB_WAIT_MAX}s"
        per=$(mon_xml "$q" | mon_parse | awk '$1=="rsc" && $2 ~ /^bulk-/ && $3=="Started" {c[$5]++} END {for (n in c) printf "%s=%d ", n, c[n]}')
        t1=$EPOCHREALTIME
        bulk_replace "$q" 0 "$interval" >/dev/null
        t_rem=NA; wait_for "$LAB_WAIT_MAX" 0.2 allgone && t_rem=$(elapsed "$t1")
        printf '%-4s | %7s %7s %7s %7s | %6s %6s %5s | %7s | %s\n' "$rep" "$t_cli" "$t_first" "$t_all" "$t_last" \
            "$cpu_d" "$cpu_a" "$runs" "$t_rem" "$per"
        ALL+=("$t_all"); FIRST+=("$t_first"); REM+=("$t_rem"); CLI+=("$t_cli"); LAST+=("$t_last")
        CD+=("$cpu_d"); CA+=("$cpu_a"); RUNS+=("$runs")
    done
    echo
    summary "bulk $count: cibadmin --replace returns (s)" "${CLI[@]}"
    summary "bulk $count: first Started (s)" "${FIRST[@]}"
    summary "bulk $count: all $count Started (s)" "${ALL[@]}"
    summary "bulk $count: last start's agent exit, logs (s)" "${LAST[@]}"
    summary "bulk $count: removal, all gone (s)" "${REM[@]}"
    summary "bulk $count: tandemd CPU to all Started (s)" "${CD[@]}"
    summary "bulk $count: agent CPU to all Started (s)" "${CA[@]}"
    summary "bulk $count: agent runs to all Started" "${RUNS[@]}"
}

coldstart() {
    ensure_up
    results_open "tandem-coldstart-token$LAB_TOKEN"
    local q; q=$(first_node)
    echo "# times in seconds after t0 (launch of the first tandemd); CIB kept (pcmk-lab's 'restart' variant)"
    printf '%-4s | %8s %8s\n' rep up3_dc rsc_up
    local rep n t0 t_up t_r UP=() RS=()
    for rep in $(seq 1 "$reps"); do
        lab_kill_all || die "kill failed"
        for n in $LAB_NODES; do node_wipe_runtime "$n"; done
        t0=$EPOCHREALTIME
        for n in $LAB_NODES; do node_start "$n"; done
        t_up=NA; wait_for "$LAB_WAIT_MAX" "$LAB_POLL" cluster_up "$q" 3 && t_up=$(elapsed "$t0")
        t_r=NA; wait_for "$LAB_WAIT_MAX" "$LAB_POLL" base_started "$q" >/dev/null && t_r=$(elapsed "$t0")
        printf '%-4s | %8s %8s\n' "$rep" "$t_up" "$t_r"
        UP+=("$t_up"); RS+=("$t_r")
    done
    echo
    summary "cold start [restart] 3 online + DC (s)" "${UP[@]}"
    summary "cold start [restart] dummy+vip Started (s)" "${RS[@]}"
}

memory() {
    ensure_up
    results_open "tandem-memory-$count"
    local q; q=$(first_node)
    report() {
        local n dc; dc=$(dc_of "$q")
        echo "## $1   (DC: $dc)"
        for n in $LAB_NODES; do
            node_mem "$n" | awk -v n="$n" -v dc="$dc" '
                { r+=$3; p+=$4; printf "   %-4s %-20s pid %-7s RSS %7.1f MiB  PSS %7.1f MiB\n", n, $2, $1, $3/1024, $4/1024 }
                END { printf "   %-4s TOTAL%s: RSS %.1f MiB, PSS %.1f MiB\n", n, (n==dc?" [DC]":""), r/1024, p/1024 }'
        done
    }
    allgone() { [[ $(bulk_counts "$q") == "0 0" ]]; }
    allstarted() { [[ $(bulk_counts "$q") == "$count $count" ]]; }
    allgone || { bulk_replace "$q" 0 "$interval" >/dev/null; wait_for "$LAB_WAIT_MAX" 0.5 allgone || die "cleanup"; }
    sleep "$settle"
    report "base resources only (dummy + vip), idle ${settle}s"
    bulk_replace "$q" "$count" "$interval" >/dev/null || die "cibadmin"
    wait_for "$LAB_WAIT_MAX" 0.5 allstarted || die "bulk not started within ${LAB_WAIT_MAX}s"
    sleep "$settle"
    report "$count bulk Dummy resources (monitor $interval) + base, idle ${settle}s"
    bulk_replace "$q" 0 "$interval" >/dev/null
    wait_for "$LAB_WAIT_MAX" 0.5 allgone || log "bulk removal did not finish"
}

idle() {
    ensure_up
    results_open "tandem-idle"
    echo "# CPU (utime+stime) of the 3 tandemd processes, dummy + vip (monitors 1 s) running;"
    echo "# agents' CPU (reaped children) apart; ${settle} s per sample"
    printf '%-4s | %14s %14s\n' rep daemons_ms/s agents_ms/s
    local rep d0 a0 d1 a1 d a S=()
    sleep 5
    for rep in $(seq 1 "$reps"); do
        read -r d0 a0 < <(lab_cpu)
        sleep "$settle"
        read -r d1 a1 < <(lab_cpu)
        d=$(awk -v a="$d0" -v b="$d1" -v t="$settle" 'BEGIN{printf "%.1f", (b-a)*1000/t}')
        a=$(awk -v a="$a0" -v b="$a1" -v t="$settle" 'BEGIN{printf "%.1f", (b-a)*1000/t}')
        printf '%-4s | %14s %14s\n' "$rep" "$d" "$a"
        S+=("$d")
    done
    echo
    summary "idle CPU of the 3 daemons (ms/s)" "${S[@]}"
}

case $cmd in
    up) tk_up; log "tandem lab up: DC $(dc_of "$(first_node)"), base on $(base_started "$(first_node)")";;
    down) tk_down;;
    failover|rscfail|switchover|bulk|coldstart|memory|idle) "$cmd";;
    *) sed -n '2,27p' "$0"; exit 64;;
esac
