#!/usr/bin/env bash
# Start-up to first prediction and NativeAOT binary size, for MNIST's standardized softmax regression
# (../Native.Benchmarks/models/mnist.safetensors) compiled into the program or loaded from its file.
# Publishes both binaries, prints their sizes, and times each run (start, predict one row, print, exit) with
# hyperfine when it is installed, else with a loop of 200 runs.
# Usage: benchmarks/startup/measure.sh [WORK_DIRECTORY]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="${1:-$(mktemp -d)}"
model="$here/../Native.Benchmarks/models/mnist.safetensors"

dotnet publish "$here" -c Release -r linux-x64 -p:Compiled=true -o "$work/compiled" -nologo -v quiet
dotnet publish "$here" -c Release -r linux-x64 -o "$work/loaded" -nologo -v quiet
cp "$work/compiled/Startup" "$work/compiled-model"
cp "$work/loaded/Startup" "$work/loaded-model"

lscpu | grep -m1 'Model name' || true
echo "NativeAOT binary, the model compiled in:        $(stat -c %s "$work/compiled-model") bytes"
echo "NativeAOT binary, the model loaded from a file: $(stat -c %s "$work/loaded-model") bytes (+ the file, $(stat -c %s "$model") bytes)"
"$work/compiled-model"
"$work/loaded-model" "$model"
[[ "$("$work/compiled-model")" == "$("$work/loaded-model" "$model")" ]] || { echo "the two binaries predict differently"; exit 1; }

if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 20 --runs 300 "$work/compiled-model" "$work/loaded-model $model"
else
  for run in "$work/compiled-model" "$work/loaded-model $model"; do
    start=$(date +%s%N)
    for _ in $(seq 200); do $run >/dev/null; done
    echo "$run: $(( ($(date +%s%N) - start) / 200000 )) us per run"
  done
fi
