#!/usr/bin/env bash
# Serving over HTTP (issue 7): Mlops.Server against a bare ASP.NET Core minimal API calling the same
# model in-process, and against a scikit-learn model behind gunicorn + Flask (MLflow's way), with the
# same client (wrk, bench/serving/infer.lua), on loopback, in one run. Results go to docs/benchmarks.md.
#
#   bench/serving/run.sh                       # 3 rounds x 15 s at 8, 32 and 128 connections, then latency at 50 %
#   DURATION=5 ROUNDS=1 bench/serving/run.sh   # a quick look
#
# Settings (environment): DURATION (s per wrk run), ROUNDS, WARMUP (s per server, 20), CONNECTIONS ("8 32 128"), WRK_THREADS (1),
# PIN (none | split: wrk on CPU 0, servers on CPU 1), PY_WORKERS (2 = cores), PY_WORKER_CLASS (sync, as
# MLflow), SKIP_BUILD=1, OUT (results folder), REPO (default: the repository holding this script),
# TRAINER (lbfgs, the example's; lightgbm trains, packages and promotes that trainer in a throwaway
# clone and serves it), BEFORE_DLL (an Mlops.Server.dll built from an earlier commit: served too, as
# "before", for a before/after comparison in the same run), BEFORE_ARGS (extra settings for that server:
# BEFORE_DLL=<this build's Mlops.Server.dll> BEFORE_ARGS=--Mlops:Metrics:Enabled=false compares metrics
# on and off), MLOPS_ARGS (extra settings for Mlops.Server; "{work}" stands for the run's scratch folder,
# e.g. MLOPS_ARGS=--Mlops:PredictionLog:Folder={work}/predictions), PYTHON_SERVER (1; 0 leaves gunicorn out),
# POLL_UI (0; 1 fetches Mlops.Server's /ui/ and /ui/models/churn once a second for the whole run, as a
# dashboard left open would: BEFORE_DLL=<this build's Mlops.Server.dll> POLL_UI=1 measures what the UI costs).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=${REPO:-$(git -C "$HERE" rev-parse --show-toplevel)}
DURATION=${DURATION:-15}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-20}
CONNECTIONS=${CONNECTIONS:-"8 32 128"}
WRK_THREADS=${WRK_THREADS:-1}
PIN=${PIN:-none}
PY_WORKERS=${PY_WORKERS:-2}
PY_WORKER_CLASS=${PY_WORKER_CLASS:-sync}
PORT_MLOPS=${PORT_MLOPS:-18080}
PORT_BARE=${PORT_BARE:-18081}
PORT_PY=${PORT_PY:-18082}
# Debian's interpreter: it has python3-sklearn and python3-flask (a pyenv python3 on PATH may not).
PYTHON=${PYTHON:-/usr/bin/python3}
TRAINER=${TRAINER:-lbfgs}
BEFORE_DLL=${BEFORE_DLL:-}
read -r -a BEFORE_ARGS <<<"${BEFORE_ARGS:-}"
read -r -a MLOPS_ARGS <<<"${MLOPS_ARGS:-}"
PYTHON_SERVER=${PYTHON_SERVER:-1}
POLL_UI=${POLL_UI:-0}
PORT_BEFORE=${PORT_BEFORE:-18083}
OUT=${OUT:-$HERE/results/$(date -u +%Y%m%dT%H%M%SZ)}
# A server outlives the script by at most this long even if the trap never runs (kill -9).
SERVER_TTL=${SERVER_TTL:-3600}
BODY=$HERE/infer.json
PATH_INFER=/v2/models/churn/infer
SERVERS=(mlops bare)
[[ -n "$BEFORE_DLL" ]] && SERVERS+=(before)
[[ "$PYTHON_SERVER" == 1 ]] && SERVERS+=(python)

mkdir -p "$OUT"
WORK=$(mktemp -d)
PIDS=()

cleanup() {
    # Only the processes this script started, by their ids.
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" | tee -a "$OUT/run.log" >&2; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

for tool in wrk curl dotnet git; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing (apt-get install -y wrk curl)" >&2; exit 1; }
done
if [[ "$PYTHON_SERVER" == 1 ]]; then
    "$PYTHON" -c 'import sklearn, flask, gunicorn' 2>/dev/null \
        || { echo "run.sh: $PYTHON lacks sklearn/flask/gunicorn (apt-get install -y python3-sklearn python3-flask gunicorn)" >&2; exit 1; }
fi

case "$PIN" in
    none) SERVER_CPUS=(); CLIENT_CPUS=() ;;
    # Two cores: the client on one, the servers on the other, so wrk never steals the server's CPU.
    split) SERVER_CPUS=(taskset -c 1); CLIENT_CPUS=(taskset -c 0) ;;
    *) echo "run.sh: PIN is none or split" >&2; exit 1 ;;
