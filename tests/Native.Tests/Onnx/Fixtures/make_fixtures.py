#!/usr/bin/python3
"""Writes the ONNX fixtures the tests read, each with its inputs and the exporter's own outputs.

Run with Debian's interpreter, which has python3-torch 1.13, python3-sklearn and python3-onnx 1.12:

    /usr/bin/python3 tests/Native.Tests/Onnx/Fixtures/make_fixtures.py [torch] [sklearn] [batchnorm]

Everything is seeded, so a run writes the same numbers (the .onnx bytes may differ in names PyTorch picks).
CI never runs this: the files it writes are committed beside it.

For each fixture NAME it writes NAME.onnx and NAME.json:
  exporter   who wrote the graph: torch.onnx.export (PyTorch 1.13) at an opset, or this script with python3-onnx
             for a fitted scikit-learn model (skl2onnx is not packaged here; the graphs follow its layouts)
  inputs     rows of features, as the graph's input takes them (flattened row-major)
  input_shape the input's shape per row ([4] or [1, 4, 4])
  output     the graph output that carries the model's prediction
  expected   the exporter's own outputs for the inputs: PyTorch's forward, or scikit-learn's predict_proba /
             predict; the rows of `output`
  transform  how Native's prediction (IModel.Forward) relates to `expected`:
               same      equal
               softmax   Native gives softmax(expected) (the graph ends in logits)
               exp       Native gives exp(expected) (the graph ends in LogSoftmax)
               column1   expected is [1 - p, p] (or p alone); Native's logistic regression gives p
               binary    expected is p = P(class 1); Native's perceptron gives [1 - p, p]
  kind, layers, activations, classes, standardized   what Native must read
  error      for a graph Native must refuse: a piece of the one-line message
"""

import json
import os
import sys

import numpy as np
import onnx
import onnx.external_data_helper
import torch
from onnx import TensorProto, helper, numpy_helper
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_iris, load_linnerud
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
ROWS = 8


def floats(array):
    return [float(v) for v in np.asarray(array, dtype=np.float32).reshape(-1)]


def rows(array):
    array = np.asarray(array, dtype=np.float32)
    return [floats(row) for row in array.reshape(array.shape[0], -1)]


def write(name, exporter, inputs, input_shape, output, expected, transform, **facts):
    record = {
        "exporter": exporter,
        "inputs": rows(inputs),
        "input_shape": list(input_shape),
        "output": output,
        "expected": rows(expected),
        "transform": transform,
    }
    record.update(facts)
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        # One row per line: small files that still read well in a diff.
        text = json.dumps(record, indent=1)
        for key in ("inputs", "expected"):
            text = text.replace(json.dumps(key) + ": " + json.dumps(record[key], indent=1).replace("\n", "\n "),
                                json.dumps(key) + ": [\n  " + ",\n  ".join(json.dumps(r) for r in record[key]) + "\n ]")
        f.write(text + "\n")


def torch_fixture(name, module, example, opset, transform, output="output", keep_initializers=False, **facts):
    torch.manual_seed(0)
    module.eval()
    path = os.path.join(HERE, name + ".onnx")
    torch.onnx.export(module, example, path, opset_version=opset, input_names=["input"], output_names=[output],
                      dynamic_axes={"input": {0: "batch"}, output: {0: "batch"}},
                      keep_initializers_as_inputs=keep_initializers)
    with torch.no_grad():
        expected = module(example).numpy()
    write(name, f"torch.onnx.export, PyTorch {torch.__version__}, opset {opset}", example.numpy(), example.shape[1:],
          output, expected, transform, **facts)


def seeded(module, seed):
    torch.manual_seed(seed)
    for p in module.parameters():
        torch.nn.init.uniform_(p, -1.0, 1.0)
    return module


class Standardized(torch.nn.Module):
    """x.view(-1, 8), standardized by buffers, then a softmax regression: Reshape, Sub, Div, Gemm, Softmax."""

    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.linspace(-1.0, 2.0, 8))
        self.register_buffer("std", torch.linspace(0.5, 3.0, 8))
        self.linear = torch.nn.Linear(8, 4)

    def forward(self, x):
        return torch.softmax(self.linear((x.view(-1, 8) - self.mean) / self.std), dim=1)


