"""Writes the benchmark's data sets into an mlops repository: scikit-learn's bundled breast cancer
(binary), wine (multiclass) and diabetes (regression) as CSV files with a feature set and a model
file each, next to the example's telco churn data that the repository already holds.

Usage: datasets.py REPO TRAINER   (TRAINER: the trainer.name each new model file gets)
Prints one line per model: name task."""
import hashlib, os, re, sys
import pandas as pd
from sklearn import datasets

repo, trainer = sys.argv[1], sys.argv[2]

def column(name):
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")

def write(path, text):
    full = os.path.join(repo, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)

def export(name, task, bunch, label, positive=None):
    frame = pd.DataFrame(bunch.data, columns=[column(c) for c in bunch.feature_names])
    frame.insert(0, "label", label)
    csv = f"data/{name}.csv"
    frame.to_csv(os.path.join(repo, csv), index=False, float_format="%.10g")
    with open(os.path.join(repo, csv), "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    features = "\n".join(f"  - {{ name: {c}, type: float }}" for c in frame.columns[1:])
    write(f"features/{name}.yaml", f"featureSet: {name}\nversion: 1\nfeatures:\n{features}\n")
    positive_text = f', positive: "{positive}"' if positive else ""
    write(f"models/{name}.yaml", f"""model: {name}
task: {task}
featureSet: {name}@1
label: {{ column: label{positive_text} }}
data:
  path: {csv}
  digest: sha256:{digest}
  split: {{ holdout: 0.2, seed: 42 }}
trainer:
  name: {trainer}
  seed: 42
""")
    print(name, task)

os.makedirs(os.path.join(repo, "data"), exist_ok=True)
cancer = datasets.load_breast_cancer()
export("cancer", "binary-classification", cancer, [cancer.target_names[t] for t in cancer.target], positive="malignant")
wine = datasets.load_wine()
export("wine", "multiclass-classification", wine, [f"class_{t}" for t in wine.target])
diabetes = datasets.load_diabetes()
export("diabetes", "regression", diabetes, diabetes.target)