esac

log "repo $REPO, results $OUT, load $(load), pin $PIN, $(nproc) cores, trainer $TRAINER, servers ${SERVERS[*]}"
printf '%s\n' "${SERVERS[@]}" >"$OUT/servers.txt"

# The trained example: `dotnet cake` trains churn, stores its bundle and commits the staging pin.
if ! git -C "$REPO" rev-parse --verify -q promote/churn-v1-staging >/dev/null; then
    log "no promote/churn-v1-staging yet: dotnet cake"
    (cd "$REPO" && timeout 1200 dotnet tool restore && timeout 1200 dotnet cake) >"$OUT/cake.log" 2>&1
fi

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    log "building Release"
    timeout 900 dotnet build -c Release "$REPO/src/Mlops.Server/Mlops.Server.csproj" >"$OUT/build.log" 2>&1
    timeout 900 dotnet build -c Release "$HERE/BareServer/BareServer.csproj" >>"$OUT/build.log" 2>&1
fi

# Mlops.Server serves a folder whose environment file pins churn v1: a throwaway clone of the
# promote branch, so the repository's own checkout is never switched.
git clone -q --branch promote/churn-v1-staging "$REPO" "$WORK/staging"
STORE=${MLOPS_STORE:-$REPO/.mlops/store}
if [[ "$TRAINER" != lbfgs ]]; then
    # The same model file with another trainer, trained and promoted in the clone by the Release CLI.
    log "training churn with $TRAINER in the clone"
    MLOPS=(dotnet "$REPO/src/Mlops.Cli/bin/Release/net10.0/mlops.dll")
    [[ -f "${MLOPS[1]}" ]] || timeout 900 dotnet build -c Release "$REPO/src/Mlops.Cli/Mlops.Cli.csproj" >>"$OUT/build.log" 2>&1
    (
        cd "$WORK/staging"
        git config user.name bench && git config user.email bench@localhost
        sed -i "s/^  name: lbfgs$/  name: $TRAINER/" models/churn.yaml
        grep -q "name: $TRAINER" models/churn.yaml || { echo "run.sh: could not set the trainer in models/churn.yaml" >&2; exit 1; }
        git commit -qam "bench: churn with $TRAINER"
        STORE_DIR="$WORK/store"
        for stage in "train" "evaluate" "package --store $STORE_DIR" "promote churn --to staging --on-current-branch --store $STORE_DIR"; do
            # shellcheck disable=SC2086
            timeout 900 "${MLOPS[@]}" $stage --repo . >>"$OUT/train-$TRAINER.log" 2>&1 || { echo "run.sh: mlops $stage failed; see $OUT/train-$TRAINER.log" >&2; exit 1; }
        done
    )
    STORE=$WORK/store
fi
HEX=$(sed -n 's/^ *digest: sha256:\([0-9a-f]\{64\}\).*/\1/p' "$WORK/staging/environments/staging.yaml" | head -n 1)
BUNDLE=$STORE/sha256/${HEX:0:2}/${HEX:2}
[[ -f "$BUNDLE" ]] || { echo "run.sh: the staging bundle $BUNDLE is not in the store" >&2; exit 1; }

declare -A SERVER_PID
start() {
    local name=$1
    shift
    timeout --kill-after=10 "$SERVER_TTL" "${SERVER_CPUS[@]}" "$@" >"$OUT/server-$name.log" 2>&1 &
    PIDS+=($!)
    SERVER_PID[$name]=$!
}

start mlops dotnet "$REPO/src/Mlops.Server/bin/Release/net10.0/Mlops.Server.dll" \
    --Mlops:Environment=staging --Mlops:Repo="$WORK/staging" --Mlops:Store="$STORE" \
    --Mlops:CacheFolder="$WORK/serve-cache" --urls "http://127.0.0.1:$PORT_MLOPS" "${MLOPS_ARGS[@]//\{work\}/$WORK}"
start bare dotnet "$HERE/BareServer/bin/Release/net10.0/BareServer.dll" \
    --Bundle="$BUNDLE" --urls "http://127.0.0.1:$PORT_BARE"
if [[ -n "$BEFORE_DLL" ]]; then
    start before dotnet "$BEFORE_DLL" \
        --Mlops:Environment=staging --Mlops:Repo="$WORK/staging" --Mlops:Store="$STORE" \
        --Mlops:CacheFolder="$WORK/serve-cache-before" --urls "http://127.0.0.1:$PORT_BEFORE" "${BEFORE_ARGS[@]}"
