#!/usr/bin/env python3
"""native train's epoch against the library's: the same model, data and settings, under the JIT and NativeAOT.

The data are the benchmarks' (benchmarks/Native.Benchmarks/MnistData.cs): MNIST's 10,000 test digits repeated six
times, 60,000 rows, written here as IDX files so that `native train --data DIR` reads exactly those rows. The models
and settings are EpochBenchmarks': softmax regression 784-10 by SGD (lr 0.1) and the 784-128-10 ReLU perceptron by
momentum (lr 0.05, 0.9), batches of 64, one thread, no validation. The command takes the generated kernels for both
shapes, and so does the library's side.

  library   benchmarks/cli/LibraryEpochs: a program that uses the library, timing each TrainingSession.RunEpoch
            (as EpochBenchmarks does), under the JIT.
  CLI       `native train --json`: each epoch's elapsed_ms, under the JIT (`dotnet native.dll`) and as the NativeAOT
            binary (`dotnet publish -r linux-x64`).
  BDN       with --bdn, EpochBenchmarks' generated epochs in BenchmarkDotNet too (job vector512, .NET's default here).

Each run trains --epochs epochs and the first is left out. The runs of the library and of both builds alternate, so
all meet the same load: the machines these sessions share are busy, so compare the minimums (the epochs nothing
else interrupted), and medians only within one run of this script.

  /usr/bin/python3 benchmarks/cli/epochs.py [--epochs 8] [--runs 3] [--aot DIR] [--bdn] [--out FILE]
"""
import argparse
import glob
import gzip
import json
import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODELS = {
    # name: (native train arguments, LibraryEpochs model, EpochBenchmarks method)
    "softmax 784-10, SGD": (["--model", "softmax", "--optimizer", "sgd", "--lr", "0.1"], "softmax", "SoftmaxEpochGenerated"),
    "perceptron 784-128-10, momentum": (["--model", "mlp", "--hidden", "128", "--activation", "relu", "--optimizer", "momentum", "--lr", "0.05", "--momentum", "0.9"], "perceptron", "PerceptronEpochGenerated"),
}
BUILDS = ("library", "CLI JIT", "CLI AOT")


def make_data(directory):
    """MNIST's test digits six times over, as IDX files: the 60,000 rows of MnistData.Rows60000."""
    source = os.environ.get("NATIVE_MNIST_DIR") or os.path.join(ROOT, "tests", "data", "mnist")
    images = gzip.open(os.path.join(source, "t10k-images-idx3-ubyte.gz")).read()
    labels = gzip.open(os.path.join(source, "t10k-labels-idx1-ubyte.gz")).read()
    count, rows, columns = struct.unpack(">III", images[4:16])
    with open(os.path.join(directory, "mnist60k-images-idx3-ubyte"), "wb") as f:
        f.write(struct.pack(">IIII", 0x803, 6 * count, rows, columns) + images[16:] * 6)
    with open(os.path.join(directory, "mnist60k-labels-idx1-ubyte"), "wb") as f:
        f.write(struct.pack(">II", 0x801, 6 * count) + labels[8:] * 6)


def run(command, **kwargs):
    return subprocess.run(command, cwd=ROOT, check=True, text=True, **kwargs)


def epochs_of(command):
    """The elapsed_ms of each epoch after the first, from the JSON lines a run prints."""
    out = run(command, stdout=subprocess.PIPE).stdout
    reports = [json.loads(line) for line in out.splitlines() if line.startswith('{"epoch"')]
    return [r["elapsed_ms"] for r in reports if r["epoch"] > 1]


def library_epochs(artifacts):
    """Min and median (ms) of EpochBenchmarks' generated epochs, job vector512, from BenchmarkDotNet's JSON report."""
    filters = ["*EpochBenchmarks.SoftmaxEpochGenerated", "*EpochBenchmarks.PerceptronEpochGenerated"]
    run(["dotnet", "run", "-c", "Release", "--project", "benchmarks/Native.Benchmarks", "--", "--filter", *filters,
         "--exporters", "json", "--artifacts", artifacts], stdout=subprocess.DEVNULL)
    found = {}
    for path in glob.glob(os.path.join(artifacts, "results", "*EpochBenchmarks*.json")):
        for benchmark in json.load(open(path))["Benchmarks"]:
            if "vector512" in benchmark.get("DisplayInfo", "") and benchmark.get("Statistics"):
                s = benchmark["Statistics"]
                found[benchmark["Method"]] = (s["Min"] / 1e6, s["Median"] / 1e6)
    return found


