"""Summarises bench/training/run.sh's results folder as one Markdown table: per data set and metric, the
project's cross-validated mean (± standard deviation across folds) for the default trainer, LightGBM and
auto, scikit-learn's LR and HGB, and the gap of the best project column and of the default trainer to
scikit-learn's better model (positive: the project is better).
Usage: summarize.py RESULTS_FOLDER DEFAULT_TRAINER"""
import csv, os, sys

out, default_trainer = sys.argv[1], sys.argv[2]
LOWER_IS_BETTER = {"logLoss", "rmse"}
DATA = {"churn": "telco churn (example)", "cancer": "breast cancer", "wine": "wine", "diabetes": "diabetes"}


def read(name):
    path = os.path.join(out, name)
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return list(csv.reader(f, delimiter="\t"))


values = {}
for model, metric, column, mean, sd, *_ in read("mlops.tsv"):
    values[(model, metric, column)] = (float(mean), float(sd))
for model, metric, estimator, mean, sd in read("sklearn.tsv"):
    values[(model, metric, "sklearn-" + estimator)] = (float(mean), float(sd))

columns = ["default", "lightgbm", "auto", "sklearn-lr", "sklearn-hgb"]
print(f"| data set | metric | project default ({default_trainer}) | project lightgbm | project auto | sklearn LR | sklearn HGB | default vs sklearn's better | project's best vs sklearn's better |")
print("|---|---|---|---|---|---|---|---|---|")
seen = []
for model, metric, _ in values:
    # Only the metrics both sides report (the project's binary log-loss has no scikit-learn peer here).
    if (model, metric) not in seen and any((model, metric, c) in values for c in ("sklearn-lr", "sklearn-hgb")):
        seen.append((model, metric))
for model, metric in seen:
    cells = []
    for column in columns:
        v = values.get((model, metric, column))
        cells.append("n/a" if v is None else f"{v[0]:.4f} ± {v[1]:.4f}")
    sign = -1 if metric in LOWER_IS_BETTER else 1
    sklearn = [values[(model, metric, c)][0] for c in ("sklearn-lr", "sklearn-hgb") if (model, metric, c) in values]
    project = [values[(model, metric, c)][0] for c in ("default", "lightgbm", "auto") if (model, metric, c) in values]
    best_sklearn = max(sklearn, key=lambda x: sign * x) if sklearn else None
    gap = lambda x: "n/a" if x is None or best_sklearn is None else f"{sign * (x - best_sklearn):+.4f}"
    default = values.get((model, metric, "default"), (None,))[0]
    best_project = max(project, key=lambda x: sign * x) if project else None
    print(f"| {DATA.get(model, model)} | {metric} | " + " | ".join(cells) + f" | {gap(default)} | {gap(best_project)} |")
