#!/bin/bash
# Per-thread CPU of every tandemd on this host, e.g. around a bulk start:
#   bench/cluster/thread-cpu.sh snap /tmp/a
#   TDK_AT_ALL_STARTED="bench/cluster/thread-cpu.sh snap /tmp/b" bench/cluster/measure.sh bulk -n 1 --count 1000
#   bench/cluster/thread-cpu.sh diff /tmp/a /tmp/b
# thread-cpu.sh snap FILE: per-thread utime+stime (ticks) of every tandemd (tid name ticks), plus process totals
# thread-cpu.sh diff A B: CPU-s per thread name, summed over nodes; "exited" = threads gone by B
case $1 in
snap) for p in $(pgrep -x tandemd); do
        s=($(sed 's/.*) //' /proc/$p/stat)); echo "P$p process $((s[11]+s[12]))"
        for t in /proc/$p/task/*; do
        n=$(cat $t/comm); s=($(sed 's/.*) //' $t/stat)); echo "${t##*/} $n $((s[11]+s[12]))"; done; done > "$2";;
diff) awk 'NR==FNR {a[$1]=$3; next}
           $2=="process" {pd+=$3-a[$1]; next}
           {d=$3-($1 in a ? a[$1] : 0); s[$2]+=d; t+=d}
           END {for (k in s) printf "%-16s %6.2f\n", k, s[k]/100; printf "%-16s %6.2f\n", "exited", (pd-t)/100; printf "%-16s %6.2f\n", "TOTAL", pd/100}' "$2" "$3" | sort -k2 -nr;;
esac
