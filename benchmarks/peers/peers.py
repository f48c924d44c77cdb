#!/usr/bin/env python3
"""The peers' side of the comparison: the same work as benchmarks/Native.Benchmarks/PeerComparisonBenchmarks.cs,
in PyTorch and scikit-learn, printed as one JSON object per measurement.

Run with Debian's Python and packages (apt-get install python3-torch python3-sklearn libopenblas0-pthread):
    /usr/bin/python3 benchmarks/peers/peers.py [--mnist DIR] [--repeats N]

Work, identical to ours:
  data        MNIST's 10,000 test digits, pixels / 255, repeated 6 times: 60,000 x 784 float32 rows
              (the 60,000-image training file is not available here; the shape and the arithmetic are the same)
  softmax     one epoch of Linear(784, 10) + cross-entropy, SGD lr 0.1, batch 64, shuffled
  perceptron  one epoch of Linear(784, 128), ReLU, Linear(128, 10) + cross-entropy, SGD lr 0.05 momentum 0.9, batch 64
  predict     one row: softmax probabilities of Linear(784, 10); class of the 784-128-10 perceptron
Threads: one (torch.set_num_threads(1), OMP/OpenBLAS single-threaded) unless a measure says otherwise.
"""
import argparse
import gzip
import json
import os
import statistics
import struct
import sys
import time

# One thread for the BLAS libraries before they load; the 2-thread measures set torch's count explicitly.
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

import numpy as np
import sklearn
import torch
import torch.nn.functional as F
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier


def read_idx(path):
    opener = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, kind, dims = struct.unpack(">HBB", data[:4])
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(directory):
    names = os.listdir(directory)
    images = next(n for n in names if "images" in n)
    labels = next(n for n in names if "labels" in n)
    x = read_idx(os.path.join(directory, images)).reshape(-1, 784).astype(np.float32) / 255.0
    y = read_idx(os.path.join(directory, labels)).astype(np.int64)
    return np.tile(x, (6, 1)), np.tile(y, 6)


def emit(tool, version, measure, seconds, **extra):
    print(json.dumps({"tool": tool, "version": version, "measure": measure, "seconds": seconds, **extra}), flush=True)


def median_time(action, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def torch_epoch(model, optimizer, x, y, generator):
    order = torch.randperm(x.shape[0], generator=generator)
    for start in range(0, x.shape[0], 64):
        rows = order[start:start + 64]
        loss = F.cross_entropy(model(x[rows]), y[rows])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser.add_argument("--mnist", default=os.path.join(root, "tests", "data", "mnist"))
    parser.add_argument("--repeats", type=int, default=5, help="epochs timed per measure (median reported)")
    args = parser.parse_args()

    x_np, y_np = load(args.mnist)
    x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)
    generator = torch.Generator().manual_seed(1)
    tv = torch.__version__

    for threads in (1, 2):
        torch.set_num_threads(threads)
        torch.manual_seed(1)
        softmax = torch.nn.Linear(784, 10)
        sgd = torch.optim.SGD(softmax.parameters(), lr=0.1)
        torch_epoch(softmax, sgd, x, y, generator)  # warm-up
        median, best = median_time(lambda: torch_epoch(softmax, sgd, x, y, generator), args.repeats)
        emit("pytorch", tv, "softmax_epoch", median, minimum=best, threads=threads)

        perceptron = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
        momentum = torch.optim.SGD(perceptron.parameters(), lr=0.05, momentum=0.9)
        torch_epoch(perceptron, momentum, x, y, generator)
        median, best = median_time(lambda: torch_epoch(perceptron, momentum, x, y, generator), args.repeats)
        emit("pytorch", tv, "perceptron_epoch", median, minimum=best, threads=threads)

    # Single-row predictions, one thread, no autograd.
    torch.set_num_threads(1)
    row = x[:1].clone()
    with torch.no_grad():
        def softmax_row():
            return torch.softmax(softmax(row), dim=1)

        def perceptron_row():
            return int(perceptron(row).argmax(dim=1))

        for name, action in (("softmax_predict", softmax_row), ("perceptron_predict", perceptron_row)):
            for _ in range(2000):
                action()
            calls = 20000
            median, best = median_time(lambda: [action() for _ in range(calls)], 7)
            emit("pytorch", tv, name, median / calls, minimum=best / calls, threads=1)

    # scikit-learn: the perceptron (its own SGD solver, batch 64, momentum 0.9) and both predictions.
    sv = sklearn.__version__
    classes = np.arange(10)
    mlp = MLPClassifier(hidden_layer_sizes=(128,), solver="sgd", learning_rate_init=0.05, momentum=0.9,
                        nesterovs_momentum=False, batch_size=64, alpha=0.0, shuffle=True, random_state=1)
    mlp.partial_fit(x_np, y_np, classes=classes)
    median, best = median_time(lambda: mlp.partial_fit(x_np, y_np), args.repeats)
    emit("scikit-learn", sv, "perceptron_epoch", median, minimum=best, threads=1)

    logistic = LogisticRegression(max_iter=5).fit(x_np[:10000], y_np[:10000])
    row_np = x_np[:1]
    for name, action in (("softmax_predict", lambda: logistic.predict_proba(row_np)),
                         ("perceptron_predict", lambda: mlp.predict(row_np))):
        for _ in range(500):
            action()
        calls = 5000
        median, best = median_time(lambda: [action() for _ in range(calls)], 5)
        emit("scikit-learn", sv, name, median / calls, minimum=best / calls, threads=1)


if __name__ == "__main__":
    import warnings
    warnings.filterwarnings("ignore")
    sys.exit(main())
