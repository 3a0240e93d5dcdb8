#!/usr/bin/env bash
# Drift (issue 14, "Speed"): `mlops drift` on 1,000,000 current rows x 20 columns (12 numbers, 8
# categories) against 100,000 reference rows, as a whole process, side by side with the same statistics
# in pandas + NumPy + SciPy (shared/peers/drift_bench.py, which also writes the files), in one run.
# Results go to docs/benchmarks.md ("Drift: mlops drift on 1,000,000 rows (issue 14)").
#
#   bench/drift/run.sh            # 5 rounds, each command once a round, in turn
#   RUNS=3 bench/drift/run.sh
#
# Settings (environment): RUNS (5), DATA (folder for ref.csv and cur.csv; made with the peer when
# missing), OUT (results folder), PEER (the peer script), PYTHON (/usr/bin/python3: Debian's, with
# python3-pandas and python3-scipy).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=${REPO:-$(git -C "$HERE" rev-parse --show-toplevel)}
RUNS=${RUNS:-5}
PYTHON=${PYTHON:-/usr/bin/python3}
PEER=${PEER:-$REPO/../shared/peers/drift_bench.py}
[[ -f $PEER ]] || PEER=/work/shared/peers/drift_bench.py
OUT=${OUT:-$HERE/results/$(date -u +%Y%m%dT%H%M%SZ)}
WORK=$(mktemp -d)
DATA=${DATA:-$WORK/data}
trap 'rm -rf "$WORK"' EXIT

mkdir -p "$OUT"
. "$HERE/../common.sh"
need_tools dotnet git /usr/bin/time
[[ -f $PEER ]] || { echo "run.sh: the peer $PEER is missing; set PEER" >&2; exit 1; }
"$PYTHON" -c 'import pandas, scipy' 2>/dev/null \
    || { echo "run.sh: $PYTHON lacks pandas/scipy (apt-get install -y python3-pandas python3-scipy)" >&2; exit 1; }

machine_info numpy pandas scipy

# Published for this runtime (ReadyToRun), as a container or a released tool gets it.
log "publishing mlops (linux-x64, ReadyToRun)"
timeout 1200 dotnet publish "$REPO/src/Mlops.Cli/Mlops.Cli.csproj" -c Release -r linux-x64 --self-contained false \
    -o "$WORK/mlops" --nologo -v q >"$OUT/build.log" 2>&1

if [[ ! -f $DATA/ref.csv || ! -f $DATA/cur.csv ]]; then
    log "writing the files with the peer"
    "$PYTHON" "$PEER" gen "$DATA"
fi
log "reference $(stat -c %s "$DATA/ref.csv") bytes, current $(stat -c %s "$DATA/cur.csv") bytes"

# Each command as a script of its own, so /usr/bin/time measures the whole process.
# The peer runs without the OpenBLAS settings this machine sets for older builds (FACTS.md).
printf '#!/bin/sh\nexec env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "%s" "%s" run "%s"\n' "$PYTHON" "$PEER" "$DATA" >"$WORK/run-peer"
# --all-statistics: the peer computes KS, normed Wasserstein and PSI for numbers and chi-square and
# Jensen-Shannon for categories, so mlops computes them all too (auto decides with two of them).
printf '#!/bin/sh\nexec dotnet "%s" drift --reference "%s" --current "%s" --all-statistics --json\n' "$WORK/mlops/mlops.dll" "$DATA/ref.csv" "$DATA/cur.csv" >"$WORK/run-mlops"
chmod +x "$WORK/run-peer" "$WORK/run-mlops"
cp "$WORK/run-peer" "$WORK/run-mlops" "$OUT/"

echo "round,tool,wall_s,user_s,sys_s,max_rss_kib,read_s,load1" >"$OUT/results.csv"
for round in $(seq 1 "$RUNS"); do
    for tool in mlops peer; do
        before=$(load | cut -d' ' -f1)
        set +e
        /usr/bin/time -f '%e %U %S %M' -o "$WORK/time.txt" "$WORK/run-$tool" >"$OUT/$tool-$round.out" 2>"$OUT/$tool-$round.err"
        code=$?
        set -e
        # mlops exits 1 here (half the columns are shifted: the data set drifted); the peer exits 0.
        [[ $tool == mlops && $code -ne 1 || $tool == peer && $code -ne 0 ]] && { echo "run.sh: $tool exited $code" >&2; cat "$OUT/$tool-$round.err" >&2; exit 1; }
        # /usr/bin/time writes "Command exited with non-zero status N" first when the exit code is not 0.
        read -r wall user sys rss < <(tail -n 1 "$WORK/time.txt")
        if [[ $tool == mlops ]]; then
            read_s=$("$PYTHON" -c 'import json, sys; print(round(json.load(open(sys.argv[1]))["readSeconds"], 3))' "$OUT/$tool-$round.out")
        else
            read_s=$(sed -n 's/^read \([0-9.]*\) s.*/\1/p' "$OUT/$tool-$round.out")
        fi
        echo "$round,$tool,$wall,$user,$sys,$rss,$read_s,$before" >>"$OUT/results.csv"
        log "round $round $tool: $wall s wall ($user user), read $read_s s, load before $before"
    done
done

# Medians of the rounds, the ratio, and mlops's verdict on the last round.
"$PYTHON" - "$OUT/mlops-$RUNS.out" "$OUT/results.csv" <<'PY' | tee "$OUT/summary.txt" >&2
import csv, json, statistics, sys
report = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2])))
for tool in ("mlops", "peer"):
    mine = [r for r in rows if r["tool"] == tool]
    wall = statistics.median(float(r["wall_s"]) for r in mine)
    read = statistics.median(float(r["read_s"]) for r in mine)
    print(f"{tool}: median wall {wall:.2f} s (min {min(float(r['wall_s']) for r in mine):.2f}, max {max(float(r['wall_s']) for r in mine):.2f}), "
          f"median read {read:.2f} s ({read / wall:.0%} of wall), median peak RSS {statistics.median(int(r['max_rss_kib']) for r in mine) / 1024:.0f} MiB")
m = statistics.median(float(r["wall_s"]) for r in rows if r["tool"] == "mlops")
p = statistics.median(float(r["wall_s"]) for r in rows if r["tool"] == "peer")
print(f"ratio peer / mlops (median wall): {p / m:.1f}x")
print(f"mlops verdict: {report['driftedFeatures']} of {len(report['features'])} features drifted, data set drifted {report['drifted']}")
PY
log "done: $OUT"
