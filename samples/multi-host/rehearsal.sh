#!/usr/bin/env bash
# A multi-host rehearsal on one machine: three network namespaces joined by veth pairs to a bridge,
# an akkattfs seed and worker bound to their own namespace addresses, the coordinator's `run` and a small
# `sweep --seed` from the third, then the same on loopback; the traffic of the two must be equal link for link.
# See README.md beside this file.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"

usage() {
    cat <<EOF
usage: sudo $0 [options]

Builds network namespaces ${PREFIX_DEFAULT}{br,seed,worker,coord,lo}; runs a seed and a worker node in -seed and
-worker, and 'akkattfs run --nodes 2' then 'akkattfs sweep --seed ... --nodes 2' in -coord (veths to a bridge in
-br, each at its own address), then the same on loopback (all three processes in -lo); compares the traffic per
link and per node pair (run) and per point and link (sweep), checks that the sweep's cross-node message latency
shows --delay; and removes everything it made.

options:
  --akkattfs PATH     the akkattfs binary (default: $REPO/src/AkkaTtfs.Cli/bin/Release/net10.0/akkattfs,
                      from 'dotnet build src/AkkaTtfs.Cli -c Release')
  --model FILE        model file to run (default: a seeded random mnist-cnn made with 'akkattfs model random')
  --data NAME|FOLDER  dataset for the run (default: the bundled one)
  --partitions SPEC   partition spec of the run (default: $PARTITIONS)
  --sweep-partitions SPECS  partition specs of the sweep, comma-separated (default: $SWEEP_PARTITIONS); the
                      sweep runs them on both nodes with the run's --limit, --batch and --in-flight
  --no-sweep          only the run
  --limit N           test samples to simulate (default: $LIMIT)
  --batch N           samples per batch (default: akkattfs run's default)
  --in-flight N       batches in flight at most (default: run's default); with 1 and a small --batch every
                      batch waits out the delay of its hops, so the delay shows in the run time
  --delay D           one-way delay added between namespaces, e.g. 2ms (default: 0 = none)
  --rate R            bandwidth of every namespace's link, e.g. 100mbit (default: unlimited)
  --emulated          also run on loopback with akkattfs's own emulated links (every node and run get
                      --link-latency D --link-bandwidth R from --delay and --rate), compare its traffic with the
                      namespace run's and print the three runs' times and message latencies
  --switch KIND       auto | kernel | user: the kernel bridge (the delay by tc netem on the node-side veths)
                      or the user-space delaying switch delayswitch.py (for kernels without netem); auto takes
                      the kernel bridge unless a delay is asked for and this kernel has no netem (default: auto).
                      A rate alone is a tc tbf qdisc on the node-side veths, with netem's rate when both are asked
  --subnet A.B.C      the private /24 used inside the namespaces, as its first three octets (default: $SUBNET)
  --prefix P          name prefix of the namespaces (default: $PREFIX_DEFAULT)
  --secret-file FILE  passed to every node, to run and to sweep as --secret-file (cluster secret; default: one
                      made in --workdir for this rehearsal)
  --workdir DIR       where logs, the model and both report folders go (default: a new /tmp/akkattfs-rehearsal.*)
  --join-timeout S    seconds for nodes to come up and join (default: $JOIN_TIMEOUT)
  --compare A B       only compare the traffic of two existing 'akkattfs run' report folders (no root
                      needed, nothing is created); exit 0 when equal, 1 when not
  -h, --help          this text

Exit status: 0 when the traffic is equal (and, with a delay, the sweep's latency shows it), 1 when not, 2 on bad options or a refused start
(not root, a namespace already exists, the subnet is in use), 3 when a step fails (a node does not
come up, a run fails, a report cannot be read), 130/143 when interrupted.
EOF
}

die() { echo "rehearsal: $*" >&2; exit 2; }
say() { echo "== $*"; }

# ---- options ----
PREFIX_DEFAULT="akkattfs-"
AKKATTFS="$REPO/src/AkkaTtfs.Cli/bin/Release/net10.0/akkattfs"
MODEL=""
DATA=""
PARTITIONS="2"
SWEEP_PARTITIONS="1,c2"
SWEEP=1
LIMIT=256
BATCH=""
IN_FLIGHT=""
DELAY="0"
RATE=""
SWITCH="auto"
SUBNET="10.213.7"
PREFIX="$PREFIX_DEFAULT"
SECRET_FILE=""
WORKDIR=""
JOIN_TIMEOUT=120
COMPARE=()
EMULATED=0
LINK_ARGS=()       # what every node and the run get in the current run: nothing, or EMULATED_ARGS in the emulated one
EMULATED_ARGS=()   # --link-latency/--link-bandwidth from --delay and --rate
PORT=4053   # every node's port: each namespace has its own port space

need() { [[ $# -ge 2 && -n "$2" ]] || die "$1 needs a value"; }
while [[ $# -gt 0 ]]; do
    case "$1" in
        --akkattfs) need "$@"; AKKATTFS="$2"; shift 2 ;;
        --model) need "$@"; MODEL="$2"; shift 2 ;;
        --data) need "$@"; DATA="$2"; shift 2 ;;
        --partitions) need "$@"; PARTITIONS="$2"; shift 2 ;;
        --sweep-partitions) need "$@"; SWEEP_PARTITIONS="$2"; shift 2 ;;
        --no-sweep) SWEEP=0; shift ;;
        --limit) need "$@"; LIMIT="$2"; shift 2 ;;
        --batch) need "$@"; BATCH="$2"; shift 2 ;;
        --in-flight) need "$@"; IN_FLIGHT="$2"; shift 2 ;;
        --delay) need "$@"; DELAY="$2"; shift 2 ;;
        --rate) need "$@"; RATE="$2"; shift 2 ;;
        --switch) need "$@"; SWITCH="$2"; shift 2 ;;
        --emulated) EMULATED=1; shift ;;
        --subnet) need "$@"; SUBNET="$2"; shift 2 ;;
        --prefix) need "$@"; PREFIX="$2"; shift 2 ;;
        --secret-file) need "$@"; SECRET_FILE="$2"; shift 2 ;;
        --workdir) need "$@"; WORKDIR="$2"; shift 2 ;;
        --join-timeout) need "$@"; JOIN_TIMEOUT="$2"; shift 2 ;;
        --compare) [[ $# -ge 3 ]] || die "--compare needs two report folders"; COMPARE=("$2" "$3"); shift 3 ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown option '$1' (see --help)" ;;
    esac
done

# ---- the report, read in ONE place: links.csv (by column name) and report.json's times ----
# Prints "link SRC->DST stage A->B messages events bytes" per partition link, "pair FROM->TO ..." per node
# pair, "total ..." and "time run_seconds R deploy_seconds D". links.csv names a node by its index in
# report.json's nodes (node0, node1, ...: the coordinator's own node first when it is a worker, then by address;
# -1 is the coordinator when it is not a worker), so the same run on other addresses reads the same.
read_report() {
    local folder=$1
    [[ -f "$folder/links.csv" && -f "$folder/report.json" ]] ||
        { echo "rehearsal: $folder lacks links.csv or report.json (has the run report's layout changed?)" >&2; exit 3; }
    awk -F, -v file="$folder/links.csv" '
        NR == 1 {
            for (i = 1; i <= NF; i++) col[$i] = i
            k = split("source target source_stage target_stage source_node target_node messages events payload_bytes", need, " ")
            for (i = 1; i <= k; i++) if (!(need[i] in col)) { printf "rehearsal: %s has no column %s\n", file, need[i] > "/dev/stderr"; bad = 1; exit 3 }
            next
        }
        function named(x) { return x == -1 ? "coordinator" : "node" x }
        {
            printf "link %s->%s stage %s->%s messages %s events %s bytes %s\n", $col["source"], $col["target"],
                $col["source_stage"], $col["target_stage"], $col["messages"], $col["events"], $col["payload_bytes"]
            p = named($col["source_node"]) "->" named($col["target_node"])
            m[p] += $col["messages"]; e[p] += $col["events"]; b[p] += $col["payload_bytes"]
            tm += $col["messages"]; te += $col["events"]; tb += $col["payload_bytes"]
        }
        END {
            if (bad) exit 3
            for (p in m) printf "pair %s messages %d events %d bytes %d\n", p, m[p], e[p], b[p]
            printf "total messages %d events %d bytes %d\n", tm, te, tb
        }' "$folder/links.csv" | LC_ALL=C sort || exit 3
    local run deploy
    run=$(sed -n 's/^ *"run_seconds": *\([0-9.eE+-]*\).*/\1/p' "$folder/report.json")
    deploy=$(sed -n 's/^ *"deploy_seconds": *\([0-9.eE+-]*\).*/\1/p' "$folder/report.json")
    echo "time run_seconds ${run:-?} deploy_seconds ${deploy:-?}"
}

# compare_reports FOLDER_A FOLDER_B NAME_A NAME_B DIFF_FILE: prints the traffic per node pair and the times
# of both, then the verdict; returns 0 when every link, node pair and total is equal, 1 otherwise.
compare_reports() {
    local a b links
    a=$(read_report "$1") || return 3
    b=$(read_report "$2") || return 3
    say "traffic per node pair (messages, spikes, payload bytes; node0 = the lower address, the seed here)"
    echo "  $3:"; grep -E '^(pair|total) ' <<<"$a" | sed 's/^/    /'
    echo "  $4:"; grep -E '^(pair|total) ' <<<"$b" | sed 's/^/    /'
    local ta tb
    read -r -a ta <<<"$(grep '^time ' <<<"$a")"
    read -r -a tb <<<"$(grep '^time ' <<<"$b")"
    say "times from the reports (s): run $3 ${ta[2]}, $4 ${tb[2]}; deploy $3 ${ta[4]}, $4 ${tb[4]}"
    links=$(grep -c '^link ' <<<"$b" || true)
    if diff <(grep -v '^time ' <<<"$a") <(grep -v '^time ' <<<"$b") >"$5"; then
        say "VERDICT: EQUAL: all $links partition links, every node pair and the totals carry the same messages, spikes and payload bytes ($3 and $4)"
        return 0
    fi
    say "VERDICT: DIFFERENT: the traffic differs (< $3, > $4):"
    cat "$5"
    return 1
}

# ---- the sweep, read in ONE place: sweep.csv (per point) and sweep-links.csv (per point and link), by column name ----
# sweep_points FOLDER: "point I partitions P nodes N status S spikes X messages M bytes B cross_bytes C" per point
# (traffic only: what must be equal), then "latency I p50_ms L samples_per_s R" per point (what may differ).
sweep_points() {
    local folder=$1
    [[ -f "$folder/sweep.csv" && -f "$folder/sweep-links.csv" ]] ||
        { echo "rehearsal: $folder lacks sweep.csv or sweep-links.csv (did the sweep run? has its layout changed?)" >&2; exit 3; }
    awk -F, -v file="$folder/sweep.csv" '
        NR == 1 {
            for (i = 1; i <= NF; i++) col[$i] = i
            k = split("index partitions nodes status measured_spikes measured_messages measured_payload_bytes measured_cross_node_bytes cross_node_latency_p50_ms samples_per_s", need, " ")
            for (i = 1; i <= k; i++) if (!(need[i] in col)) { printf "rehearsal: %s has no column %s\n", file, need[i] > "/dev/stderr"; bad = 1; exit 3 }
            next
        }
        {
            printf "point %s partitions %s nodes %s status %s spikes %s messages %s bytes %s cross_bytes %s\n", $col["index"], $col["partitions"], $col["nodes"],
                $col["status"], $col["measured_spikes"], $col["measured_messages"], $col["measured_payload_bytes"], $col["measured_cross_node_bytes"]
            lat[NR] = sprintf("latency %s p50_ms %s samples_per_s %s", $col["index"], $col["cross_node_latency_p50_ms"], $col["samples_per_s"])
        }
        END { if (bad) exit 3; for (i = 2; i <= NR; i++) print lat[i] }' "$folder/sweep.csv" || exit 3
}

# compare_sweeps FOLDER_A FOLDER_B NAME_A NAME_B DIFF_FILE: per point and per link (sweep-links.csv: ends, their node
# indices, messages, spikes, payload bytes) the two must be equal and every point ok; prints both sides' latencies.
compare_sweeps() {
    local a b rc=0
    a=$(sweep_points "$1") || return 3
    b=$(sweep_points "$2") || return 3
    say "sweep traffic per point (measured spikes, messages, payload bytes, cross-node bytes; every point verified by the sweep itself)"
    echo "  $3:"; grep '^point ' <<<"$a" | sed 's/^/    /'
    echo "  $4:"; grep '^point ' <<<"$b" | sed 's/^/    /'
    say "sweep cross-node message latency p50 (ms) and throughput (samples/s): $3 / $4"
    paste -d' ' <(grep '^latency ' <<<"$a" | awk '{ printf "    point %s: %.2f ms, %.0f samples/s\n", $2, $4, $6 }') \
                <(grep '^latency ' <<<"$b" | awk '{ printf "/ %.2f ms, %.0f samples/s\n", $4, $6 }')
    if printf '%s\n%s\n' "$a" "$b" | grep '^point ' | grep -v ' status ok ' >/dev/null; then
        say "VERDICT (sweep): a point did not pass (see the status above and the sweep logs)"
        rc=1
    fi
    local links
    links=$(($(wc -l <"$2/sweep-links.csv") - 1))
    if diff <(grep '^point ' <<<"$a") <(grep '^point ' <<<"$b") >"$5" && diff "$1/sweep-links.csv" "$2/sweep-links.csv" >>"$5"; then
        say "VERDICT (sweep): EQUAL: every point and all $links point links carry the same messages, spikes and payload bytes ($3 and $4)"
    else
        say "VERDICT (sweep): DIFFERENT: the traffic differs (< $3, > $4):"
        cat "$5"
        rc=1
    fi
    return "$rc"
}

# latency_shows_delay FOLDER: with a delay, every point's cross-node message p50 must be at least 3/4 of it (the delay
# is a floor: netem never delivers early; 3/4 leaves room for the trace's clock conversion).
latency_shows_delay() {
    local folder=$1
    [[ "$HAS_DELAY" == 1 ]] || return 0
    if sweep_points "$folder" | awk -v d="$DELAY_MS" '/^latency / { if ($4 == "" || $4 + 0 < 0.75 * d) bad = 1 } END { exit bad }'; then
        say "VERDICT (sweep latency): every point's cross-node message p50 is at least 3/4 of the ${DELAY_MS} ms delay"
        return 0
    fi
    say "VERDICT (sweep latency): a point's cross-node message p50 is below 3/4 of the ${DELAY_MS} ms delay"
    return 1
}

if [[ ${#COMPARE[@]} -gt 0 ]]; then
    diff_file=$(mktemp)
    trap 'rm -f "$diff_file"' EXIT
    rc=0
    compare_reports "${COMPARE[0]}" "${COMPARE[1]}" "${COMPARE[0]}" "${COMPARE[1]}" "$diff_file" || rc=$?
    exit "$rc"
fi

# ---- checks: everything that can be refused is refused before anything is made ----
[[ "$LIMIT" =~ ^[1-9][0-9]*$ ]] || die "--limit must be a positive integer, got '$LIMIT'"
[[ -z "$BATCH" || "$BATCH" =~ ^[1-9][0-9]*$ ]] || die "--batch must be a positive integer, got '$BATCH'"
[[ -z "$IN_FLIGHT" || "$IN_FLIGHT" =~ ^[1-9][0-9]*$ ]] || die "--in-flight must be a positive integer, got '$IN_FLIGHT'"
[[ "$SWEEP_PARTITIONS" =~ ^[a-z0-9x,]+$ ]] || die "--sweep-partitions must be partition specs separated by commas (e.g. 1,c2), got '$SWEEP_PARTITIONS'"
[[ "$JOIN_TIMEOUT" =~ ^[1-9][0-9]*$ ]] || die "--join-timeout must be a positive integer (seconds), got '$JOIN_TIMEOUT'"
# The delay in milliseconds (tc's units: us, ms, s); the user-space switch takes a number of ms.
if [[ "$DELAY" =~ ^([0-9]+(\.[0-9]+)?)(us|ms|s)?$ ]]; then
    case "${BASH_REMATCH[3]}" in
        us) DELAY_MS=$(awk -v v="${BASH_REMATCH[1]}" 'BEGIN { print v / 1000 }') ;;
        s) DELAY_MS=$(awk -v v="${BASH_REMATCH[1]}" 'BEGIN { print v * 1000 }') ;;
        *) DELAY_MS="${BASH_REMATCH[1]}" ;;
    esac
else
    die "--delay must be a number with us, ms or s (e.g. 2ms), got '$DELAY'"
fi
HAS_DELAY=$(awk -v v="$DELAY_MS" 'BEGIN { print (v > 0) ? 1 : 0 }')
[[ -z "$RATE" || "$RATE" =~ ^[0-9]+(\.[0-9]+)?([kmg]?bit|[kmg]?bps)$ ]] || die "--rate must be a tc rate such as 100mbit, got '$RATE'"
# tc's units for akkattfs's: kbit/mbit/gbit are bits per second (100mbit -> 100Mbit); kbps/mbps/gbps are BYTES per
# second in tc (10mbps -> 10MB/s).
akkattfs_rate() {
    local r=$1
    case "$r" in
        *kbit) echo "${r%kbit}kbit" ;; *mbit) echo "${r%mbit}Mbit" ;; *gbit) echo "${r%gbit}Gbit" ;; *bit) echo "$r" ;;
        *kbps) echo "${r%kbps}kB/s" ;; *mbps) echo "${r%mbps}MB/s" ;; *gbps) echo "${r%gbps}GB/s" ;; *bps) echo "${r%bps}B/s" ;;
    esac
}
if [[ $EMULATED -eq 1 ]]; then
    EMULATED_ARGS=(--link-latency "$([[ "$DELAY" =~ [a-z]$ ]] && echo "$DELAY" || echo "${DELAY}ms")")
    [[ -z "$RATE" ]] || EMULATED_ARGS+=(--link-bandwidth "$(akkattfs_rate "$RATE")")
