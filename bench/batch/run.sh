#!/usr/bin/env bash
# Batch scoring (issue 13, "Speed"): `mlops predict` on 1,000,000 rows of the example's schema (the telco
# file repeated) as a whole process, side by side with pandas read_csv + a scikit-learn pipeline's
# predict_proba + to_csv on the same file (shared/peers/batch_sklearn.py), in one run on this machine;
# then `mlops validate` and `mlops train` on a 1,000,000-row copy of the data. Results go to
# docs/benchmarks.md ("Batch scoring: mlops predict on 1,000,000 rows").
#
#   bench/batch/run.sh             # 5 rounds, each command once a round, in turn
#   RUNS=3 bench/batch/run.sh      # fewer rounds
#
# Settings (environment): RUNS (5), ROWS (1000000), OUT (results folder), REPO (default: the repository
# holding this script), PEER (the peer script), PYTHON (/usr/bin/python3, Debian's: it has
# python3-pandas and python3-sklearn), SKIP_TRAIN=1 (no 1,000,000-row training).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=${REPO:-$(git -C "$HERE" rev-parse --show-toplevel)}
RUNS=${RUNS:-5}
ROWS=${ROWS:-1000000}
PYTHON=${PYTHON:-/usr/bin/python3}
PEER=${PEER:-$REPO/../shared/peers/batch_sklearn.py}
[[ -f $PEER ]] || PEER=/work/shared/peers/batch_sklearn.py
OUT=${OUT:-$HERE/results/$(date -u +%Y%m%dT%H%M%SZ)}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

mkdir -p "$OUT"
. "$HERE/../common.sh"
need_tools dotnet git awk strace /usr/bin/time
[[ -f $PEER ]] || { echo "run.sh: the peer $PEER is missing; set PEER" >&2; exit 1; }
"$PYTHON" -c 'import pandas, sklearn' 2>/dev/null \
    || { echo "run.sh: $PYTHON lacks pandas/sklearn (apt-get install -y python3-pandas python3-sklearn)" >&2; exit 1; }

log "repo $REPO, results $OUT, $(nproc) cores, load $(load)"
machine_info pandas sklearn

# Two builds of the CLI: published for this runtime (ReadyToRun, as a container or a released tool
# gets it), and the plain build output the Cake pipeline runs (JIT-compiled as it goes).
log "publishing mlops (linux-x64, ReadyToRun) and building it"
timeout 1200 dotnet publish "$REPO/src/Mlops.Cli/Mlops.Cli.csproj" -c Release -r linux-x64 --self-contained false \
    -o "$WORK/mlops" --nologo -v q >"$OUT/build.log" 2>&1
timeout 1200 dotnet build "$REPO/src/Mlops.Cli/Mlops.Cli.csproj" -c Release --nologo -v q >>"$OUT/build.log" 2>&1
MLOPS_R2R=$WORK/mlops/mlops.dll
MLOPS_JIT=$REPO/src/Mlops.Cli/bin/Release/net10.0/mlops.dll

# A throwaway clone: the example (lbfgs) and a LightGBM variant, trained, packaged and pinned in staging.
git clone -q "$REPO" "$WORK/repo"
cd "$WORK/repo"
git config user.name "Mlops Bench" && git config user.email bench@mlops.local
sed -e 's/^model: churn$/model: churn-lightgbm/' -e 's/^  name: lbfgs$/  name: lightgbm/' models/churn.yaml >models/churn-lightgbm.yaml
grep -q '^  name: lightgbm$' models/churn-lightgbm.yaml || { echo "run.sh: models/churn.yaml no longer has 'trainer: name: lbfgs'" >&2; exit 1; }
git add models/churn-lightgbm.yaml && git commit -qm "bench: a LightGBM variant of churn"
mlops() { dotnet "$MLOPS_R2R" "$@"; }
for model in churn churn-lightgbm; do
    log "pipeline for $model"
    {
        mlops train "$model" && mlops evaluate "$model" && mlops gate "$model" --environment staging \
            && mlops package "$model" && mlops promote "$model" --to staging --on-current-branch
    } >>"$OUT/pipeline.log" 2>&1
done