class MatMulLogits(torch.nn.Module):
    """Weights kept [in, out] and applied with @: MatMul + Add, ReLU, MatMul + Add, logits (no head)."""

    def __init__(self):
        super().__init__()
        self.w1 = torch.nn.Parameter(torch.empty(6, 5))
        self.b1 = torch.nn.Parameter(torch.empty(5))
        self.w2 = torch.nn.Parameter(torch.empty(5, 3))
        self.b2 = torch.nn.Parameter(torch.empty(3))

    def forward(self, x):
        return torch.relu(x @ self.w1 + self.b1) @ self.w2 + self.b2


class Skip(torch.nn.Module):
    """A residual connection: not a chain of layers."""

    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(4, 4)
        self.fc2 = torch.nn.Linear(4, 2)

    def forward(self, x):
        return torch.softmax(self.fc2(torch.relu(self.fc1(x)) + x), dim=1)


class BatchNormPerceptron(torch.nn.Module):
    """Linear, BatchNorm1d, ReLU, twice, then Linear and Softmax: what people export after training with batch norm.

    The Linear biases are zero and the second BatchNorm keeps its defaults (weight 1, bias 0, mean 0, variance 1), so
    PyTorch 1.13 stores each of those equal tensors once and feeds the other uses through Identity nodes; the first
    BatchNorm has statistics of its own, so folding it into its Linear changes the weights."""

    def __init__(self):
        super().__init__()
        self.fc1, self.bn1 = torch.nn.Linear(6, 8), torch.nn.BatchNorm1d(8)
        self.fc2, self.bn2 = torch.nn.Linear(8, 5), torch.nn.BatchNorm1d(5)
        self.fc3 = torch.nn.Linear(5, 3)
        torch.manual_seed(12)
        with torch.no_grad():
            for fc in (self.fc1, self.fc2, self.fc3):
                torch.nn.init.uniform_(fc.weight, -1.0, 1.0)
                torch.nn.init.zeros_(fc.bias)
            self.bn1.weight.uniform_(0.5, 1.5)
            self.bn1.bias.uniform_(-0.5, 0.5)
            self.bn1.running_mean.uniform_(-1.0, 1.0)
            self.bn1.running_var.uniform_(0.25, 4.0)

    def forward(self, x):
        h = torch.relu(self.bn1(self.fc1(x)))
        return torch.softmax(self.fc3(torch.relu(self.bn2(self.fc2(h)))), dim=1)


class InputBatchNorm(torch.nn.Module):
    """A BatchNorm1d on the raw features, then a softmax regression: the batch norm is a standardizer."""

    def __init__(self):
        super().__init__()
        self.bn, self.fc = torch.nn.BatchNorm1d(5), torch.nn.Linear(5, 3)
        torch.manual_seed(13)
        with torch.no_grad():
            torch.nn.init.uniform_(self.fc.weight, -1.0, 1.0)
            torch.nn.init.uniform_(self.fc.bias, -1.0, 1.0)
            self.bn.weight.uniform_(0.5, 1.5)
            self.bn.bias.uniform_(-0.5, 0.5)
            self.bn.running_mean.uniform_(-2.0, 2.0)
            self.bn.running_var.uniform_(0.5, 9.0)

    def forward(self, x):
        return torch.softmax(self.fc(self.bn(x)), dim=1)


class BatchNormAfterRelu(torch.nn.Module):
    """Linear, ReLU, then BatchNorm1d: the batch norm is on the far side of the activation from its Linear."""

    def __init__(self):
        super().__init__()
        self.fc1, self.bn, self.fc2 = torch.nn.Linear(4, 6), torch.nn.BatchNorm1d(6), torch.nn.Linear(6, 2)
        with torch.no_grad():
            self.bn.running_mean.fill_(0.5)

    def forward(self, x):
        return torch.softmax(self.fc2(self.bn(torch.relu(self.fc1(x)))), dim=1)


