#!/usr/bin/env bash
# The serving load test, in one run, wrk on 127.0.0.1 at fixed connections, one iris row (4 features, 3 classes) a request:
#  1. native serve (NativeAOT) for S seconds while its model file is replaced R times — valid versions and truncated
#     files, by rename and in place: every answer must be 2xx and carry a version that was a valid file;
#  2. native serve against the same endpoint on ML.NET's pooled PredictionEngines and on ONNX Runtime (Peers/), and
#     native serve under the JIT (what NativeAOT changes, apart from the model), all up at once and measured in turns
#     (ROUNDS rounds, 10 by default, of S/ROUNDS seconds each; medians), so that a machine whose load changes during the
#     run weighs on each alike;
#  3. 1,000 more replacements, resident memory before and after.
#
#   benchmarks/serving/run.sh                 # the full run: 20 s at 32 connections, 20 replacements, the peers, 1,000 reloads
#   benchmarks/serving/run.sh --quick         # CI's: 5 s at 16 connections, 4 replacements, native only, 50 reloads
#   options: --seconds S --connections N --replacements R --rounds N --reloads N --no-peers --binary PATH (a published native)
#
# Needs the .NET SDK and, for wrk, Debian's package (installed here when missing). Exits 1 when a target of correctness is
# missed (a non-2xx answer, a socket error, a version never valid, a failed reload); speed is reported, not enforced.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
seconds=20 connections=32 replacements=20 reloads=1000 peers=1 binary="" warmup=5 rounds=10
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) seconds=5 connections=16 replacements=4 reloads=50 peers=0 warmup=2 ;;
    --seconds) seconds="$2"; shift ;;
    --connections) connections="$2"; shift ;;
    --replacements) replacements="$2"; shift ;;
    --rounds) rounds="$2"; shift ;;
    --reloads) reloads="$2"; shift ;;
    --no-peers) peers=0 ;;
    --binary) binary="$2"; shift ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

if ! command -v wrk > /dev/null; then
  echo "installing wrk (Debian's package)"
  apt-get install -y wrk > /dev/null 2>&1 || { apt-get update > /dev/null && apt-get install -y wrk > /dev/null; }
fi

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  wait 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
failed=0
fail() { echo "FAILED: $*"; failed=1; }

if [[ -z "$binary" ]]; then
  echo "publishing native with NativeAOT"
  dotnet publish "$root/src/Native.Cli" -c Release -r linux-x64 -o "$work/aot" -warnaserror > "$work/publish.log" || { cat "$work/publish.log"; exit 1; }
  binary="$work/aot/native"
fi

# Three valid versions of the model (different seeds and epochs), their truncated copies, and ONNX for ONNX Runtime.
data="$root/tests/package-consumer/models/iris.csv"
for v in 1 2 3; do
  "$binary" train --data "$data" --model softmax --standardize --epochs $((100 * v)) --seed "$v" --out "$work/v$v.safetensors" --quiet > /dev/null
  head -c $(($(stat -c %s "$work/v$v.safetensors") / 2)) "$work/v$v.safetensors" > "$work/v$v.truncated"
done
"$binary" convert --model "$work/v1.safetensors" --out "$work/iris.onnx" > /dev/null
valid="$(for v in 1 2 3; do sha256sum "$work/v$v.safetensors" | cut -c1-16; done | sort | tr '\n' ' ')"
mkdir "$work/served"
cp "$work/v1.safetensors" "$work/served/iris.safetensors"

rss() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
ready() {
  for _ in $(seq 1 300); do
    curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -d '{"rows":[[5.1,3.5,1.4,0.2]]}' "http://127.0.0.1:$1/models/iris/predict" && return 0
    sleep 0.1
  done
  echo "the server on port $1 did not answer"; exit 1
}