def cpu_name():
    fields = {}
    for line in open("/proc/cpuinfo"):
        if ":" in line:
            key, value = (part.strip() for part in line.split(":", 1))
            fields.setdefault(key, value)
    return f"{fields.get('model name', '?')} (family {fields.get('cpu family', '?')}, model {fields.get('model', '?')}), {os.cpu_count()} cores"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8, help="epochs per run (the first is left out)")
    parser.add_argument("--runs", type=int, default=3, help="runs per model and build")
    parser.add_argument("--aot", help="a directory holding a published NativeAOT `native` (else one is published)")
    parser.add_argument("--bdn", action="store_true", help="also run EpochBenchmarks' generated epochs in BenchmarkDotNet")
    parser.add_argument("--out", help="also write the table to this file")
    options = parser.parse_args()

    work = tempfile.mkdtemp(prefix="native-cli-epochs-")
    try:
        data = os.path.join(work, "mnist60k")
        os.makedirs(data)
        make_data(data)
        run(["dotnet", "build", "src/Native.Cli", "-c", "Release"], stdout=subprocess.DEVNULL)
        run(["dotnet", "build", "benchmarks/cli/LibraryEpochs", "-c", "Release"], stdout=subprocess.DEVNULL)
        aot_dir = options.aot
        if aot_dir is None:
            aot_dir = os.path.join(work, "aot")
            run(["dotnet", "publish", "src/Native.Cli", "-c", "Release", "-r", "linux-x64", "-o", aot_dir], stdout=subprocess.DEVNULL)
        commands = {
            "library": lambda model: ["dotnet", os.path.join(ROOT, "benchmarks", "cli", "LibraryEpochs", "bin", "Release", "net10.0", "LibraryEpochs.dll"),
                                      MODELS[model][1], data, str(options.epochs)],
            "CLI JIT": lambda model: ["dotnet", os.path.join(ROOT, "src", "Native.Cli", "bin", "Release", "net10.0", "native.dll")] + train(model),
            "CLI AOT": lambda model: [os.path.join(aot_dir, "native")] + train(model),
        }

        def train(model):
            return ["train", "--data", data, "--batch", "64", "--epochs", str(options.epochs), "--seed", "1", "--json"] + MODELS[model][0]

        load_before = os.getloadavg()[0]
        times = {(model, build): [] for model in MODELS for build in BUILDS}
        for _ in range(options.runs):
            for model in MODELS:
                for build in BUILDS:
                    times[(model, build)] += epochs_of(commands[build](model))
        bdn = library_epochs(os.path.join(work, "artifacts")) if options.bdn else {}
        load_after = os.getloadavg()[0]

        lines = [
            f"CPU: {cpu_name()}; load average {load_before:.1f} before, {load_after:.1f} after.",
            f"{options.runs} runs of {options.epochs} epochs per model and build, alternating; the epochs after the first.",
            "",
            "| model | library min / median | CLI JIT min / median | ÷ library | CLI AOT min / median | ÷ library |"
            + (" BenchmarkDotNet min / median |" if options.bdn else ""),
            "| --- | ---: | ---: | ---: | ---: | ---: |" + (" ---: |" if options.bdn else ""),
        ]
        for model, (_, _, method) in MODELS.items():
            library = times[(model, "library")]
            row = [model, f"{min(library):.1f} / {statistics.median(library):.1f} ms"]
            for build in BUILDS[1:]:
                t = times[(model, build)]
                row.append(f"{min(t):.1f} / {statistics.median(t):.1f} ms")
                row.append(f"{min(t) / min(library):.2f} / {statistics.median(t) / statistics.median(library):.2f}")
            if options.bdn:
                row.append(f"{bdn[method][0]:.1f} / {bdn[method][1]:.1f} ms" if method in bdn else "—")
            lines.append("| " + " | ".join(row) + " |")
        text = "\n".join(lines)
        print(text)
        if options.out:
            with open(options.out, "w") as f:
                f.write(text + "\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