# The input: the example's rows repeated to ROWS rows.
INPUT=$WORK/telco-$ROWS.csv
awk -v rows="$ROWS" 'NR == 1 { print; next } { line[++n] = $0 } END { for (i = 0; i < rows; i++) print line[i % n + 1] }' \
    data/telco-churn.csv >"$INPUT"
log "input $INPUT: $(($(wc -l <"$INPUT") - 1)) rows, $(stat -c %s "$INPUT") bytes"

# One command, timed by /usr/bin/time -v: wall seconds and peak resident memory (KiB) to NAME-ROUND.txt.
run() {
    local name=$1 round=$2
    shift 2
    local file=$OUT/$name-r$round.txt
    echo "load $(load)" >"$file"
    /usr/bin/time -v "$@" >>"$file" 2>&1 || { cat "$file" >&2; echo "run.sh: $name failed" >&2; exit 1; }
    log "$name round $round: $(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$file") wall, $(sed -n 's/.*Maximum resident set size (kbytes): //p' "$file") KiB peak"
}

# The commands, as /usr/bin/time runs them: DLL, model, output name.
predict() { echo dotnet "$1" predict "$2" --environment staging --input "$INPUT" --output "$WORK/out-$3.csv"; }
PEER_COMMAND=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE TELCO="$WORK/repo/data/telco-churn.csv" "$PYTHON" "$PEER" "$INPUT" "$WORK/out-sklearn.csv")

# Warm the page cache and check the answers once before timing.
$(predict "$MLOPS_R2R" churn check) >/dev/null
$(predict "$MLOPS_JIT" churn check-jit) >/dev/null
cmp "$WORK/out-check.csv" "$WORK/out-check-jit.csv" || { echo "run.sh: the two builds wrote different predictions" >&2; exit 1; }

# Interleaved: each round runs every command once, so drift in the machine's load hits all alike.
for round in $(seq 1 "$RUNS"); do
    run mlops-lbfgs "$round" $(predict "$MLOPS_R2R" churn lbfgs)
    run mlops-lightgbm "$round" $(predict "$MLOPS_R2R" churn-lightgbm lightgbm)
    run sklearn "$round" "${PEER_COMMAND[@]}"
    run mlops-lbfgs-jit "$round" $(predict "$MLOPS_JIT" churn lbfgs-jit)
done
cmp "$WORK/out-lbfgs.csv" "$WORK/out-check.csv" || { echo "run.sh: mlops predict is not deterministic" >&2; exit 1; }
head -n 3 "$WORK/out-lbfgs.csv" "$WORK/out-lightgbm.csv" "$WORK/out-sklearn.csv" >"$OUT/answers.txt"

# Training on a 1,000,000-row copy of the data, declared with its digest: validate reads every data
# file once (check and hash), train reads it once more (the command's one pass: check, hash, keep rows).
if [[ ${SKIP_TRAIN:-0} != 1 ]]; then
    cp "$INPUT" data/telco-1m.csv
    digest=$(sha256sum data/telco-1m.csv | cut -d' ' -f1)
    sed -e 's/^model: churn$/model: churn-1m/' -e "s|^  path: data/telco-churn.csv$|  path: data/telco-1m.csv|" \
        -e "s|^  digest: sha256:.*$|  digest: sha256:$digest|" models/churn.yaml >models/churn-1m.yaml
    grep -q 'telco-1m.csv' models/churn-1m.yaml || { echo "run.sh: models/churn.yaml's data lines changed" >&2; exit 1; }
    for round in $(seq 1 "$RUNS"); do
        run validate-1m "$round" dotnet "$MLOPS_R2R" validate
        run train-1m "$round" dotnet "$MLOPS_R2R" train churn-1m --force
    done
    # Once more under strace (not timed): how often the command opens the data file.
    strace -f -e trace=openat -o "$OUT/train-1m.strace" dotnet "$MLOPS_R2R" train churn-1m --force >/dev/null 2>&1
    grep -c 'telco-1m.csv"' "$OUT/train-1m.strace" >"$OUT/train-1m-opens.txt" || true
    log "train opened data/telco-1m.csv $(cat "$OUT/train-1m-opens.txt") time(s)"
fi

log "done, load $(load)"
"$PYTHON" "$HERE/summarize.py" "$OUT" "$RUNS" | tee "$OUT/summary.md"
