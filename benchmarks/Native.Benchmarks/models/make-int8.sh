#!/usr/bin/env bash
# Makes the int8 model files QuantizedBenchmarks compiles in ([GeneratedModel], CompiledModels.cs) and loads beside them:
#   mnist-int8.safetensors      mnist.safetensors (784 x 10 softmax, standardized) quantized, calibrated on MNIST's first 1,000 rows
#   mnist-mlp-int8.safetensors  a 784-128-10 ReLU perceptron trained on MNIST (standardized, 5 epochs, seed 1), quantized likewise
# Run from the repository's root: bash benchmarks/Native.Benchmarks/models/make-int8.sh (needs python3 for the calibration CSV).
set -euo pipefail
models=benchmarks/Native.Benchmarks/models
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
native() { dotnet run -c Release --project src/Native.Cli -- "$@"; }

# The calibration rows: MNIST's first 1,000 images as CSV, pixels scaled to [0, 1] as the IDX reader scales them, label last.
python3 - "$work/calibration.csv" <<'PY'
import gzip, struct, sys
images = gzip.open("tests/data/mnist/t10k-images-idx3-ubyte.gz").read()
labels = gzip.open("tests/data/mnist/t10k-labels-idx1-ubyte.gz").read()
with open(sys.argv[1], "w") as out:
    out.write(",".join(f"p{i}" for i in range(784)) + ",label\n")
    for k in range(1000):
        pixels = images[16 + k * 784:16 + (k + 1) * 784]
        out.write(",".join(repr(b / 255) if b else "0" for b in pixels) + f",{labels[8 + k]}\n")
PY

native quantize --model "$models/mnist.safetensors" --data "$work/calibration.csv" --out "$models/mnist-int8.safetensors"
native train --data tests/data/mnist --model mlp --hidden 128 --activation relu --standardize --epochs 5 --seed 1 --quiet --out "$work/mnist-mlp.safetensors"
native quantize --model "$work/mnist-mlp.safetensors" --data "$work/calibration.csv" --out "$models/mnist-mlp-int8.safetensors"
