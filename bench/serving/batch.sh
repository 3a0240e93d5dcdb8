#!/usr/bin/env bash
# Batch against single rows over HTTP (issue 7): the same Mlops.Server, the same client (wrk with
# bench/serving/infer.lua), one connection so calls run one after another. Per row, a v2 infer of
# 10,000 rows against 10,000 v2 infers of one row. Results go to docs/benchmarks.md.
#
#   bench/serving/batch.sh                  # 3 rounds x 15 s each
#   DURATION=5 ROUNDS=1 bench/serving/batch.sh
#
# Needs the trained example (promote/churn-v1-staging in REPO; bench/serving/run.sh makes it) and a
# Release build of src/Mlops.Server. Settings: DURATION, ROUNDS, ROWS (10000), CONNECTIONS (1), REPO, OUT, PORT.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=${REPO:-$(git -C "$HERE" rev-parse --show-toplevel)}
DURATION=${DURATION:-15}
ROUNDS=${ROUNDS:-3}
ROWS=${ROWS:-10000}
CONNECTIONS=${CONNECTIONS:-1}
PORT=${PORT:-18083}
PYTHON=${PYTHON:-/usr/bin/python3}
OUT=${OUT:-$HERE/results/batch-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
WORK=$(mktemp -d)
SERVER=""
cleanup() {
    [[ -n "$SERVER" ]] && { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" | tee -a "$OUT/run.log" >&2; }

git -C "$REPO" rev-parse --verify -q promote/churn-v1-staging >/dev/null \
    || { echo "batch.sh: no promote/churn-v1-staging in $REPO; run bench/serving/run.sh (or dotnet cake) first" >&2; exit 1; }
git clone -q --branch promote/churn-v1-staging "$REPO" "$WORK/staging"

# The single-row body repeated: every tensor gets ROWS values.
"$PYTHON" - "$HERE/infer.json" "$WORK/batch.json" "$ROWS" <<'PY'
import json, sys
body = json.load(open(sys.argv[1]))
rows = int(sys.argv[3])
for tensor in body["inputs"]:
    tensor["data"] = tensor["data"] * rows
    tensor["shape"] = [rows]
json.dump(body, open(sys.argv[2], "w"))
PY

timeout --kill-after=10 3600 dotnet "$REPO/src/Mlops.Server/bin/Release/net10.0/Mlops.Server.dll" \
    --Mlops:Environment=staging --Mlops:Repo="$WORK/staging" --Mlops:Store="$REPO/.mlops/store" \
    --Mlops:CacheFolder="$WORK/serve-cache" --Mlops:MaxRows="$ROWS" --Mlops:MaxBodyBytes=67108864 \
    --urls "http://127.0.0.1:$PORT" >"$OUT/server.log" 2>&1 &
SERVER=$!
URL=http://127.0.0.1:$PORT/v2/models/churn/infer
deadline=$((SECONDS + 120))
until [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H 'content-type: application/json' --data-binary @"$HERE/infer.json" "$URL" || true) == 200 ]]; do
    ((SECONDS < deadline)) || { echo "batch.sh: the server did not get ready; see $OUT/server.log" >&2; exit 1; }
    sleep 0.5
done

# The batch answer has one output value per row.
curl -s --max-time 30 -H 'content-type: application/json' --data-binary @"$WORK/batch.json" "$URL" >"$OUT/answer-batch.json"
"$PYTHON" -c 'import json,sys; b=json.load(open(sys.argv[1])); n=[len(o["data"]) for o in b["outputs"]]; assert set(n)=={int(sys.argv[2])}, n' "$OUT/answer-batch.json" "$ROWS"

run() { # $1 label, $2 body, $3 seconds
    WRK_BODY=$2 wrk -t1 -c"$CONNECTIONS" -d"$3s" --timeout 10s -s "$HERE/infer.lua" "$URL" | grep '^RESULT' | sed "s/^RESULT/RESULT $1/"
}
run warmup-single "$HERE/infer.json" 10 >/dev/null
run warmup-batch "$WORK/batch.json" 10 >/dev/null
for round in $(seq 1 "$ROUNDS"); do
    log "round $round, load $(cut -d' ' -f1-3 /proc/loadavg)"
    run single "$HERE/infer.json" "$DURATION" | tee -a "$OUT/results.txt"
    run batch "$WORK/batch.json" "$DURATION" | tee -a "$OUT/results.txt"
done

"$PYTHON" - "$OUT/results.txt" "$ROWS" <<'PY' | tee -a "$OUT/run.log"
import re, statistics, sys
rows = int(sys.argv[2])
per_row = {"single": [], "batch": []}
for line in open(sys.argv[1]):
    kind = line.split()[1]
    fields = dict(re.findall(r"(\w+)=([\d.]+)", line))
    assert int(fields["status"]) == 0 and int(fields["timeout"]) == 0, line
    per_row[kind].append(1e6 / float(fields["rps"]) / (rows if kind == "batch" else 1))
single, batch = statistics.median(per_row["single"]), statistics.median(per_row["batch"])
print(f"per row (median of rounds): single-row calls {single:.2f} us, batch of {rows} {batch:.3f} us; batch is {single / batch:.1f}x faster per row")
PY
