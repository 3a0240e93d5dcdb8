"""The Python serving stack of the comparison in bench/serving/run.sh.

A scikit-learn model of the same data (data/telco-churn.csv, the same 19 features) behind Flask and
gunicorn, the way MLflow's model server serves one (`mlflow models serve` runs gunicorn with sync
workers in front of a Flask app). The pipeline is trained when the module is imported; gunicorn's
--preload imports it once in the master, so the workers fork with the trained model.

It answers the same Open Inference Protocol v2 body as Mlops.Server: the JSON is parsed into a
one-row frame of named columns and the pipeline predicts from it, as MLflow's pyfunc server does.
Debian's python3 has no pandas, so the frame is a numpy object array in the training column order;
pandas would cost more per request, so this errs in Python's favour.
"""

import csv
import json
import os
import sys

import numpy as np
from flask import Flask, Response, request
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

# features/customer.yaml, in declared order: bools and numbers first, categories as strings.
NUMERIC = ["female", "senior_citizen", "partner", "dependents", "tenure", "phone_service",
           "paperless_billing", "monthly_charges", "total_charges"]
CATEGORIES = ["multiple_lines", "internet_service", "online_security", "online_backup",
              "device_protection", "tech_support", "streaming_tv", "streaming_movies", "contract",
              "payment_method"]
COLUMNS = NUMERIC + CATEGORIES
INDEX = {name: i for i, name in enumerate(COLUMNS)}


def _number(value):
    # JSON true/false are bool features (1/0); an empty CSV cell or null is missing (NaN).
    if value is None or value == "":
        return float("nan")
    return float(value)


def _frame(rows):
    """Rows of named values -> an object array in COLUMNS order (numbers as float, categories as str)."""
    frame = np.empty((len(rows), len(COLUMNS)), dtype=object)
    for r, row in enumerate(rows):
        for name in NUMERIC:
            frame[r, INDEX[name]] = _number(row.get(name))
        for name in CATEGORIES:
            frame[r, INDEX[name]] = row.get(name)
    return frame


def _train(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    X = _frame(rows)
    y = np.array([row["churn"] == "Yes" for row in rows])
    # The same 80/20 holdout idea as models/churn.yaml (seed 42); the AUC is printed as a sanity check.
    order = np.random.default_rng(42).permutation(len(rows))
    cut = int(len(rows) * 0.8)
    train, test = order[:cut], order[cut:]
    model = Pipeline([
        ("prepare", ColumnTransformer([
            ("numbers", Pipeline([("fill", SimpleImputer(strategy="median")), ("scale", StandardScaler())]),
             [INDEX[n] for n in NUMERIC]),
            ("categories", OneHotEncoder(handle_unknown="ignore"), [INDEX[n] for n in CATEGORIES]),
        ])),
        ("classify", LogisticRegression(max_iter=1000)),
    ])
    model.fit(X[train], y[train])
    auc = roc_auc_score(y[test], model.predict_proba(X[test])[:, 1])
    print(f"sklearn_server: trained on {len(train)} rows, holdout AUC {auc:.4f}", file=sys.stderr, flush=True)
    return model


DATA = os.environ.get("CHURN_DATA", os.path.join(os.path.dirname(__file__), "..", "..", "data", "telco-churn.csv"))
MODEL = _train(DATA)
app = Flask(__name__)


def _error(status, message):
    return Response(json.dumps({"error": message}), status=status, mimetype="application/json")


@app.post("/v2/models/churn/infer")
def infer():
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("inputs"), list):
        return _error(400, "the body must be an object with an 'inputs' array")
    try:
        columns = {i["name"]: i["data"] for i in body["inputs"]}
        count = len(next(iter(columns.values())))
        rows = [{name: data[r] for name, data in columns.items()} for r in range(count)]
        frame = _frame(rows)
    except (KeyError, TypeError, ValueError, StopIteration) as e:
        return _error(400, f"bad inputs: {e}")
    probability = MODEL.predict_proba(frame)[:, 1]
    answer = {
        "model_name": "churn",
        "model_version": "1",
        "outputs": [
            {"name": "predicted", "shape": [count], "datatype": "BOOL", "data": [bool(p >= 0.5) for p in probability]},
            {"name": "probability", "shape": [count], "datatype": "FP32", "data": [float(p) for p in probability]},
        ],
    }
    return Response(json.dumps(answer), mimetype="application/json")
