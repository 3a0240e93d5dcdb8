#!/usr/bin/python3
"""Writes the ONNX models the `mlops register` tests register against the example's customer@1.

Needs Debian's python3-onnx (apt-get install -y python3-onnx); run with /usr/bin/python3 from this
folder. The files are committed, so the tests themselves need no Python.

churn-logistic.onnx  one input per feature of features/customer.yaml (float [N,1] for numbers and
                     bools, string [N,1] for categories), output probability [N,1] =
                     sigmoid(w . x + b) over tenure, monthly_charges, senior_citizen,
                     paperless_billing and dependents. The weights were fitted with scikit-learn's
                     LogisticRegression on data/telco-churn.csv and rounded: holdout AUC about 0.82.
churn-misnamed.onnx  the same graph with the input 'tenure' named 'tenure_months'.
churn-packed.onnx    one float input [N,19]: cannot carry customer@1's category features.
churn-float-contract.onnx  the logistic graph with 'contract' a float input instead of a string one.
churn-label-output.onnx    the logistic graph answering only a label (int64), no float output.
"""
import onnx
from onnx import TensorProto, helper

FEATURES = [
    ("female", "bool"), ("senior_citizen", "bool"), ("partner", "bool"), ("dependents", "bool"),
    ("tenure", "float"), ("phone_service", "bool"), ("multiple_lines", "category"),
    ("internet_service", "category"), ("online_security", "category"), ("online_backup", "category"),
    ("device_protection", "category"), ("tech_support", "category"), ("streaming_tv", "category"),
    ("streaming_movies", "category"), ("contract", "category"), ("paperless_billing", "bool"),
    ("payment_method", "category"), ("monthly_charges", "float"), ("total_charges", "float"),
]
USED = ["tenure", "monthly_charges", "senior_citizen", "paperless_billing", "dependents"]
WEIGHTS = [-0.053, 0.028, 0.514, 0.559, -0.346]
BIAS = -1.855


def save(model, path):
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def logistic(rename, floats=(), label_only=False):
    inputs = [
        helper.make_tensor_value_info(rename.get(name, name),
                                      TensorProto.STRING if kind == "category" and name not in floats else TensorProto.FLOAT, ["N", 1])
        for name, kind in FEATURES
    ]
    weight = helper.make_tensor("weight", TensorProto.FLOAT, [len(USED), 1], WEIGHTS)
    bias = helper.make_tensor("bias", TensorProto.FLOAT, [1], [BIAS])
    nodes = [
        helper.make_node("Concat", [rename.get(name, name) for name in USED], ["x"], axis=1),
        helper.make_node("MatMul", ["x", "weight"], ["wx"]),
        helper.make_node("Add", ["wx", "bias"], ["logit"]),
        helper.make_node("Sigmoid", ["logit"], ["probability"]),
    ]
    output = helper.make_tensor_value_info("probability", TensorProto.FLOAT, ["N", 1])
    initializers = [weight, bias]
    if label_only:
        initializers.append(helper.make_tensor("half", TensorProto.FLOAT, [1], [0.5]))
        nodes += [
            helper.make_node("Greater", ["probability", "half"], ["positive"]),
            helper.make_node("Cast", ["positive"], ["label"], to=TensorProto.INT64),
        ]
        output = helper.make_tensor_value_info("label", TensorProto.INT64, ["N", 1])
    graph = helper.make_graph(nodes, "churn-logistic", inputs, [output], initializer=initializers)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="mlops-tests")


def packed():
    features = helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", len(FEATURES)])
    output = helper.make_tensor_value_info("probability", TensorProto.FLOAT, ["N", 1])
    weight = helper.make_tensor("weight", TensorProto.FLOAT, [len(FEATURES), 1], [0.0] * len(FEATURES))
    nodes = [
        helper.make_node("MatMul", ["features", "weight"], ["logit"]),
        helper.make_node("Sigmoid", ["logit"], ["probability"]),
    ]
    graph = helper.make_graph(nodes, "churn-packed", [features], [output], initializer=[weight])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="mlops-tests")


save(logistic({}), "churn-logistic.onnx")
save(logistic({"tenure": "tenure_months"}), "churn-misnamed.onnx")
save(packed(), "churn-packed.onnx")
save(logistic({}, floats=("contract",)), "churn-float-contract.onnx")
save(logistic({}, label_only=True), "churn-label-output.onnx")