fi
[[ "$SWITCH" =~ ^(auto|kernel|user)$ ]] || die "--switch must be auto, kernel or user, got '$SWITCH'"
[[ "$PREFIX" =~ ^[a-z][a-z0-9-]{0,15}$ ]] || die "--prefix must be lower-case letters, digits and '-' (at most 16), got '$PREFIX'"
# Only a private /24: the rehearsal's traffic must stay inside the namespaces it creates.
[[ "$SUBNET" =~ ^(10\.[0-9]{1,3}|172\.(1[6-9]|2[0-9]|3[01])|192\.168)\.[0-9]{1,3}$ ]] ||
    die "--subnet must be the first three octets of a private /24 (10.x.y, 172.16-31.y, 192.168.y), got '$SUBNET'"
[[ $(id -u) -eq 0 ]] || die "must run as root (it creates network namespaces); try: sudo $0 $*"
for tool in ip tc awk; do command -v "$tool" >/dev/null || die "'$tool' is not installed"; done
[[ -x "$AKKATTFS" ]] || die "no akkattfs binary at $AKKATTFS (build it: dotnet build src/AkkaTtfs.Cli -c Release, or give --akkattfs PATH)"
[[ -z "$MODEL" || -f "$MODEL" ]] || die "--model $MODEL: no such file"
[[ -z "$SECRET_FILE" || -f "$SECRET_FILE" ]] || die "--secret-file $SECRET_FILE: no such file"
[[ -z "$WORKDIR" || ! -e "$WORKDIR" || -d "$WORKDIR" ]] || die "--workdir $WORKDIR is not a folder"

