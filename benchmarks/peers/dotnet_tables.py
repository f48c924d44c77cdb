"""The BenchmarkDotNet side of compare.py: reading a run's JSON and CSV reports, and the tables of the ceiling, of the
.NET peers' predictions and of training to a stated accuracy."""
import csv
import glob
import json
import os
import re

# CeilingBenchmarks: 12 accumulators x Iterations multiply-add instructions; ReadFloats floats read.
CEILING_ITERATIONS = 1 << 17
CEILING_READ_FLOATS = 64 << 20

# Columns BenchmarkDotNet computes in the host that the JSON report leaves out; read from the CSV reports.
CUSTOM_COLUMNS = ("Of ceiling", "Test accuracy", "Target", "Settings")

SHAPES = [("softmax 4x3", "softmax regression 4 → 3"), ("logistic 30", "logistic regression 30"),
          ("softmax 64x10", "softmax regression 64 → 10"), ("softmax 784x10", "softmax regression 784 → 10"),
          ("MLP 784-128-10", "perceptron 784-128-10 (ReLU)")]

TRAINERS = [("NativeSoftmax", "Native softmax regression"), ("NativePerceptron", "Native perceptron"),
            ("MlNetLbfgs", "ML.NET LbfgsMaximumEntropy"), ("MlNetSdca", "ML.NET SdcaMaximumEntropy"),
            ("MlNetLbfgsDefaults", "ML.NET LbfgsMaximumEntropy, defaults"),
            ("MlNetSdcaDefaults", "ML.NET SdcaMaximumEntropy, defaults")]

CEILING_METHOD = """`CeilingBenchmarks`, in the same run: 12 independent fused multiply-adds per loop iteration on
registers (no memory operand) at 512, 256 and 128 bits, and the sum of a 256 MiB array read 512 bits at a time. Every
predict, epoch and peer benchmark's "of ceiling" is the time its multiply-adds (or, where larger, its bytes from
memory) would take at these rates over its measured mean (`Efficiency.cs`; the rates are re-measured, best of many
runs, in the process that prints the summary)."""

PREDICTION_METHOD = """`DotNetPeerOneRowBenchmarks` and `DotNetPeerBatchBenchmarks`: each writes what the model predicts
— the class probabilities, or P(class 1) for the logistic regression — for one row, or for 64 rows (the time per
row), into memory given once. Rows are a pinned `float[]` read at each of the 16 float offsets of a cache line in
turn, the mean over where a user's array lands. **Native**: the `[Generated…]` model of the shape and the run-time
`SoftmaxRegression` / `LogisticRegression` / `MultilayerPerceptron`, the same parameters, `Forward` for a row and
`ForwardBatch` for 64. **ONNX Runtime 1.31.1**: the ONNX file Native exports for that model
(`ModelFile.SaveOnnx`), an `InferenceSession` with one intra-op and one inter-op thread, sequential execution, all
graph optimizations, the input and output `OrtValue`s bound once (`OrtIoBinding`, one per offset) over the same
memory, only the probabilities output asked for, `RunWithBinding` per call. **ML.NET 5.0.1**: its public API cannot
build a model from given weights (the model parameters' and transformers' constructors are internal), so each model is
trained by ML.NET (L-BFGS maximum entropy, or L-BFGS logistic regression for two classes, no L1 penalty so every
weight is non-zero and kept dense — checked) on 2,000 rows Native's model labelled: the same shape, and the cost of
prediction does not depend on the values of dense weights. Rows are objects each holding its own `float[]`, as ML.NET
reads them; `PredictionEngine.Predict(row, ref output)` reusing one output object whose type holds only the
probabilities (ML.NET computes only the columns asked for); for a batch also `Transform` over an in-memory
`IDataView` of the 64 rows, read by a cursor over the probabilities column. ML.NET has no perceptron trainer, so no
perceptron row; ONNX Runtime covers it. One thread everywhere."""

TRAINING_METHOD = """`TrainingToAccuracyBenchmarks`: training from scratch on MNIST-10k (MNIST's 10,000 test digits: 8,000
training rows, 2,000 test rows, `tests/data/mnist/README.md`) and on scikit-learn's digits (1,797 8 × 8 images:
1,437 training rows, 360 test rows, the same i % 5 split, `tests/data/digits`), pixels scaled to [0, 1]. The target
is a test accuracy: 90 % on MNIST-10k, 95 % on digits. Each trainer runs with the settings that reach it soonest,
chosen from candidates by `dotnet run -c Release --project benchmarks/Native.Benchmarks -- curves DATA`; ML.NET's also
at their defaults, as most of its users run them. The time is one whole fit (BenchmarkDotNet, one warm-up and 9
measured fits, the median); the accuracy is that fit's on the test rows, because the algorithms differ (L-BFGS and
SDCA optimize the full regularized objective, ours runs a fixed number of mini-batch epochs). Native's fit is
`Trainer.Fit` on a `Dataset` (a fresh model and its buffers included); ML.NET's is `Fit` on a cached, already-read
in-memory `IDataView`. One thread each (ML.NET `NumberOfThreads = 1`)."""


