#!/usr/bin/env python3
"""One command for the whole comparison. In one BenchmarkDotNet run: the ceiling of this core (CeilingBenchmarks),
our epoch and predict benchmarks (both vector-width settings), and the .NET peers — ML.NET and ONNX Runtime
predicting on five shapes (DotNetPeer*Benchmarks) and ML.NET's trainers against ours to a stated accuracy
(TrainingToAccuracyBenchmarks); then the same epochs and predictions in PyTorch and scikit-learn (peers.py); then
the tables of ratios.

    /usr/bin/python3 benchmarks/peers/compare.py [--mnist DIR] [--out FILE.md] [--ours-only | --peers-only] [--quick]
    /usr/bin/python3 benchmarks/peers/compare.py --figures FILE.json [--out FILE.md]     # redraw a saved run

Needs the .NET SDK (for ours and the .NET peers) and Debian's python3-torch, python3-sklearn and
libopenblas0-pthread (for the Python peers). The whole run took 29 minutes on a 2-core AMD EPYC (the .NET side
about 24, the Python side about 5); --quick takes 1 warm-up and 3 measured iterations per .NET benchmark
(indicative only, about 12 minutes for the .NET side). Every figure is a median; a ratio is the peer's time over
ours (above 1: we are faster). The tables go to stdout, and with --out to a Markdown file with the machine's
description, the method and the raw figures, and the figures themselves to FILE.json beside it.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dotnet_tables  # noqa: E402  (beside this file)

# (measure, threads, our benchmark method, description, unit)
MEASURES = [
    ("softmax_epoch", 1, "SoftmaxEpoch", "softmax regression 784→10 epoch, 60,000 rows, batch 64, SGD", "ms"),
    ("perceptron_epoch", 1, "PerceptronEpoch", "perceptron 784-128-10 epoch, batch 64, momentum", "ms"),
    ("perceptron_epoch", 2, "PerceptronEpoch{kind}TwoThreads", "same, 2 threads", "ms"),
    ("softmax_predict", 1, "SoftmaxProbabilities", "predict 784→10 with probabilities, one row", "ns"),
    ("perceptron_predict", 1, "PerceptronPredict", "784-128-10 predict (class), one row", "ns"),
]

# The BenchmarkDotNet classes of one run: the ceiling, ours against the Python peers, the .NET peers.
FILTERS = ["*CeilingBenchmarks*", "*EpochBenchmarks*", "*PredictBenchmarks*", "*DotNetPeer*", "*TrainingToAccuracy*"]


def run_ours(mnist, quick):
    """Runs the BenchmarkDotNet classes and returns a list of records: type, method, job, params, median_ns,
    allocated_bytes, and the custom columns (efficiency, test accuracy, settings) from the CSV reports."""
    artifacts = tempfile.mkdtemp(prefix="native-bench-")
    env = dict(os.environ, NATIVE_MNIST_DIR=os.path.abspath(mnist))
    command = ["dotnet", "run", "-c", "Release", "--project", os.path.join(ROOT, "benchmarks", "Native.Benchmarks"),
               "--", "--filter", *FILTERS, "--exporters", "json", "csv", "--artifacts", artifacts]
    if quick:
        command += ["--warmupCount", "1", "--iterationCount", "3"]
    print("ours:", " ".join(command), file=sys.stderr, flush=True)
    subprocess.run(command, check=True, env=env, stdout=sys.stderr)
    records = dotnet_tables.read_reports(os.path.join(artifacts, "results"))
    if not records:
        sys.exit(f"no BenchmarkDotNet JSON report under {artifacts}/results")
    return records


def find(ours, method, job):
    """The record of an epoch or predict benchmark (they have no parameters) under a job, or None."""
    return next((r for r in ours if r["method"] == method and r["job"] == job and not r.get("params")), None)


def run_peers(mnist):
    """Runs peers.py and returns {(tool, measure, threads): (median s, version)}."""
    command = [sys.executable, os.path.join(ROOT, "benchmarks", "peers", "peers.py"), "--mnist", mnist]
    print("peers:", " ".join(command), file=sys.stderr, flush=True)
    output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
    figures = {}
    for line in output.splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            figures[(record["tool"], record["measure"], record["threads"])] = (record["seconds"], record["version"])
    return figures


METHOD = """**What is compared.** The same work on the same data in each tool: MNIST's 10,000 test digits, pixels
scaled to [0, 1], repeated six times into 60,000 × 784 float32 rows (the 60,000-image training file is not
available here; the shape and the arithmetic are those of a full MNIST epoch). An epoch is one pass in shuffled
batches of 64: softmax regression by SGD (η = 0.1), the 784-128-10 ReLU perceptron by momentum (η = 0.05,
γ = 0.9), cross-entropy on the logits. Ours is `TrainingSession.RunEpoch` (BenchmarkDotNet, `[MemoryDiagnoser]`,
2 warm-up and 6 measured epochs per setting); PyTorch's is `Linear` layers with `F.cross_entropy`,
`optim.SGD` and `randperm` batches (the median of 5 epochs after one warm-up); scikit-learn's is
`MLPClassifier(solver="sgd", batch_size=64, momentum=0.9).partial_fit` over all rows. A prediction is one row:
the ten class probabilities of the softmax model (PyTorch `softmax(linear(x))` under `no_grad`, scikit-learn
`LogisticRegression.predict_proba`), or the class the perceptron picks (`argmax`, `MLPClassifier.predict`).
One thread unless a row says two (PyTorch `set_num_threads`; ours `TrainerOptions.Parallelism`); BLAS is
OpenBLAS, single-threaded for the one-thread rows. "Native generated" is the `[Generated…]` model of that
shape, "run-time shape" `SoftmaxRegression` / `MultilayerPerceptron`; both hold the same parameters."""


def scaled(nanoseconds, unit):
    if nanoseconds is None:
        return "—"
    value = nanoseconds / (1e6 if unit == "ms" else 1)
    if unit == "ms":
        return f"{value:,.1f} ms"
    return f"{value / 1000:,.2f} µs" if value >= 10_000 else f"{value:,.0f} ns"


def ratio(peer, ours):
    return "—" if peer is None or ours is None else f"{peer / ours:,.1f}×"


def table(ours, peers):
    jobs = sorted({r["job"] for r in ours if r["type"] in ("", "EpochBenchmarks", "PredictBenchmarks")}) or ["vector512"]
    job = "vector512" if "vector512" in jobs else jobs[0]
    header = ("| measure | Native generated | of ceiling | Native run-time shape | run-time ÷ generated | PyTorch "
              "| scikit-learn | PyTorch ÷ generated | scikit-learn ÷ generated | allocated (ours) |")
    lines = [header, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for measure, threads, method, description, unit in MEASURES:
        def our(kind):
            name = method.format(kind=kind) if "{kind}" in method else method + kind
            record = find(ours, name, job)
            return (None, None, "—") if record is None else (
                record["median_ns"], record["allocated_bytes"], record.get("columns", {}).get("Of ceiling", "—"))

        generated, allocated, efficiency = our("Generated")
        runtime, _, _ = our("Runtime")
        torch = peers.get(("pytorch", measure, threads), (None,))[0]
        sklearn = peers.get(("scikit-learn", measure, threads), (None,))[0]
        torch_ns = None if torch is None else torch * 1e9
        sklearn_ns = None if sklearn is None else sklearn * 1e9
        lines.append(f"| {description} | {scaled(generated, unit)} | {efficiency} | {scaled(runtime, unit)} | {ratio(runtime, generated)} "
                     f"| {scaled(torch_ns, unit)} "
                     f"| {scaled(sklearn_ns, unit)} | {ratio(torch_ns, generated)} | {ratio(sklearn_ns, generated)} "
                     f"| {'—' if allocated is None else f'{allocated:,} B'} |")
    return "\n".join(lines), job


def raw(ours, peers):
    lines = ["| class | benchmark | parameters | job | median | of ceiling | allocated |", "| --- | --- | --- | --- | ---: | ---: | ---: |"]
    for r in sorted(ours, key=lambda r: (r["type"], r.get("params", ""), r["method"], r["job"])):
        lines.append(f"| {r['type']} | {r['method']} | {r.get('params', '')} | {r['job']} | {r['median_ns']:,.0f} ns "
                     f"| {r.get('columns', {}).get('Of ceiling', '—')} | {r['allocated_bytes']:,} B |")
    lines += ["", "| peer | version | measure | threads | median |", "| --- | --- | --- | ---: | ---: |"]
    for (tool, measure, threads), (seconds, version) in sorted(peers.items()):
        lines.append(f"| {tool} | {version} | {measure} | {threads} | {seconds * 1e9:,.0f} ns |")
    return "\n".join(lines)


def machine():
    """The CPU (its name, family and model: the name alone does not tell AMD's generations apart), cores, system, tools."""
    model, family, number = platform.processor() or platform.machine(), None, None
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            fields = dict(line.split(":", 1) for line in f.read().split("\n\n")[0].splitlines() if ":" in line)
        fields = {k.strip(): v.strip() for k, v in fields.items()}
        model, family, number = fields.get("model name", model), fields.get("cpu family"), fields.get("model")
    except OSError:
        pass
    cpu = model if family is None else f"{model} (family {family}, model {number})"
    dotnet = subprocess.run(["dotnet", "--version"], stdout=subprocess.PIPE, text=True).stdout.strip()
    return (f"{cpu}, {os.cpu_count()} logical cores, {platform.system()} {platform.release()}; "
            f".NET SDK {dotnet}; Python {platform.python_version()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mnist", default=os.path.join(ROOT, "tests", "data", "mnist"))
    parser.add_argument("--out", help="also write the tables, machine and raw figures to this Markdown file")
    parser.add_argument("--figures", help="draw the tables from a saved run's FILE.json instead of running anything")
    parser.add_argument("--quick", action="store_true", help="1 warm-up and 3 measured iterations per benchmark: indicative only")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--ours-only", action="store_true", help="only the BenchmarkDotNet run (ours and the .NET peers)")
    group.add_argument("--peers-only", action="store_true", help="only PyTorch and scikit-learn")
    args = parser.parse_args()

    if args.figures:
        with open(args.figures, encoding="utf-8") as f:
            saved = json.load(f)
        description = saved["machine"]
        # Saved runs from before the .NET peers have neither a class nor parameters: their records are the epoch and
        # predict benchmarks'.
        ours = [dict({"type": "", "params": "", "columns": {}}, **r) for r in saved["ours"]]
        peers = {(r["tool"], r["measure"], r["threads"]): (r["seconds"], r["version"]) for r in saved["peers"]}
    else:
        description = machine()
        ours = [] if args.peers_only else run_ours(args.mnist, args.quick)
        peers = {} if args.ours_only else run_peers(args.mnist)
    summary, job = table(ours, peers)
    ceiling = dotnet_tables.ceiling(ours)
    predictions = dotnet_tables.predictions(ours)
    training = dotnet_tables.training(ours)
    print(f"{ceiling}\n\n{summary}\n\n{predictions}\n\n{training}")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(f"# Native against its peers\n\n**Machine.** {description}.\n\n"
                    f"## The ceiling of one core\n\n{dotnet_tables.CEILING_METHOD}\n\n{ceiling}\n\n"
                    f"## Against PyTorch and scikit-learn\n\n{METHOD}\n\n"
                    f"**Ours** at the `{job}` setting (DOTNET_PreferredVectorBitWidth); the raw figures below have both. "
                    f"A ratio is the peer's median over ours: above 1, we are faster.\n\n{summary}\n\n"
                    f"## Against ML.NET and ONNX Runtime: prediction\n\n{dotnet_tables.PREDICTION_METHOD}\n\n{predictions}\n\n"
                    f"## Against ML.NET: training to a stated accuracy\n\n{dotnet_tables.TRAINING_METHOD}\n\n{training}\n\n"
                    f"## Raw figures (medians)\n\n{raw(ours, peers)}\n")
        if not args.figures:
            saved = {"machine": description, "ours": ours,
                     "peers": [{"tool": tl, "measure": ms, "threads": th, "seconds": sec, "version": v}
                               for (tl, ms, th), (sec, v) in sorted(peers.items())]}
            with open(os.path.splitext(args.out)[0] + ".json", "w", encoding="utf-8") as f:
                json.dump(saved, f, indent=1, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
