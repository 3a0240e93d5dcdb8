#!/usr/bin/python3
"""Writes churn-linear.onnx, the tiny ONNX model the ONNX scoring tests serve.

Needs Debian's python3-onnx (apt-get install -y python3-onnx); run with /usr/bin/python3 from this
folder. One input per feature of the test feature set (tenure, contract, total_charges; contract is
a string input the graph does not use), and one output: probability = sigmoid(1 - 0.1 * tenure).
"""
import onnx
from onnx import TensorProto, helper

inputs = [
    helper.make_tensor_value_info("tenure", TensorProto.FLOAT, ["N", 1]),
    helper.make_tensor_value_info("contract", TensorProto.STRING, ["N", 1]),
    helper.make_tensor_value_info("total_charges", TensorProto.FLOAT, ["N", 1]),
]
output = helper.make_tensor_value_info("probability", TensorProto.FLOAT, ["N", 1])
weight = helper.make_tensor("weight", TensorProto.FLOAT, [1], [-0.1])
bias = helper.make_tensor("bias", TensorProto.FLOAT, [1], [1.0])
nodes = [
    helper.make_node("Mul", ["tenure", "weight"], ["scaled"]),
    helper.make_node("Add", ["scaled", "bias"], ["logit"]),
    helper.make_node("Sigmoid", ["logit"], ["probability"]),
]
graph = helper.make_graph(nodes, "churn-linear", inputs, [output], initializer=[weight, bias])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="mlops-tests")
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, "churn-linear.onnx")
