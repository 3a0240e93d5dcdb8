"""The scikit-learn side of the training benchmark: what a Python team fits on the same CSV files,
scored by 5-fold cross-validation (stratified for classification, shuffled with seed 42).

- LR: StandardScaler on numbers (median fill), one-hot on categories, then LogisticRegression
  (C=1, L2, lbfgs, max_iter=5000) for classification, Ridge (alpha=1) for regression.
- HGB: HistGradientBoostingClassifier / Regressor with its defaults, categories one-hot encoded.

Usage: sklearn_cv.py REPO FOLDS MODEL:TASK...   Prints TSV: model, metric, estimator, mean, std."""
import sys
import numpy as np
import pandas as pd
import yaml
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import balanced_accuracy_score, log_loss, mean_squared_error, roc_auc_score
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

repo, folds = sys.argv[1], int(sys.argv[2])

def load(name):
    with open(f"{repo}/models/{name}.yaml", encoding="utf-8") as f:
        model = yaml.safe_load(f)
    set_name = model["featureSet"].split("@")[0]
    with open(f"{repo}/features/{set_name}.yaml", encoding="utf-8") as f:
        features = yaml.safe_load(f)["features"]
    frame = pd.read_csv(f"{repo}/{model['data']['path']}", keep_default_na=False, na_values=[""])
    label = model["label"]["column"]
    y = frame[label]
    if model["task"] == "binary-classification":
        y = (y.astype(str) == str(model["label"]["positive"])).astype(int)
    cats = [f["name"] for f in features if f["type"] in ("category", "text")]
    nums = [f["name"] for f in features if f["name"] not in cats]
    return model["task"], frame[nums + cats], y, nums, cats

def estimators(task, nums, cats):
    prep = lambda scale: ColumnTransformer(
        [("num", Pipeline([("fill", SimpleImputer(strategy="median"))] + ([("scale", StandardScaler())] if scale else [])), nums)]
        + ([("cat", OneHotEncoder(handle_unknown="ignore"), cats)] if cats else []), sparse_threshold=0)
    if task == "regression":
        return {"lr": Pipeline([("prep", prep(True)), ("m", Ridge(alpha=1.0))]),
                "hgb": Pipeline([("prep", prep(False)), ("m", HistGradientBoostingRegressor(random_state=42))])}
    return {"lr": Pipeline([("prep", prep(True)), ("m", LogisticRegression(max_iter=5000))]),
            "hgb": Pipeline([("prep", prep(False)), ("m", HistGradientBoostingClassifier(random_state=42))])}

def scores(task, model, x, y):
    splitter = KFold(folds, shuffle=True, random_state=42) if task == "regression" else StratifiedKFold(folds, shuffle=True, random_state=42)
    result = {}
    for train, test in splitter.split(x, y):
        model.fit(x.iloc[train], y.iloc[train])
        truth = y.iloc[test]
        if task == "binary-classification":
            values = {"auc": roc_auc_score(truth, model.predict_proba(x.iloc[test])[:, 1])}
        elif task == "multiclass-classification":
            p = model.predict_proba(x.iloc[test])
            values = {"macroAccuracy": balanced_accuracy_score(truth, model.classes_[p.argmax(axis=1)]),
                      "logLoss": log_loss(truth, p, labels=model.classes_)}
        else:
            values = {"rmse": mean_squared_error(truth, model.predict(x.iloc[test])) ** 0.5}
        for k, v in values.items():
            result.setdefault(k, []).append(v)
    return result

for name in sys.argv[3:]:
    task, x, y, nums, cats = load(name)
    for estimator, model in estimators(task, nums, cats).items():
        for metric, values in scores(task, model, x, y).items():
            print(f"{name}\t{metric}\t{estimator}\t{np.mean(values):.4f}\t{np.std(values):.4f}", flush=True)
