#!/usr/bin/env bash
# Makes the int8 files Native.Tests compiles in with [GeneratedModel] (Quantization/CompiledQuantizedModels.cs) and loads
# beside them, from scikit-learn's digits (tests/data/digits), with the repository's own CLI:
#   digits-int8.safetensors      softmax 64 x 10, standardized, quantized with calibrated scales (the first 1,000 rows)
#   digits-mlp-int8.safetensors  a 64-32-16-10 tanh perceptron, standardized, quantized with per-row scales
# Run from the repository's root: bash tests/Native.Tests/Quantization/Fixtures/make.sh. The same command gives the same bytes.
set -euo pipefail
fixtures=tests/Native.Tests/Quantization/Fixtures
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
native() { dotnet run -c Release --project src/Native.Cli -- "$@"; }

native train --data tests/data/digits/digits.csv --model softmax --epochs 10 --seed 1 --quiet --out "$work/digits.safetensors"
native quantize --model "$work/digits.safetensors" --data tests/data/digits/digits.csv --out "$fixtures/digits-int8.safetensors"
native train --data tests/data/digits/digits.csv --model mlp --hidden 32,16 --activation tanh --epochs 10 --seed 1 --quiet --out "$work/digits-mlp.safetensors"
native quantize --model "$work/digits-mlp.safetensors" --per-row --out "$fixtures/digits-mlp-int8.safetensors"