def batchnorm_fixtures():
    """Batch norm as PyTorch 1.13 exports it: Identity nodes over deduplicated initializers, BatchNormalization nodes."""
    torch.manual_seed(2)
    x = lambda *shape: torch.randn(ROWS, *shape)
    torch_fixture("torch_mlp_batchnorm_identity_opset13", BatchNormPerceptron(), x(6), 13, "same",
                  kind="MultilayerPerceptron", layers=[6, 8, 5, 3], activations=["Relu", "Relu"])
    torch_fixture("torch_mlp_batchnorm_identity_opset9", BatchNormPerceptron(), x(6), 9, "same",
                  kind="MultilayerPerceptron", layers=[6, 8, 5, 3], activations=["Relu", "Relu"])
    torch_fixture("torch_batchnorm_input_opset15", InputBatchNorm(), x(5) * 3 + 1, 15, "same",
                  kind="SoftmaxRegression", layers=[5, 3], standardized=True)
    torch_fixture("torch_batchnorm_after_relu_refused", BatchNormAfterRelu(), x(4), 13, "same",
                  error="Native reads a BatchNormalization right after a layer's product")


def torch_fixtures():
    torch.manual_seed(1)
    Seq, L = torch.nn.Sequential, torch.nn.Linear
    x = lambda *shape: torch.randn(ROWS, *shape)
    torch_fixture("torch_softmax_4x3_opset17", seeded(Seq(L(4, 3), torch.nn.Softmax(dim=1)), 1), x(4), 17, "same",
                  kind="SoftmaxRegression", layers=[4, 3])
    torch_fixture("torch_logistic_30_opset13", seeded(Seq(L(30, 1), torch.nn.Sigmoid()), 2), x(30), 13, "same",
                  kind="LogisticRegression", layers=[30, 1])
    torch_fixture("torch_linear_10_opset9", seeded(L(10, 1), 3), x(10), 9, "same", keep_initializers=True,
                  kind="LinearRegression", layers=[10, 1])
    torch_fixture("torch_mlp_relu_tanh_opset11",
                  seeded(Seq(L(20, 16), torch.nn.ReLU(), L(16, 8), torch.nn.Tanh(), L(8, 3), torch.nn.Softmax(dim=1)), 4),
                  x(20), 11, "same", kind="MultilayerPerceptron", layers=[20, 16, 8, 3], activations=["Relu", "Tanh"])
    torch_fixture("torch_mlp_flatten_leaky_logsoftmax_opset12",
                  seeded(Seq(torch.nn.Flatten(), L(16, 5), torch.nn.LeakyReLU(0.2), L(5, 3), torch.nn.LogSoftmax(dim=1)), 5),
                  x(1, 4, 4), 12, "exp", kind="MultilayerPerceptron", layers=[16, 5, 3], activations=["LeakyRelu"])
    torch_fixture("torch_mlp_sigmoid_binary_opset15",
                  seeded(Seq(L(6, 5), torch.nn.Sigmoid(), L(5, 1), torch.nn.Sigmoid()), 6), x(6), 15, "binary",
                  kind="MultilayerPerceptron", layers=[6, 5, 2], activations=["Sigmoid"])
    torch_fixture("torch_mlp_matmul_logits_opset14", seeded(MatMulLogits(), 7), x(6), 14, "softmax",
                  kind="MultilayerPerceptron", layers=[6, 5, 3], activations=["Relu"])
    torch_fixture("torch_reshape_standardized_opset10", seeded(Standardized(), 8), x(2, 4), 10, "same",
                  kind="SoftmaxRegression", layers=[8, 4], standardized=True)

    # Graphs Native must refuse, each with the reason it gives.
    torch_fixture("torch_conv_refused", seeded(Seq(torch.nn.Conv2d(1, 2, 3), torch.nn.Flatten(), L(8, 2)), 9), x(1, 4, 4), 13,
                  "same", error="the op type 'Conv' is not supported")
    torch_fixture("torch_skip_refused", seeded(Skip(), 10), x(4), 13, "same", error="the graph branches")
    torch_fixture("torch_double_refused", seeded(L(4, 2), 11).double(), torch.randn(ROWS, 4, dtype=torch.float64), 13, "softmax",
                  error="element type DOUBLE")

    # Weights in an external file: the same Linear, saved with its tensors outside the model file.
    model = onnx.load(os.path.join(HERE, "torch_softmax_4x3_opset17.onnx"))
    if os.path.exists(os.path.join(HERE, "torch_external_refused.data")):
        os.remove(os.path.join(HERE, "torch_external_refused.data"))  # onnx appends to an existing one
    onnx.external_data_helper.convert_model_to_external_data(model, all_tensors_to_one_file=True,
                                                              location="torch_external_refused.data", size_threshold=0)
    onnx.save_model(model, os.path.join(HERE, "torch_external_refused.onnx"))
    with open(os.path.join(HERE, "torch_softmax_4x3_opset17.json")) as f:
        record = json.load(f)
    write("torch_external_refused", record["exporter"] + ", tensors saved as external data", np.array(record["inputs"]),
          [4], "output", np.array(record["expected"]), "same", error="external")


