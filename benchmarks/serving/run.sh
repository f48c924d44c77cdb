#!/usr/bin/env bash
# The serving load test: native serve (NativeAOT) against the same endpoint on ML.NET's pooled PredictionEngines and on ONNX
# Runtime (Peers/), the same iris model (4 features, 3 classes), wrk on 127.0.0.1 at fixed connections, one run. During
# native's run the model file is replaced many times — valid versions and truncated files, by rename and in place — and
# every response's version must be one that was valid. Then 1,000 reloads, resident memory before and after.
#
#   benchmarks/serving/run.sh                 # the full run: 20 s at 32 connections, 20 replacements, the peers, 1,000 reloads
#   benchmarks/serving/run.sh --quick         # CI's: 5 s at 16 connections, 4 replacements, native only, 50 reloads
#   options: --seconds S --connections N --replacements R --reloads N --no-peers --binary PATH (a published native)
#
# Needs the .NET SDK and, for wrk, Debian's package (installed here when missing). Exits 1 when a target of correctness is
# missed (a non-2xx answer, a socket error, a version never valid, a failed reload); speed is reported, not enforced.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
seconds=20 connections=32 replacements=20 reloads=1000 peers=1 binary="" warmup=5
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) seconds=5 connections=16 replacements=4 reloads=50 peers=0 warmup=2 ;;
    --seconds) seconds="$2"; shift ;;
    --connections) connections="$2"; shift ;;
    --replacements) replacements="$2"; shift ;;
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
measure() { # name pid port replace(0|1)
  local name="$1" pid="$2" port="$3" replacing="$4" before after result
  wrk -t2 -c"$connections" -d"${warmup}s" -s "$here/predict.lua" "http://127.0.0.1:$port" > /dev/null
  before="$(rss "$pid")"
  [[ "$replacing" == 1 ]] && { replace & replacer=$!; }
  result="$(wrk -t2 -c"$connections" -d"${seconds}s" -s "$here/predict.lua" "http://127.0.0.1:$port" | grep '^RESULT')"
  [[ "$replacing" == 1 ]] && wait "$replacer"
  after="$(rss "$pid")"
  echo "$name: $result rss_before_mb=$before rss_after_mb=$after"
  local get; get() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<< "$result"; }
  rows+=("| $name | $(get rps) | $(get p50_ms) | $(get p99_ms) | $(get p999_ms) | $(get non2xx) | $(get socket_errors) | $before | $after |")
  [[ "$(get non2xx)" == 0 ]] || fail "$name: $(get non2xx) answers were not 2xx"
  [[ "$(get socket_errors)" == 0 ]] || fail "$name: $(get socket_errors) socket errors"
  if [[ "$replacing" == 1 ]]; then
    for version in $(tr ',' ' ' <<< "$(get versions)"); do
      [[ " $valid " == *" $version "* ]] || fail "$name answered with version $version, which was never a valid file ($valid)"
    done
    echo "$name: versions answered: $(get versions) (valid: $valid)"
  fi
}

# native serve, NativeAOT, reloading 20 ms after the file is quiet.
"$binary" serve --model "iris=$work/served/iris.safetensors" --port 18731 --reload-delay 20 > "$work/native.out" 2> "$work/native.log" &
native=$!; pids+=("$native")
ready 18731
echo "native serve: idle, $(rss "$native") MB resident"
measure "native serve (NativeAOT)" "$native" 18731 1
loaded="$(grep -c 'loaded from' "$work/native.log" || true)"; refused="$(grep -c 'was refused' "$work/native.log" || true)"
echo "native serve: $loaded loads (the first included) and $refused refusals in the log over $replacements replacements"
(( refused > 0 || replacements < 4 )) || fail "no truncated file was refused"

if [[ "$peers" == 1 ]]; then
  dotnet build "$here/Peers" -c Release -o "$work/peers" > "$work/peers-build.log" || { cat "$work/peers-build.log"; exit 1; }
  for peer in mlnet onnxruntime; do
    file="$data"; [[ "$peer" == onnxruntime ]] && file="$work/iris.onnx"
    port=18732; [[ "$peer" == onnxruntime ]] && port=18733
    dotnet "$work/peers/ServingPeers.dll" "$peer" "$file" "$port" > "$work/$peer.log" 2>&1 &
    pid=$!; pids+=("$pid")
    ready "$port"
    label="ML.NET PredictionEngine pool (JIT)"; [[ "$peer" == onnxruntime ]] && label="ONNX Runtime (JIT)"
    measure "$label" "$pid" "$port" 0
    kill "$pid"; wait "$pid" 2> /dev/null || true
  done
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
echo "| server | requests/s | p50 ms | p99 ms | p99.9 ms | non-2xx | socket errors | RSS before MB | RSS after MB |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
printf '%s\n' "${rows[@]}"
exit "$failed"