fi
# MLflow's server is gunicorn with sync workers; --preload trains once before forking.
[[ "$PYTHON_SERVER" == 1 ]] && start python env CHURN_DATA="$REPO/data/telco-churn.csv" "$PYTHON" -m gunicorn --chdir "$HERE" \
    -w "$PY_WORKERS" -k "$PY_WORKER_CLASS" --preload --timeout 60 --log-level warning \
    -b "127.0.0.1:$PORT_PY" sklearn_server:app

port() { case $1 in mlops) echo "$PORT_MLOPS" ;; bare) echo "$PORT_BARE" ;; before) echo "$PORT_BEFORE" ;; python) echo "$PORT_PY" ;; esac; }
infer() { curl -s --max-time 5 -H 'content-type: application/json' --data-binary @"$BODY" "http://127.0.0.1:$(port "$1")$PATH_INFER"; }

# Ready when the body gets a 200 (Mlops.Server also has to have applied the environment file).
for s in "${SERVERS[@]}"; do
    deadline=$((SECONDS + 120))
    until [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H 'content-type: application/json' \
        --data-binary @"$BODY" "http://127.0.0.1:$(port "$s")$PATH_INFER" || true) == 200 ]]; do
        ((SECONDS < deadline)) || { echo "run.sh: $s did not get ready in 120 s; see $OUT/server-$s.log" >&2; exit 1; }
        sleep 0.5
    done
done