# Replaces the served file R times over the run: every fourth a truncated file, the others a valid version; by rename
# (as deployment tools and ModelFile.Save do) and in place (cat >, as cp does), alternately.
replace() {
  local interval
  interval="$(awk -v s="$seconds" -v r="$replacements" 'BEGIN { printf "%.3f", s / (r + 1) }')"
  for i in $(seq 1 "$replacements"); do
    sleep "$interval"
    local file="$work/v$(( (i % 3) + 1 )).safetensors"
    (( i % 4 == 0 )) && file="$work/v$(( (i % 3) + 1 )).truncated"
    if (( i % 2 == 0 )); then
      cp "$file" "$work/served/.iris.tmp" && mv "$work/served/.iris.tmp" "$work/served/iris.safetensors"
    else
      cat "$file" > "$work/served/iris.safetensors"
    fi
  done
  # The run ends on a valid version (after a pause, so that the last replacement is not coalesced with it).
  sleep "$interval"
  cp "$work/v1.safetensors" "$work/served/.iris.tmp" && mv "$work/served/.iris.tmp" "$work/served/iris.safetensors"
}

rows=()
get() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<< "$2"; }
load() { wrk -t2 -c"$connections" -d"$2" -s "$here/predict.lua" "http://127.0.0.1:$1" | grep '^RESULT'; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf (m >= 1000 ? "%.0f\n" : "%.3f\n"), m }'; }

# 1. native serve, NativeAOT, reloading 20 ms after the file is quiet, under load while its file is replaced.
"$binary" serve --model "iris=$work/served/iris.safetensors" --port 18731 --reload-delay 20 > "$work/native.out" 2> "$work/native.log" &
native=$!; pids+=("$native")
ready 18731
echo "native serve: idle, $(rss "$native") MB resident"
load 18731 "${warmup}s" > /dev/null
before="$(rss "$native")"
replace & replacer=$!
result="$(load 18731 "${seconds}s")"
wait "$replacer"
after="$(rss "$native")"
echo "native serve, ${replacements} replacements: $result rss_before_mb=$before rss_after_mb=$after"
rows+=("| native serve (NativeAOT), $replacements replacements during the run | $(get rps "$result") | $(get p50_ms "$result") | $(get p99_ms "$result") | $(get p999_ms "$result") | $(get non2xx "$result") | $(get socket_errors "$result") | $before → $after |")
[[ "$(get non2xx "$result")" == 0 ]] || fail "native serve: $(get non2xx "$result") answers were not 2xx"
[[ "$(get socket_errors "$result")" == 0 ]] || fail "native serve: $(get socket_errors "$result") socket errors"
for version in $(tr ',' ' ' <<< "$(get versions "$result")"); do
  [[ " $valid " == *" $version "* ]] || fail "native serve answered with version $version, which was never a valid file ($valid)"
done
echo "native serve: versions answered: $(get versions "$result") (valid: $valid)"
loaded="$(grep -c 'loaded from' "$work/native.log" || true)"; refused="$(grep -c 'was refused' "$work/native.log" || true)"
echo "native serve: $loaded loads (the first included) and $refused refusals in the log over $replacements replacements"
(( refused > 0 || replacements < 4 )) || fail "no truncated file was refused"