def ml_model(name, nodes, initializers, inputs, outputs, opsets, doc):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=initializers)
    model = helper.make_model(graph, producer_name="make_fixtures.py (scikit-learn " + __import__("sklearn").__version__ + ")",
                              opset_imports=[helper.make_opsetid(d, v) for d, v in opsets])
    model.ir_version = 8
    model.doc_string = doc
    helper.set_model_props(model, {"source": "scikit-learn", "fixture": name})
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(HERE, name + ".onnx"))


def tensor(name, values, dtype=np.float32):
    """An initializer in raw_data, as numpy_helper writes it."""
    return numpy_helper.from_array(np.asarray(values, dtype=dtype), name)


def listed(name, values):
    """A FLOAT initializer in float_data (a repeated field), the other way ONNX stores weights."""
    values = np.asarray(values, dtype=np.float32)
    return helper.make_tensor(name, TensorProto.FLOAT, values.shape, floats(values))


def value(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def standardizer_nodes(scaler, form):
    """A fitted StandardScaler as nodes: Sub/Div, Mul/Add (x·(1/s) + (−m/s)), or ai.onnx.ml's Scaler."""
    mean, scale = scaler.mean_.astype(np.float32), scaler.scale_.astype(np.float32)
    if form == "subdiv":
        return [helper.make_node("Sub", ["input", "mean"], ["centered"]), helper.make_node("Div", ["centered", "scale"], ["x"])], \
            [listed("mean", mean), listed("scale", scale)]
    if form == "muladd":
        return [helper.make_node("Mul", ["input", "factor"], ["scaled"]), helper.make_node("Add", ["scaled", "offset"], ["x"])], \
            [tensor("factor", 1 / scale), tensor("offset", -mean / scale)]
    return [helper.make_node("Scaler", ["input"], ["x"], domain="ai.onnx.ml", offset=floats(mean), scale=floats(1 / scale))], []


def sklearn_fixtures():
    ML = [("", 17), ("ai.onnx.ml", 3)]
    exporter = "this script (python3-onnx " + onnx.__version__ + ") from scikit-learn " + __import__("sklearn").__version__

    # Binary logistic regression on the breast-cancer data, skl2onnx's layout: Scaler, LinearClassifier with rows −w, w.
    data = load_breast_cancer()
    scaler = StandardScaler().fit(data.data)
    model = LogisticRegression(max_iter=5000).fit(scaler.transform(data.data), data.target)
    nodes, inits = standardizer_nodes(scaler, "scaler")
    w, b = model.coef_.astype(np.float32), model.intercept_.astype(np.float32)
    nodes.append(helper.make_node("LinearClassifier", ["x"], ["label", "probabilities"], domain="ai.onnx.ml",
                                  coefficients=floats(np.vstack([-w, w])), intercepts=floats([-b[0], b[0]]),
                                  classlabels_strings=[str(n) for n in data.target_names], post_transform="LOGISTIC"))
    ml_model("sklearn_logistic_binary_scaler", nodes, inits, [value("input", TensorProto.FLOAT, [None, 30])],
             [value("label", TensorProto.STRING, [None]), value("probabilities", TensorProto.FLOAT, [None, 2])], ML, "LogisticRegression")
    x = data.data[::71][:ROWS]
    write("sklearn_logistic_binary_scaler", exporter, x, [30], "probabilities", model.predict_proba(scaler.transform(x)), "column1",
          kind="LogisticRegression", layers=[30, 1], classes=[str(n) for n in data.target_names], standardized=True)

    # Multinomial logistic regression on iris: Sub/Div, LinearClassifier SOFTMAX, string labels.
    data = load_iris()
    scaler = StandardScaler().fit(data.data)
    model = LogisticRegression(max_iter=5000).fit(scaler.transform(data.data), data.target)
    nodes, inits = standardizer_nodes(scaler, "subdiv")
    nodes.append(helper.make_node("LinearClassifier", ["x"], ["label", "probabilities"], domain="ai.onnx.ml",
                                  coefficients=floats(model.coef_), intercepts=floats(model.intercept_),
                                  classlabels_strings=[str(n) for n in data.target_names], post_transform="SOFTMAX", multi_class=1))
    ml_model("sklearn_logistic_multinomial_iris", nodes, inits, [value("input", TensorProto.FLOAT, [None, 4])],
             [value("label", TensorProto.STRING, [None]), value("probabilities", TensorProto.FLOAT, [None, 3])], ML, "LogisticRegression")
    x = data.data[::19][:ROWS]
    write("sklearn_logistic_multinomial_iris", exporter, x, [4], "probabilities", model.predict_proba(scaler.transform(x)), "same",
          kind="SoftmaxRegression", layers=[4, 3], classes=[str(n) for n in data.target_names], standardized=True)

    # One-vs-rest logistic regression: independent sigmoids, normalized; Native refuses it.
    model = LogisticRegression(max_iter=5000, multi_class="ovr").fit(scaler.transform(data.data), data.target)
    nodes, inits = standardizer_nodes(scaler, "subdiv")
    nodes += [helper.make_node("LinearClassifier", ["x"], ["label", "scores"], domain="ai.onnx.ml",
                               coefficients=floats(model.coef_), intercepts=floats(model.intercept_),
                               classlabels_ints=[0, 1, 2], post_transform="LOGISTIC"),
              helper.make_node("Normalizer", ["scores"], ["probabilities"], domain="ai.onnx.ml", norm="L1")]
    ml_model("sklearn_logistic_ovr_refused", nodes, inits, [value("input", TensorProto.FLOAT, [None, 4])],
             [value("label", TensorProto.INT64, [None]), value("probabilities", TensorProto.FLOAT, [None, 3])], ML, "LogisticRegression ovr")
    write("sklearn_logistic_ovr_refused", exporter, x, [4], "probabilities", model.predict_proba(scaler.transform(x)), "same",
          error="one-vs-rest")

    # Linear regression on the diabetes data: Mul/Add standardizer, LinearRegressor.
    data = load_diabetes()
    scaler = StandardScaler().fit(data.data)
    model = LinearRegression().fit(scaler.transform(data.data), data.target)
    nodes, inits = standardizer_nodes(scaler, "muladd")
    nodes.append(helper.make_node("LinearRegressor", ["x"], ["variable"], domain="ai.onnx.ml",
                                  coefficients=floats(model.coef_), intercepts=floats([model.intercept_])))
    ml_model("sklearn_linear_regression_diabetes", nodes, inits, [value("input", TensorProto.FLOAT, [None, 10])],
             [value("variable", TensorProto.FLOAT, [None, 1])], ML, "LinearRegression")
    x = data.data[::53][:ROWS]
    write("sklearn_linear_regression_diabetes", exporter, x, [10], "variable", model.predict(scaler.transform(x)).reshape(-1, 1), "same",
          kind="LinearRegression", layers=[10, 1], standardized=True)

    # A perceptron on the digits: Sub/Div, MatMul + Add with coefs_ [in, out] as they are, tanh, softmax, and the
    # label as skl2onnx writes it: ArgMax, then ArrayFeatureExtractor over the classes, then Reshape.
    data = load_digits()
    scaler = StandardScaler().fit(data.data)
    model = MLPClassifier(hidden_layer_sizes=(24, 12), activation="tanh", max_iter=300, random_state=0).fit(scaler.transform(data.data), data.target)
    nodes, inits = standardizer_nodes(scaler, "subdiv")
    previous = "x"
    for i, (coef, bias) in enumerate(zip(model.coefs_, model.intercepts_)):
        last = i == len(model.coefs_) - 1
        inits += [tensor(f"coef_{i}", coef), tensor(f"intercept_{i}", bias)]
        nodes += [helper.make_node("MatMul", [previous, f"coef_{i}"], [f"mul_{i}"]),
                  helper.make_node("Add", [f"mul_{i}", f"intercept_{i}"], [f"z_{i}"])]
        if not last:
            nodes.append(helper.make_node("Tanh", [f"z_{i}"], [f"h_{i}"]))
            previous = f"h_{i}"
    inits += [tensor("classes", model.classes_, np.int64), tensor("label_shape", [-1], np.int64)]
    nodes += [helper.make_node("Softmax", [f"z_{i}"], ["probabilities"], axis=1),
              helper.make_node("ArgMax", ["probabilities"], ["argmax"], axis=1),
              helper.make_node("ArrayFeatureExtractor", ["classes", "argmax"], ["label_column"], domain="ai.onnx.ml"),
              helper.make_node("Reshape", ["label_column", "label_shape"], ["label"])]
    ml_model("sklearn_mlp_classifier_digits", nodes, inits, [value("input", TensorProto.FLOAT, [None, 64])],
             [value("label", TensorProto.INT64, [None]), value("probabilities", TensorProto.FLOAT, [None, 10])], ML, "MLPClassifier")
    x = data.data[::211][:ROWS]
    write("sklearn_mlp_classifier_digits", exporter, x, [64], "probabilities", model.predict_proba(scaler.transform(x)), "same",
          kind="MultilayerPerceptron", layers=[64, 24, 12, 10], activations=["Tanh", "Tanh"], standardized=True)

    # A binary perceptron on the breast-cancer data: one logistic output; the label is the probability above 0.5.
    data = load_breast_cancer()
    scaler = StandardScaler().fit(data.data)
    model = MLPClassifier(hidden_layer_sizes=(8,), max_iter=500, random_state=0).fit(scaler.transform(data.data), data.target)
    nodes, inits = standardizer_nodes(scaler, "subdiv")
    inits += [tensor("coef_0", model.coefs_[0]), tensor("intercept_0", model.intercepts_[0]),
              tensor("coef_1", model.coefs_[1]), tensor("intercept_1", model.intercepts_[1]), tensor("half", 0.5),
              tensor("names", np.array([str(n) for n in data.target_names], dtype=object), object)]
    nodes += [helper.make_node("Gemm", ["x", "coef_0", "intercept_0"], ["z_0"]), helper.make_node("Relu", ["z_0"], ["h_0"]),
              helper.make_node("Gemm", ["h_0", "coef_1", "intercept_1"], ["z_1"]), helper.make_node("Sigmoid", ["z_1"], ["probability"]),
              helper.make_node("Greater", ["probability", "half"], ["positive"]),
              helper.make_node("Cast", ["positive"], ["index"], to=TensorProto.INT64),
              helper.make_node("Gather", ["names", "index"], ["label_column"], axis=0),
              helper.make_node("Squeeze", ["label_column"], ["label"])]
    ml_model("sklearn_mlp_binary_cancer", nodes, inits, [value("input", TensorProto.FLOAT, [None, 30])],
             [value("label", TensorProto.STRING, [None]), value("probability", TensorProto.FLOAT, [None, 1])], ML, "MLPClassifier binary")
    x = data.data[::71][:ROWS]
    write("sklearn_mlp_binary_cancer", exporter, x, [30], "probability", model.predict_proba(scaler.transform(x))[:, 1:], "binary",
          kind="MultilayerPerceptron", layers=[30, 8, 2], activations=["Relu"], classes=[str(n) for n in data.target_names], standardized=True)

    # A perceptron regressor: identity output (MLPRegressor), MatMul + Add with coefs_ [in, out] as they are.
    data = load_diabetes()
    scaler = StandardScaler().fit(data.data)
    model = MLPRegressor(hidden_layer_sizes=(6,), max_iter=2000, random_state=0).fit(scaler.transform(data.data), data.target)
    nodes, inits = standardizer_nodes(scaler, "subdiv")
    inits += [tensor("coef_0", model.coefs_[0]), tensor("intercept_0", model.intercepts_[0]),
              tensor("coef_1", model.coefs_[1]), tensor("intercept_1", model.intercepts_[1])]
    nodes += [helper.make_node("MatMul", ["x", "coef_0"], ["m_0"]), helper.make_node("Add", ["m_0", "intercept_0"], ["z_0"]),
              helper.make_node("Relu", ["z_0"], ["h_0"]),
              helper.make_node("MatMul", ["h_0", "coef_1"], ["m_1"]), helper.make_node("Add", ["m_1", "intercept_1"], ["variable"])]
    ml_model("sklearn_mlp_regressor_diabetes", nodes, inits, [value("input", TensorProto.FLOAT, [None, 10])],
             [value("variable", TensorProto.FLOAT, [None, 1])], ML, "MLPRegressor")
    x = data.data[::53][:ROWS]
    write("sklearn_mlp_regressor_diabetes", exporter, x, [10], "variable", model.predict(scaler.transform(x)).reshape(-1, 1), "same",
          kind="MultilayerPerceptronRegressor", layers=[10, 6, 1], activations=["Relu"], standardized=True)

    # Multi-output regression on the Linnerud data (3 exercises -> 3 body measurements): a perceptron regressor with
    # Gemm (coefs_ [in, out], transB 0) and tanh, its output named 'variable' as skl2onnx names every regressor's; and a
    # LinearRegressor with one row of coefficients and one intercept per target.
    data = load_linnerud()
    scaler = StandardScaler().fit(data.data)
    model = MLPRegressor(hidden_layer_sizes=(8,), activation="tanh", max_iter=5000, random_state=0).fit(scaler.transform(data.data), data.target)
    nodes, inits = standardizer_nodes(scaler, "scaler")
    inits += [tensor("coef_0", model.coefs_[0]), tensor("intercept_0", model.intercepts_[0]),
              tensor("coef_1", model.coefs_[1]), tensor("intercept_1", model.intercepts_[1])]
    nodes += [helper.make_node("Gemm", ["x", "coef_0", "intercept_0"], ["z_0"]), helper.make_node("Tanh", ["z_0"], ["h_0"]),
              helper.make_node("Gemm", ["h_0", "coef_1", "intercept_1"], ["variable"])]
    ml_model("sklearn_mlp_regressor_linnerud", nodes, inits, [value("input", TensorProto.FLOAT, [None, 3])],
             [value("variable", TensorProto.FLOAT, [None, 3])], ML, "MLPRegressor, 3 targets")
    x = data.data[::3][:ROWS]
    write("sklearn_mlp_regressor_linnerud", exporter, x, [3], "variable", model.predict(scaler.transform(x)), "same",
          kind="MultilayerPerceptronRegressor", layers=[3, 8, 3], activations=["Tanh"], standardized=True)

    model = LinearRegression().fit(scaler.transform(data.data), data.target)
    nodes, inits = standardizer_nodes(scaler, "muladd")
    nodes.append(helper.make_node("LinearRegressor", ["x"], ["variable"], domain="ai.onnx.ml", targets=3,
                                  coefficients=floats(model.coef_), intercepts=floats(model.intercept_)))
    ml_model("sklearn_linear_regression_linnerud", nodes, inits, [value("input", TensorProto.FLOAT, [None, 3])],
             [value("variable", TensorProto.FLOAT, [None, 3])], ML, "LinearRegression, 3 targets")
    write("sklearn_linear_regression_linnerud", exporter, x, [3], "variable", model.predict(scaler.transform(x)), "same",
          kind="LinearRegression", layers=[3, 3], standardized=True)

if __name__ == "__main__":
    # Every group by default; name groups (torch, sklearn, batchnorm) to write only theirs.
    groups = sys.argv[1:] or ["torch", "sklearn", "batchnorm"]
    for group, make in (("torch", torch_fixtures), ("sklearn", sklearn_fixtures), ("batchnorm", batchnorm_fixtures)):
        if group in groups:
            make()