NS_BR="${PREFIX}br"; NS_SEED="${PREFIX}seed"; NS_WORKER="${PREFIX}worker"; NS_COORD="${PREFIX}coord"; NS_LO="${PREFIX}lo"
ALL_NS=("$NS_BR" "$NS_SEED" "$NS_WORKER" "$NS_COORD" "$NS_LO")
existing=()
present=" $(ip netns list | awk '{ printf "%s ", $1 }')"
for ns in "${ALL_NS[@]}"; do
    [[ "$present" != *" $ns "* ]] || existing+=("$ns")
done
[[ ${#existing[@]} -eq 0 ]] ||
    die "namespace(s) already exist: ${existing[*]} (another rehearsal running, or left over: check, then 'ip netns del NAME'); nothing was changed"
if ip -o -4 addr show | awk '{ print $4 }' | grep -q "^${SUBNET//./\\.}\."; then
    die "subnet $SUBNET.0/24 is already used by an interface of this machine; choose another --subnet"
fi

# ---- cleanup on every exit path: only what this run made ----
CREATED_NS=()
PIDS=()
# SIGTERM to each process of this script (a node leaves the cluster on it), then waits up to 20 s, then SIGKILL.
stop_pids() {
    local pid
    for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "$@"; do
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
}
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    [[ ${#PIDS[@]} -eq 0 ]] || stop_pids "${PIDS[@]}"
    # deleting a namespace deletes its veth ends (and so their peers), its bridge and its qdiscs
    local ns
    for ns in "${CREATED_NS[@]}"; do
        ip netns del "$ns" 2>/dev/null || echo "rehearsal: could not delete namespace $ns" >&2
    done
    [[ ${#CREATED_NS[@]} -eq 0 ]] || echo "== cleaned up: namespaces ${CREATED_NS[*]} deleted (with their veths, bridge and qdiscs)${PIDS[0]:+, ${#PIDS[@]} process(es) stopped}"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ -z "$WORKDIR" ]]; then WORKDIR=$(mktemp -d /tmp/akkattfs-rehearsal.XXXXXX); else mkdir -p "$WORKDIR"; fi
WORKDIR="$(cd "$WORKDIR" && pwd)"
# Nodes on a non-loopback address need a cluster secret (or --insecure): without --secret-file, one made for this rehearsal.
if [[ -z "$SECRET_FILE" ]]; then
    SECRET_FILE="$WORKDIR/cluster.secret"
    (umask 077 && head -c 32 /dev/urandom | base64 >"$SECRET_FILE")
fi
SECRET_ARGS=(--secret-file "$(cd "$(dirname "$SECRET_FILE")" && pwd)/$(basename "$SECRET_FILE")")
COMMON_ARGS=(--limit "$LIMIT" --join-timeout "$JOIN_TIMEOUT")
[[ -z "$DATA" ]] || COMMON_ARGS+=(--data "$DATA")
[[ -z "$BATCH" ]] || COMMON_ARGS+=(--batch "$BATCH")
[[ -z "$IN_FLIGHT" ]] || COMMON_ARGS+=(--in-flight "$IN_FLIGHT")
RUN_ARGS=(--partitions "$PARTITIONS" "${COMMON_ARGS[@]}")
SWEEP_ARGS=(--partitions "$SWEEP_PARTITIONS" --nodes 2 "${COMMON_ARGS[@]}")

new_ns() {
    ip netns add "$1"
    CREATED_NS+=("$1")
    ip -n "$1" link set lo up
    # IPv4 only: no router solicitations or DAD probes on the links
    ip netns exec "$1" sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6'
}

# netem is a kernel option (CONFIG_NET_SCH_NETEM); probe it on a namespace's loopback.
has_netem() {
    if tc -n "$NS_BR" qdisc add dev lo root netem delay 0ms 2>/dev/null; then
        tc -n "$NS_BR" qdisc del dev lo root
        return 0
    fi
    return 1
}

# ---- 1. the namespaces, the links and the emulation ----
say "namespaces: $NS_BR (bridge), $NS_SEED $SUBNET.1, $NS_WORKER $SUBNET.2, $NS_COORD $SUBNET.3, $NS_LO (loopback run)"
for ns in "${ALL_NS[@]}"; do new_ns "$ns"; done
if [[ "$SWITCH" == auto ]]; then
    if [[ "$HAS_DELAY" == 1 ]] && ! has_netem; then SWITCH=user; else SWITCH=kernel; fi
fi
if [[ "$SWITCH" == kernel && "$HAS_DELAY" == 1 ]] && ! has_netem; then
    die "--delay needs tc netem, which this kernel lacks (CONFIG_NET_SCH_NETEM); use --switch user or auto"
fi
[[ "$SWITCH" == kernel ]] || command -v python3 >/dev/null || die "--switch user needs python3"

index=1
PORTS=()
for ns in "$NS_SEED" "$NS_WORKER" "$NS_COORD"; do
    port="v-${ns#"$PREFIX"}"            # bridge side, in the bridge namespace; the node side is eth0
    ip -n "$NS_BR" link add "$port" type veth peer name eth0 netns "$ns"
    ip -n "$ns" addr add "$SUBNET.$index/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$NS_BR" link set "$port" up
    PORTS+=("$port")
    index=$((index + 1))
done

# The qdiscs go on the node side of every veth, so a frame between two nodes is delayed once (one-way
# delay = --delay) and every node's sending is bounded by --rate.
if [[ "$SWITCH" == kernel ]]; then
    ip -n "$NS_BR" link add br0 type bridge
    for port in "${PORTS[@]}"; do ip -n "$NS_BR" link set "$port" master br0; done
    ip -n "$NS_BR" link set br0 up
    EMULATION="kernel bridge"
else
    for port in "${PORTS[@]}"; do ip -n "$NS_BR" link set "$port" promisc on; done
    ip netns exec "$NS_BR" python3 "$HERE/delayswitch.py" --delay-ms "$DELAY_MS" "${PORTS[@]}" >"$WORKDIR/switch.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 1 100); do grep -q '^ready' "$WORKDIR/switch.log" && break; sleep 0.1; done
    grep -q '^ready' "$WORKDIR/switch.log" || { cat "$WORKDIR/switch.log" >&2; echo "rehearsal: the delaying switch did not start" >&2; exit 3; }
    EMULATION="user-space switch delayswitch.py, one-way delay ${DELAY_MS} ms"
fi
if [[ "$SWITCH" == kernel && "$HAS_DELAY" == 1 ]]; then
    qdisc=(netem delay "$DELAY")
    [[ -z "$RATE" ]] || qdisc+=(rate "$RATE")
elif [[ -n "$RATE" ]]; then
    qdisc=(tbf rate "$RATE" burst 64kb latency 1s)   # rate alone: tbf, which kernels without netem have too
else
    qdisc=()
fi
if [[ ${#qdisc[@]} -gt 0 ]]; then
    for ns in "$NS_SEED" "$NS_WORKER" "$NS_COORD"; do tc -n "$ns" qdisc add dev eth0 root "${qdisc[@]}"; done
    EMULATION+="; tc qdisc ${qdisc[*]} on the node-side veths"
elif [[ "$SWITCH" == kernel ]]; then
    EMULATION+="; no delay, no rate limit"
fi
say "links: $EMULATION"

# ---- the model ----
if [[ -z "$MODEL" ]]; then
    MODEL="$WORKDIR/model.safetensors"
    say "model: akkattfs model random --arch mnist-cnn --out $MODEL"
    "$AKKATTFS" model random --arch mnist-cnn --out "$MODEL" ${DATA:+--data "$DATA"} >"$WORKDIR/model.log" 2>&1 ||
        { cat "$WORKDIR/model.log" >&2; exit 3; }
fi

# ---- 2./3. one run: a seed, a worker, the coordinator's run, each in a namespace at an address ----
# start_node NS HOST SEED PORT LOG: starts `akkattfs node` in NS at HOST:PORT (the seed itself when SEED is
# empty) and waits for its "node up at" line.
start_node() {
    local ns=$1 host=$2 seed=$3 port=$4 log=$5 pid
    local args=(node --role worker --host "$host" --port "$port" --join-timeout "$JOIN_TIMEOUT")
    [[ -z "$seed" ]] || args+=(--seed "$seed")
    ip netns exec "$ns" "$AKKATTFS" "${args[@]}" "${SECRET_ARGS[@]}" "${LINK_ARGS[@]}" >"$log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    for _ in $(seq 1 $((JOIN_TIMEOUT * 5))); do
        grep -q '^node up at ' "$log" && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    cat "$log" >&2
    echo "rehearsal: the node in $ns at $host:$port did not come up (log: $log)" >&2
    exit 3
}

# Stops the nodes of a run (not the switch).
stop_nodes() {
    local pid nodes=() keep=()
    for pid in "${PIDS[@]}"; do if [[ "$pid" == "$SWITCH_PID" ]]; then keep+=("$pid"); else nodes+=("$pid"); fi; done
    [[ ${#nodes[@]} -eq 0 ]] || stop_pids "${nodes[@]}"
    PIDS=("${keep[@]}")
}
SWITCH_PID=""
[[ "$SWITCH" == kernel ]] || SWITCH_PID="${PIDS[0]}"

# run_cluster LABEL NS_SEED HOST_SEED PORT NS_WORKER HOST_WORKER PORT NS_COORD HOST_COORD PORT OUT [SWEEP_OUT]
WALL=0
run_cluster() {
    local label=$1 ns_s=$2 h_s=$3 p_s=$4 ns_w=$5 h_w=$6 p_w=$7 ns_c=$8 h_c=$9 p_c=${10} out=${11} sweep_out=${12:-}
    local seed="akka.tcp://akkattfs@$h_s:$p_s"
    say "$label: seed in $ns_s at $h_s:$p_s, worker in $ns_w at $h_w:$p_w, coordinator in $ns_c at $h_c:$p_c"
    start_node "$ns_s" "$h_s" "" "$p_s" "$WORKDIR/$label-seed.log"
    start_node "$ns_w" "$h_w" "$seed" "$p_w" "$WORKDIR/$label-worker.log"
    local start end rc=0
    start=$(date +%s.%N)
    ip netns exec "$ns_c" "$AKKATTFS" run --seed "$seed" --host "$h_c" --port "$p_c" --nodes 2 --model "$MODEL" \
        "${RUN_ARGS[@]}" "${SECRET_ARGS[@]}" "${LINK_ARGS[@]}" --out "$out" >"$WORKDIR/$label-run.log" 2>&1 &
    local run_pid=$!
    PIDS+=("$run_pid")
    wait "$run_pid" || rc=$?
    end=$(date +%s.%N)
    WALL=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
    sed 's/^/   | /' "$WORKDIR/$label-run.log"
    [[ $rc -eq 0 ]] || { echo "rehearsal: the $label run failed (exit $rc; log: $WORKDIR/$label-run.log)" >&2; exit 3; }
    # The sweep on the same two nodes, from a new coordinator in the same namespace (the next port: the run's may linger).
    # Its exit status 1 (a point did not pass) is left to the comparison, which shows the statuses.
    if [[ $SWEEP -eq 1 && -n "$sweep_out" ]]; then
        say "$label: sweep --seed $seed --host $h_c --port $((p_c + 1)) ${SWEEP_ARGS[*]}"
        rc=0
        ip netns exec "$ns_c" "$AKKATTFS" sweep --seed "$seed" --host "$h_c" --port $((p_c + 1)) --model "$MODEL" \
            "${SWEEP_ARGS[@]}" "${SECRET_ARGS[@]}" --out "$sweep_out" >"$WORKDIR/$label-sweep.log" 2>&1 &
        run_pid=$!
        PIDS+=("$run_pid")
        wait "$run_pid" || rc=$?
        sed 's/^/   | /' "$WORKDIR/$label-sweep.log"
        [[ $rc -le 1 && -f "$sweep_out/sweep-links.csv" ]] || { echo "rehearsal: the $label sweep failed (exit $rc; log: $WORKDIR/$label-sweep.log)" >&2; exit 3; }
    fi
    stop_nodes
}

LO_OUT="$WORKDIR/loopback"
NS_OUT="$WORKDIR/namespaces"
# In both runs the seed's address sorts before the worker's, so the placement (workers in address order)
# puts every partition on the same role's node and the node pairs compare too.
LO_SWEEP="$WORKDIR/loopback-sweep"
NS_SWEEP="$WORKDIR/namespaces-sweep"
run_cluster loopback "$NS_LO" 127.0.0.1 "$PORT" "$NS_LO" 127.0.0.1 $((PORT + 1)) "$NS_LO" 127.0.0.1 $((PORT + 2)) "$LO_OUT" "$LO_SWEEP"
LO_WALL=$WALL
run_cluster namespaces "$NS_SEED" "$SUBNET.1" "$PORT" "$NS_WORKER" "$SUBNET.2" "$PORT" "$NS_COORD" "$SUBNET.3" "$PORT" "$NS_OUT" "$NS_SWEEP"
NS_WALL=$WALL

say "times of the run commands, wall (s): loopback $LO_WALL, namespaces $NS_WALL (with process start, join and the reference check)"
say "links: $EMULATION"
rc=0
compare_reports "$LO_OUT" "$NS_OUT" loopback namespaces "$WORKDIR/traffic.diff" || rc=$?
if [[ $SWEEP -eq 1 ]]; then
    compare_sweeps "$LO_SWEEP" "$NS_SWEEP" loopback namespaces "$WORKDIR/sweep-traffic.diff" || rc=1
    latency_shows_delay "$NS_SWEEP" || rc=1
fi
[[ $EMULATED -eq 1 ]] || exit "$rc"

# ---- 4. the same run on loopback with akkattfs's emulated links instead of the kernel's ----
EM_OUT="$WORKDIR/emulated"
LINK_ARGS=("${EMULATED_ARGS[@]}")
link_args_shown="${LINK_ARGS[*]}"
run_cluster emulated "$NS_LO" 127.0.0.1 "$PORT" "$NS_LO" 127.0.0.1 $((PORT + 1)) "$NS_LO" 127.0.0.1 $((PORT + 2)) "$EM_OUT"
say "emulated loopback run ($link_args_shown on every node and the run): wall $WALL s"
# The message latency percentiles of the three traces (timeline.csv, all links; the cross-node ones carry the delay).
for out in "$LO_OUT" "$NS_OUT" "$EM_OUT"; do
    echo "  $(basename "$out"): $(tr -d ' \n' <"$out/report.json" | grep -o '"latency_ms":{[^}]*}' | head -1)"
done
compare_reports "$NS_OUT" "$EM_OUT" namespaces emulated "$WORKDIR/traffic-emulated.diff" || rc=$?
exit "$rc"