if [[ "$POLL_UI" == 1 ]]; then
    # Both pages must answer before the run counts; then one poll a second, bounded by SERVER_TTL.
    for page in /ui/ /ui/models/churn; do
        [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$PORT_MLOPS$page") == 200 ]] \
            || { echo "run.sh: $page did not answer 200; see $OUT/server-mlops.log" >&2; exit 1; }
    done
    (
        end=$((SECONDS + SERVER_TTL))
        while ((SECONDS < end)); do
            curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$PORT_MLOPS/ui/" || true
            curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$PORT_MLOPS/ui/models/churn" || true
            sleep 1
        done
    ) &
    PIDS+=($!)
    log "polling Mlops.Server's /ui/ and /ui/models/churn once a second"
fi

# Correct answers: each predicts churn for this customer with a probability, and both .NET servers
# give the very same probability (the same bundle); the sklearn model is another model, so close only.
for s in "${SERVERS[@]}"; do infer "$s" >"$OUT/answer-$s.json"; done
"$PYTHON" - "$OUT" <<'PY' | tee -a "$OUT/run.log" >&2
import json, sys
out = sys.argv[1]
servers = open(f"{out}/servers.txt").read().split()
got = {}
for s in servers:
    body = json.load(open(f"{out}/answer-{s}.json"))
    outputs = {o["name"]: o["data"][0] for o in body["outputs"]}
    got[s] = (outputs["predicted"], outputs["probability"])
    print(f"answer {s}: predicted={outputs['predicted']} probability={outputs['probability']:.6f}")
    assert outputs["predicted"] is True and 0.5 <= outputs["probability"] <= 1, f"{s} answered {body}"
for s in ("bare", "before"):
    if s in got:
        # The same float from the same bundle; the bare endpoint's serializer may print it with more digits.
        assert got["mlops"][0] == got[s][0] and abs(got["mlops"][1] - got[s][1]) < 1e-6, f"the .NET servers disagree: {got}"
if "python" in got:
    assert abs(got["python"][1] - got["mlops"][1]) < 0.05, f"sklearn is far off: {got}"
PY

# CPU time (user + system, clock ticks) of a server's whole process tree (gunicorn's workers too):
# CPU per request does not depend on how the scheduler shared the two cores with wrk and with
# whatever else runs on the machine, so it backs up the req/s figures on a busy machine.
cpu_ticks() {
    local pids=() queue=("${SERVER_PID[$1]}") total=0 pid
    while ((${#queue[@]})); do
        pid=${queue[0]}
        queue=("${queue[@]:1}")
        pids+=("$pid")
        for child in $(pgrep -P "$pid" || true); do queue+=("$child"); done
    done
    for pid in "${pids[@]}"; do
        # Fields 14 and 15 of /proc/PID/stat, counted after the command name's closing parenthesis.
        if [[ -r /proc/$pid/stat ]]; then
            total=$((total + $(sed 's/.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')))
        fi
    done
    echo "$total"
}

# wrk on the client CPUs; RESULT line from infer.lua. $1 file, $2 connections, $3 seconds, $4 server, [$5 delay ms].
bench() {
    local file=$1 connections=$2 seconds=$3 s=$4 delay=${5:-0} threads=$WRK_THREADS p
    p=$(port "$s")
    if ((connections < threads)); then threads=$connections; fi
    echo "load $(load)" >"$file"
    local before
    before=$(cpu_ticks "$s")
    WRK_BODY=$BODY WRK_DELAY_MS=$delay timeout $((seconds + 30)) "${CLIENT_CPUS[@]}" \
        wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 2s -s "$HERE/infer.lua" \
        "http://127.0.0.1:$p$PATH_INFER" >>"$file" 2>&1
    echo "cpu_ticks $(($(cpu_ticks "$s") - before)) $(getconf CLK_TCK)" >>"$file"
    echo "load $(load)" >>"$file"
}
field() { sed -n "s/.*RESULT.* $2=\([0-9.]*\).*/\1/p" "$1"; }

# Tiered JIT compilation goes on for tens of seconds under load (on the busy 2-core machine, perf
# still showed the JIT at 15-20 % of the server's CPU after 10 s): warm each server up first.
log "warm-up: $WARMUP s at 32 connections each"
for s in "${SERVERS[@]}"; do bench "$OUT/warmup-$s.txt" 32 "$WARMUP" "$s"; done

# Saturation: interleaved A, B, C per connection count and round, so drift in the machine's load
# hits every server alike.
for round in $(seq 1 "$ROUNDS"); do
    for c in $CONNECTIONS; do
        for s in "${SERVERS[@]}"; do
            bench "$OUT/sat-$s-c$c-r$round.txt" "$c" "$DURATION" "$s"
            log "saturation round $round c=$c $s: $(field "$OUT/sat-$s-c$c-r$round.txt" rps) req/s"
        done
    done
done

# Saturation throughput of a server: the best connection count's median over the rounds.
saturation() {
    local s=$1 best=0
    for c in $CONNECTIONS; do
        med=$(for r in $(seq 1 "$ROUNDS"); do field "$OUT/sat-$s-c$c-r$r.txt" rps; done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
        best=$(awk -v a="$best" -v b="$med" 'BEGIN {print (b > a) ? b : a}')
    done
    echo "$best"
}

# Latency at half of saturation. wrk is closed-loop and there is no wrk2, so every connection waits
# DELAY ms before each request (infer.lua's delay()); the rate is connections / (delay + latency).
# The delay keeps at least ~20 connections so one connection more or less moves the rate by <= 5 %;
# the connection count is calibrated with 5 s runs until the achieved rate is within 5 % of the target.
declare -A LAT_C LAT_D
for s in "${SERVERS[@]}"; do
    target=$(awk -v r="$(saturation "$s")" 'BEGIN {printf "%.0f", r / 2}')
    delay=$(awk -v t="$target" 'BEGIN {d = int(20000 / t + 0.999); print (d < 10) ? 10 : d}')
    c=$(awk -v t="$target" -v d="$delay" 'BEGIN {c = int(t * d / 1000 + 0.5); print (c < 1) ? 1 : c}')
    for attempt in 1 2 3 4 5; do
        bench "$OUT/calibrate-$s-$attempt.txt" "$c" 5 "$s" "$delay"
        got=$(field "$OUT/calibrate-$s-$attempt.txt" rps)
        log "calibrate $s: target $target req/s, $c connections x ${delay} ms delay -> $got req/s"
        ok=$(awk -v g="$got" -v t="$target" 'BEGIN {print (g > 0.95 * t && g < 1.05 * t) ? 1 : 0}')
        if [[ $ok == 1 || $attempt == 5 ]]; then break; fi
        c=$(awk -v c="$c" -v g="$got" -v t="$target" 'BEGIN {n = int(c * t / g + 0.5); print (n < 1) ? 1 : n}')
    done
    LAT_C[$s]=$c
    LAT_D[$s]=$delay
    echo "$target" >"$OUT/target-$s.txt"
    echo "$c $delay" >"$OUT/pacing-$s.txt"
done

for round in $(seq 1 "$ROUNDS"); do
    for s in "${SERVERS[@]}"; do
        bench "$OUT/lat-$s-r$round.txt" "${LAT_C[$s]}" "$DURATION" "$s" "${LAT_D[$s]}"
        log "latency round $round $s: $(field "$OUT/lat-$s-r$round.txt" rps) req/s, p50 $(field "$OUT/lat-$s-r$round.txt" p50_us) us, p99 $(field "$OUT/lat-$s-r$round.txt" p99_us) us"
    done
done

log "done, load $(load)"
"$PYTHON" "$HERE/summarize.py" "$OUT" "$ROUNDS" $CONNECTIONS | tee "$OUT/summary.md"