# 2. The peers beside it, all up at once, measured in turns.
if [[ "$peers" == 1 ]]; then
  dotnet build "$here/Peers" -c Release -o "$work/peers" > "$work/peers-build.log" || { cat "$work/peers-build.log"; exit 1; }
  dotnet "$work/peers/ServingPeers.dll" mlnet "$data" 18732 > "$work/mlnet.log" 2>&1 & mlnet=$!; pids+=("$mlnet")
  dotnet "$work/peers/ServingPeers.dll" onnxruntime "$work/iris.onnx" 18733 > "$work/onnxruntime.log" 2>&1 & onnxruntime=$!; pids+=("$onnxruntime")
  dotnet build "$root/src/Native.Cli" -c Release -o "$work/jit" > "$work/jit-build.log" || { cat "$work/jit-build.log"; exit 1; }
  cp "$work/v1.safetensors" "$work/jit.safetensors"
  dotnet "$work/jit/native.dll" serve --model "iris=$work/jit.safetensors" --port 18734 --no-reload > /dev/null 2>&1 & jit=$!; pids+=("$jit")
  ready 18732; ready 18733; ready 18734
  names=("native serve (NativeAOT)" "native serve (JIT)" "ML.NET PredictionEngine pool (JIT)" "ONNX Runtime (JIT)")
  ports=(18731 18734 18732 18733); servers=("$native" "$jit" "$mlnet" "$onnxruntime")
  declare -A rps p50 p99 p999 bad idle
  for s in 0 1 2 3; do load "${ports[$s]}" "${warmup}s" > /dev/null; idle[$s]="$(rss "${servers[$s]}")"; done
  turn="$(( seconds / rounds > 0 ? seconds / rounds : 1 ))s"
  for round in $(seq 1 "$rounds"); do
    for s in 0 1 2 3; do
      result="$(load "${ports[$s]}" "$turn")"
      echo "round $round, ${names[$s]}: $result"
      rps[$s]+=" $(get rps "$result")"; p50[$s]+=" $(get p50_ms "$result")"; p99[$s]+=" $(get p99_ms "$result")"; p999[$s]+=" $(get p999_ms "$result")"
      bad[$s]=$(( ${bad[$s]:-0} + $(get non2xx "$result") + $(get socket_errors "$result") ))
    done
  done
  for s in 0 1 2 3; do
    rows+=("| ${names[$s]}, median of $rounds turns of $turn | $(median <<< "${rps[$s]}") | $(median <<< "${p50[$s]}") | $(median <<< "${p99[$s]}") | $(median <<< "${p999[$s]}") | ${bad[$s]} | (counted with non-2xx) | ${idle[$s]} → $(rss "${servers[$s]}") |")
    (( bad[$s] == 0 )) || fail "${names[$s]}: ${bad[$s]} non-2xx answers or socket errors"
  done
  kill "$mlnet" "$onnxruntime" "$jit"; wait "$mlnet" "$onnxruntime" "$jit" 2> /dev/null || true
fi

if (( reloads > 0 )); then
  # Reloads with nothing else running: each write waits for the one before to be loaded (or refused), so that every one
  # is a load, not one coalesced by the quiet period.
  before="$(rss "$native")"; start_loads="$(grep -c 'loaded from' "$work/native.log" || true)"
  for i in $(seq 1 "$reloads"); do
    file="$work/v$(( (i % 3) + 1 )).safetensors"; (( i % 4 == 0 )) && file="$work/v$(( (i % 3) + 1 )).truncated"
    cp "$file" "$work/served/.iris.tmp" && mv "$work/served/.iris.tmp" "$work/served/iris.safetensors"
    sleep 0.06
  done
  sleep 0.5
  after="$(rss "$native")"; end_loads="$(grep -c 'loaded from' "$work/native.log" || true)"
  echo "native serve: $reloads replacements ($((end_loads - start_loads)) loaded, the rest refused or coalesced): resident memory $before MB before, $after MB after"
  curl -s -X POST -H 'Content-Type: application/json' -d '{"rows":[[5.1,3.5,1.4,0.2]]}' "http://127.0.0.1:18731/models/iris/predict" | grep -q '"class"' || fail "native serve stopped answering after the reloads"
fi

kill -TERM "$native"; wait "$native" || fail "native serve did not stop cleanly on SIGTERM"
grep -q 'native serve: stopped.' "$work/native.out" || fail "native serve did not say it stopped"
if grep -v -e 'loaded from' -e 'was refused' "$work/native.log" | grep -q .; then echo "native serve's log:"; grep -v -e 'loaded from' -e 'was refused' "$work/native.log"; fi

echo
echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; wrk -t2 -c$connections -d${seconds}s on the same machine, one row per request"
echo
echo "| server | requests/s | p50 ms | p99 ms | p99.9 ms | non-2xx | socket errors | resident MB, after warm-up → at the end |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
printf '%s\n' "${rows[@]}"
exit "$failed"
