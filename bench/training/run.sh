#!/usr/bin/env bash
# Model quality against scikit-learn (issue 18): the project's trainers with 5-fold cross-validation
# (`data.split.folds: 5`, nothing held out) side by side with scikit-learn's LogisticRegression (with
# StandardScaler) and HistGradientBoosting, 5 folds too, on the example (telco churn) and on data sets
# that ship with scikit-learn (breast cancer: binary, wine: multiclass, diabetes: regression), in one run.
# Results go to docs/training.md ("Quality against scikit-learn") and docs/benchmarks.md.
#
#   bench/training/run.sh
#   SKIP_BUILD=1 MODELS="churn cancer" bench/training/run.sh
#
# Settings (environment): MODELS ("churn cancer wine diabetes"), FOLDS (5), OUT (results folder), REPO
# (default: the repository holding this script), PYTHON (/usr/bin/python3, Debian's), SKIP_BUILD=1 (use the
# last Release build of the CLI), AUTO (auto: also train `trainer: { name: auto }` when the CLI knows it;
# 0 leaves the column empty), AUTO_TRIALS (20).
#
# Columns: "default" is the trainer `mlops init` writes into a new model (read from the template), "lightgbm"
# the project's LightGBM with its defaults, "auto" `trainer: auto` (empty when this build has no such trainer).
# The two sides' folds hold different rows (the project assigns folds by a seeded hash, scikit-learn by
# StratifiedKFold/KFold with seed 42); each side's figure is the mean over its 5 folds.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=${REPO:-$(git -C "$HERE" rev-parse --show-toplevel)}
MODELS=${MODELS:-"churn cancer wine diabetes"}
FOLDS=${FOLDS:-5}
PYTHON=${PYTHON:-/usr/bin/python3}
AUTO=${AUTO:-auto}
AUTO_TRIALS=${AUTO_TRIALS:-20}
OUT=${OUT:-$HERE/results/$(date -u +%Y%m%dT%H%M%SZ)}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

mkdir -p "$OUT"
. "$HERE/../common.sh"
need_tools dotnet git

# scikit-learn, pandas and PyYAML from Debian, installed when missing (apt-get update first).
if ! "$PYTHON" -c 'import sklearn, pandas, yaml' 2>/dev/null; then
    log "installing python3-sklearn python3-pandas python3-yaml"
    SUDO=; [[ $(id -u) == 0 ]] || SUDO=sudo
    $SUDO apt-get update -q >"$OUT/apt.log" 2>&1
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q python3-sklearn python3-pandas python3-yaml >>"$OUT/apt.log" 2>&1
fi

log "repo $REPO, results $OUT, $(nproc) cores, load $(load)"
machine_info sklearn pandas

MLOPS_DLL=$REPO/src/Mlops.Cli/bin/Release/net10.0/mlops.dll
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    log "building mlops (Release)"
    timeout 1500 dotnet build "$REPO/src/Mlops.Cli/Mlops.Cli.csproj" -c Release --nologo -v q >"$OUT/build.log" 2>&1
fi
[[ -f $MLOPS_DLL ]] || { echo "run.sh: $MLOPS_DLL is missing; build without SKIP_BUILD" >&2; exit 1; }
mlops() { dotnet "$MLOPS_DLL" "$@"; }

# The trainer a new model gets: what the init template writes.
TEMPLATE=$REPO/src/Mlops.Cli/Commands/Init/Convention/models/churn.yaml
DEFAULT_TRAINER=$(sed -n 's/^  name: \([a-z]*\)$/\1/p' "$TEMPLATE" | head -n 1)
[[ -n $DEFAULT_TRAINER ]] || { echo "run.sh: no 'trainer: name:' line in $TEMPLATE" >&2; exit 1; }
log "default trainer of a new model: $DEFAULT_TRAINER"

# A throwaway clone with the example, plus scikit-learn's data sets as CSV files, feature sets and models.
git clone -q "$REPO" "$WORK/repo"
cd "$WORK/repo"
git config user.name "Mlops Bench" && git config user.email bench@mlops.local
"$PYTHON" "$HERE/datasets.py" . "$DEFAULT_TRAINER" >"$OUT/datasets.txt"

# One model file per data set and column, all with FOLDS-fold cross-validation on every row.
COLUMNS=(default lightgbm)
[[ $AUTO != 0 ]] && COLUMNS+=(auto)
for model in $MODELS; do
    for column in "${COLUMNS[@]}"; do
        case $column in
            default) trainer="name: $DEFAULT_TRAINER" ;;
            lightgbm) trainer="name: lightgbm" ;;
            auto) trainer="name: auto, trials: $AUTO_TRIALS" ;;
        esac
        # Keep the model's seed; gates, slices and comments do not matter here and are dropped.
        awk -v name="$model-$column" -v trainer="$trainer" -v folds="$FOLDS" '
            /^model:/ { print "model: " name; next }
            /^  split:/ { print "  split: { holdout: 0, seed: 42, folds: " folds " }"; next }
            /^trainer:/ { print "trainer: { " trainer ", seed: 42 }"; skip = 1; next }
            skip && /^  / { next }
            /^(slices|gate):/ { skip = 1; next }
            { skip = 0; print }' "models/$model.yaml" >"models/$model-$column.yaml"
    done
done
git add -A && git commit -qm "bench: models with $FOLDS-fold cross-validation"

# The project side: train each model, then read the cv means from the run store.
: >"$OUT/mlops.tsv"
for model in $MODELS; do
    for column in "${COLUMNS[@]}"; do
        name=$model-$column
        [[ $column == auto && ${NO_AUTO:-0} == 1 ]] && continue
        log "mlops train $name"
        started=$(date +%s.%N)
        if ! mlops train "$name" --repo . >"$OUT/train-$name.log" 2>&1; then
            if [[ $column == auto ]] && grep -q "no trainer 'auto'" "$OUT/train-$name.log"; then
                log "this build has no 'trainer: auto': the auto column stays n/a"
                NO_AUTO=1
                continue
            fi
            log "mlops train $name failed (see $OUT/train-$name.log)"
            continue
        fi
        seconds=$(echo "$(date +%s.%N) - $started" | bc)
        id=$(mlops runs list "$name" --limit 1 --json --repo . | "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["runs"][0]["id"])')
        mlops runs show "$id" --json --repo . >"$OUT/run-$name.json"
        "$PYTHON" - "$OUT/run-$name.json" "$model" "$column" "$seconds" >>"$OUT/mlops.tsv" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
values = {(m["name"], m["split"]): m["value"] for m in run["metrics"]}
for metric in ("auc", "macroAccuracy", "logLoss", "rmse"):
    if (metric, "cv") in values:
        print(f"{sys.argv[2]}\t{metric}\t{sys.argv[3]}\t{values[(metric, 'cv')]:.4f}\t{values.get((metric, 'cv-sd'), float('nan')):.4f}\t{float(sys.argv[4]):.1f}")
PY
    done
done

# The scikit-learn side, same files, same number of folds.
log "scikit-learn"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PYTHON" "$HERE/sklearn_cv.py" . "$FOLDS" $MODELS >"$OUT/sklearn.tsv"

log "done, load $(load)"
"$PYTHON" "$HERE/summarize.py" "$OUT" "$DEFAULT_TRAINER" | tee "$OUT/summary.md"
