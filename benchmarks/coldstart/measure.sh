#!/usr/bin/env bash
# Cold start of a model's PredictProbabilities (ColdStart/Program.cs) under the tiered JIT and under NativeAOT: builds the
# program, publishes it ReadyToRun and twice with NativeAOT (the default instruction set, and x86-64-v4), runs one
# fresh process per model and configuration, RUNS rounds interleaved (so that a noisy neighbour spreads over every
# row), and prints a table of the medians; then how the NativeAOT binaries' probabilities compare with the JIT's, bit
# for bit.
# Usage: benchmarks/coldstart/measure.sh [options] [WORK_DIRECTORY]
#   --runs N            rounds (default 3)
#   --models "A B"      of generated-4x3 generated-784x10 compiled-784x10 loaded-784x10 (the default), run-time-784x10
#   --compare GITREF    also build the library as it was at GITREF (this harness copied in) and give each row twice,
#                       "before" (GITREF) and "after" (this checkout, with its uncommitted changes)
#   --jit-only          the JIT rows only (no ReadyToRun, no NativeAOT)
#   --settings          also the JIT under other runtime settings (TieredPGO off, QuickJitForLoops off, no tiering)
#   --warm-up SECONDS   of calls before the steady state is measured (default 2; more on a loaded machine, where the
#                       tiered JIT's background compilation waits for a core)
#   --wall              time by the wall clock, not the calling thread's CPU time (see ColdStart/Program.cs: Clock)
#   --steady            then the steady state in one BenchmarkDotNet run (Steady/): with --compare, GITREF's library as
#                       the baseline job and this checkout's beside it, so that its ratio column is after / before
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
runs=3
models="generated-4x3 generated-784x10 compiled-784x10 loaded-784x10"
compare=""
jit_only=0
settings=0
clock=""
warm_up=2
steady=0
work=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --models) models="$2"; shift 2 ;;
    --compare) compare="$2"; shift 2 ;;
    --jit-only) jit_only=1; shift ;;
    --settings) settings=1; shift ;;
    --wall) clock="--wall"; shift ;;
    --warm-up) warm_up="$2"; shift 2 ;;
    --steady) steady=1; shift ;;
    -*) echo "unknown option $1" >&2; exit 1 ;;
    *) work="$1"; shift ;;
  esac
done
work="${work:-$(mktemp -d)}"
mkdir -p "$work"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# The builds: this checkout ("after"), and with --compare the library at GITREF with this harness ("before").
builds=("after|$here/ColdStart")
if [[ -n "$compare" ]]; then
  rm -rf "$work/before-source" && mkdir -p "$work/before-source"
  git -C "$repo" archive "$compare" | tar -x -C "$work/before-source"
  rm -rf "$work/before-source/benchmarks/coldstart" && mkdir -p "$work/before-source/benchmarks/coldstart/ColdStart"
  cp "$here/ColdStart/"*.cs "$here/ColdStart/"*.csproj "$work/before-source/benchmarks/coldstart/ColdStart/"
  builds=("before|$work/before-source/benchmarks/coldstart/ColdStart" "${builds[@]}")
fi

configurations=()
for build in "${builds[@]}"; do
  name="${build%%|*}"
  project="${build#*|}"
  out="$work/$name"
  echo "building $name ($project) into $out" >&2
  dotnet build "$project" -c Release -o "$out/jit" -nologo -v quiet >&2
  label() { if [[ -n "$compare" ]]; then echo "$name: $1"; else echo "$1"; fi; }
  configurations+=("$(label "JIT, default tiering")|dotnet $out/jit/ColdStart.dll")
  if [[ $settings == 1 ]]; then
    configurations+=(
      "$(label "JIT, DOTNET_TieredPGO=0")|env DOTNET_TieredPGO=0 dotnet $out/jit/ColdStart.dll"
      "$(label "JIT, DOTNET_TC_QuickJitForLoops=0")|env DOTNET_TC_QuickJitForLoops=0 dotnet $out/jit/ColdStart.dll"
      "$(label "JIT, DOTNET_TieredCompilation=0")|env DOTNET_TieredCompilation=0 dotnet $out/jit/ColdStart.dll"
    )
  fi
  if [[ $jit_only == 0 ]]; then
    dotnet publish "$project" -c Release -r linux-x64 --self-contained false -p:PublishAot=false -p:PublishReadyToRun=true -o "$out/r2r" -nologo -v quiet >&2
    dotnet publish "$project" -c Release -r linux-x64 -o "$out/aot-default" -nologo -v quiet >&2
    dotnet publish "$project" -c Release -r linux-x64 -p:IlcInstructionSet=x86-64-v4 -o "$out/aot-v4" -nologo -v quiet >&2
    configurations+=(
      "$(label "JIT, the program published ReadyToRun")|dotnet $out/r2r/ColdStart.dll"
      "$(label "NativeAOT, default instruction set")|$out/aot-default/ColdStart"
      "$(label "NativeAOT, IlcInstructionSet=x86-64-v4")|$out/aot-v4/ColdStart"
    )
  fi