def read_reports(directory):
    """Every benchmark of a run's *-report-full-compressed.json files, with the custom columns of its CSV reports."""
    records = []
    for path in glob.glob(os.path.join(directory, "*.json")):
        with open(path, encoding="utf-8") as f:
            report = json.load(f)
        for benchmark in report["Benchmarks"]:
            statistics = benchmark.get("Statistics")
            if not statistics:
                continue  # a benchmark that failed
            # DisplayInfo is "Type.Title: Job(characteristics) [Parameters]".
            title = benchmark.get("MethodTitle", benchmark["Method"])
            tail = benchmark["DisplayInfo"][len(f"{benchmark['Type']}.{title}: "):]
            job = benchmark["Job"] if "Job" in benchmark else re.match(r"[^ (\[]*", tail).group(0)
            records.append({"type": benchmark["Type"], "method": benchmark["Method"], "title": title, "job": job,
                             "params": benchmark.get("Parameters", ""), "median_ns": statistics["Median"],
                             "allocated_bytes": (benchmark.get("Memory") or {}).get("BytesAllocatedPerOperation", 0),
                             "columns": {}})
    for path in glob.glob(os.path.join(directory, "*-report.csv")):
        type_ = os.path.basename(path)[:-len("-report.csv")].split(".")[-1]
        with open(path, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                for record in records:
                    if record["type"] == type_ and row["Method"] in (record["method"], record["title"]) and record["job"] == row["Job"] \
                            and all(row.get(name) == value for name, value in _params(record["params"])):
                        record["columns"].update({c: row[c] for c in CUSTOM_COLUMNS if c in row})
    return records


def ceiling(ours):
    """The ceiling's rates, measured in this run."""
    def rate(method, units):
        record = _find(ours, "CeilingBenchmarks", method)
        return None if record is None else units / record["median_ns"]

    lines = ["| what | figure |", "| --- | ---: |"]
    for bits, lanes in ((512, 16), (256, 8), (128, 4)):
        value = rate(f"MultiplyAdd{bits}", 12.0 * lanes * CEILING_ITERATIONS)
        lines.append(f"| multiply-adds in registers, {bits}-bit | {_number(value, '{:.1f} per ns')} |")
    value = rate("ReadMemory", 4.0 * CEILING_READ_FLOATS)
    lines.append(f"| one core reading memory | {_number(value, '{:.1f} GB/s')} |")
    return "\n".join(lines)


def predictions(ours):
    """Native against ONNX Runtime and ML.NET, one row and 64 rows, per shape."""
    header = ("| model | rows | Native generated | of ceiling | Native run-time shape | ONNX Runtime | ML.NET PredictionEngine "
              "| ML.NET Transform | ONNX Runtime ÷ generated | ML.NET (its fastest) ÷ generated | allocated: Native / ML.NET |")
    lines = [header, "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for shape, description in SHAPES:
        for type_, rows in (("DotNetPeerOneRowBenchmarks", "one"), ("DotNetPeerBatchBenchmarks", "64, per row")):
            def get(method):
                return _find(ours, type_, method, f"Model={shape}")

            generated, runtime, onnx = get("NativeGenerated"), get("NativeRunTime"), get("OnnxRuntime")
            engine, transform = get("MlNetPredictionEngine"), get("MlNetTransform")
            if generated is None:
                continue
            ml = [r for r in (engine, transform) if r is not None]
            fastest = min(ml, key=lambda r: r["median_ns"]) if ml else None
            none = "— (no MLP trainer)" if shape.startswith("MLP") else "—"
            lines.append(
                f"| {description} | {rows} | {_ns(generated)} | {generated['columns'].get('Of ceiling', '—')} | {_ns(runtime)} "
                f"| {_ns(onnx)} | {_ns(engine, none)} | {_ns(transform, none if rows != 'one' else '—')} "
                f"| {_ratio(onnx, generated)} | {_ratio(fastest, generated)} "
                f"| {_bytes(generated)} / {_bytes(fastest) if fastest else '—'} |")
    return "\n".join(lines)


def training(ours):
    """Each trainer's time to its data set's target, and the accuracy it ends at."""
    header = "| data | trainer | settings | time | test accuracy | target | time ÷ fastest Native |"
    lines = [header, "| --- | --- | --- | ---: | ---: | ---: | ---: |"]
    for data in ("MNIST-10k", "digits"):
        found = [(label, _find(ours, "TrainingToAccuracyBenchmarks", method, f"Data={data}")) for method, label in TRAINERS]
        natives = [r["median_ns"] for label, r in found if r is not None and label.startswith("Native")]
        fastest = min(natives) if natives else None
        for label, record in found:
            if record is None:
                continue
            columns = record["columns"]
            ratio = "—" if fastest is None else f"{record['median_ns'] / fastest:,.1f}×"
            lines.append(f"| {data} | {label} | {columns.get('Settings', '—')} | {_ms(record['median_ns'])} "
                         f"| {columns.get('Test accuracy', '—')} | {columns.get('Target', '—')} | {ratio} |")
    return "\n".join(lines)


def _params(text):
    return [tuple(part.split("=", 1)) for part in text.split("&") if "=" in part]


def _find(ours, type_, method, params=""):
    return next((r for r in ours if r["type"] == type_ and r["method"] == method and r.get("params", "") == params), None)


def _number(value, form):
    return "—" if value is None else form.format(value)


def _ns(record, missing="—"):
    if record is None:
        return missing
    value = record["median_ns"]
    return f"{value / 1000:,.2f} µs" if value >= 10_000 else f"{value:,.0f} ns" if value >= 100 else f"{value:,.1f} ns"


def _ms(nanoseconds):
    return f"{nanoseconds / 1e6:,.1f} ms" if nanoseconds < 1e9 else f"{nanoseconds / 1e9:,.2f} s"


def _ratio(peer, ours):
    return "—" if peer is None or ours is None else f"{peer['median_ns'] / ours['median_ns']:,.1f}×"


def _bytes(record):
    return "—" if record is None else f"{record['allocated_bytes']:,} B"