done

# Rounds outside, configurations and models inside: each row's runs are spread over the whole measurement.
rm -rf "$work/lines" && mkdir -p "$work/lines"
for round in $(seq "$runs"); do
  echo "round $round of $runs" >&2
  for index in "${!configurations[@]}"; do
    command="${configurations[$index]#*|}"
    for model in $models; do
      $command "$model" $clock --warm-up "$warm_up" >> "$work/lines/$index.$model"
    done
  done
done

# The median of a column of numbers.
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# A time in nanoseconds, in the unit that reads best.
show() { awk -v t="$1" 'BEGIN {
  if (t >= 1e6) printf "%.1f ms", t / 1e6; else if (t >= 1e4) printf "%.0f µs", t / 1e3; else if (t >= 1e3) printf "%.2f µs", t / 1e3;
  else if (t >= 100) printf "%.0f ns", t; else printf "%.1f ns", t }'; }

cpu="$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
family="$(lscpu | sed -n 's/^CPU family: *//p' | head -1)"
model_number="$(lscpu | sed -n 's/^Model: *//p' | head -1)"
echo
echo "$cpu (family $family model $model_number), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); SDK $(dotnet --version);"
echo "medians of $runs fresh processes per row, $([[ -n "$clock" ]] && echo "wall-clock time" || echo "the calling thread's CPU time"). PredictProbabilities on float[] rows."
echo "create: constructing the model (generated), its class initializer (compiled), ModelFile.Load (loaded). A window's"
echo "figure is its mean per call; steady: the median of 25 windows of about 1 ms after $warm_up s of calls."
echo
echo "| configuration | model | kernels | create | first call | calls 2–100 | 101–10,000 | 10,001–100,000 | steady |"
echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for index in "${!configurations[@]}"; do
  label="${configurations[$index]%%|*}"
  for model in $models; do
    lines="$work/lines/$index.$model"
    cells=""
    for column in 3 4 5 6 7 8; do
      cells+=" $(show "$(cut -f$column "$lines" | median)") |"
    done
    echo "| $label | $model | $(cut -f2 "$lines" | head -1) |$cells"
  done
done

# The arithmetic: each model's probabilities for 16 rows from this checkout's NativeAOT binaries against the JIT's.
if [[ $jit_only == 0 ]]; then
  echo
  echo "| model | NativeAOT, default instruction set, against the JIT | NativeAOT, x86-64-v4, against the JIT |"
  echo "| --- | --- | --- |"
  for model in $models; do
    dotnet "$work/after/jit/ColdStart.dll" "$model" --probabilities > "$work/bits.jit"
    "$work/after/aot-default/ColdStart" "$model" --probabilities > "$work/bits.default"
    "$work/after/aot-v4/ColdStart" "$model" --probabilities > "$work/bits.v4"
    echo "| $model | $(dotnet "$work/after/jit/ColdStart.dll" ulp "$work/bits.jit" "$work/bits.default") | $(dotnet "$work/after/jit/ColdStart.dll" ulp "$work/bits.jit" "$work/bits.v4") |"
  done
fi

if [[ $steady == 1 ]]; then
  echo
  echo "steady state, BenchmarkDotNet (Steady/SteadyStateBenchmarks.cs)" >&2
  if [[ -n "$compare" ]]; then
    (cd "$here/Steady" && dotnet run -c Release -- --before "$work/before-source" --filter '*' --artifacts "$work/steady")
  else
    (cd "$here/Steady" && dotnet run -c Release -- --filter '*' --artifacts "$work/steady")
  fi
fi
