#!/usr/bin/env bash
# Streaming proof (issue 21): a generated CSV several times a memory cgroup's limit, trained 2 epochs inside the cgroup
# by `native train --stream`, beside the same rows trained in memory (no limit). Reports the cgroup's peak memory, the
# first epoch's MB/s (the row cache's first pass plus epoch 1) against the CSV reader's, later epochs' rows/s against
# in-memory, and the accuracy of each on the same rows.
#
#   benchmarks/streaming/run.sh            # 3.6 GB CSV under a 1 GB limit (issue 21's "done when"; minutes, ~8 GB of disk)
#   benchmarks/streaming/run.sh --quick    # 200 MB under 64 MB (CI)
#   benchmarks/streaming/run.sh [--quick] --parquet   # the same rows from a Parquet file (int32 columns, row groups of
#                                          # 131,072 rows, Snappy), written from the CSV by ToParquet/ (ParquetSharp)
#   benchmarks/streaming/run.sh --size 1024 --limit 256   # any CSV size and limit, in MB (a mid-size A/B)
#   NATIVE=/path/to/native benchmarks/streaming/run.sh --quick   # a binary already built (default: NativeAOT publish)
#   STREAMING_WORK=/some/dir benchmarks/streaming/run.sh ...     # keep the data, cache and outputs there (reused: the
#                                          # CSV is generated again only when its size differs)
#
# Needs root and cgroup v1's memory controller (mount | grep cgroup); awk. Timings on a shared machine are noisy.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
size_mb=3600 limit_mb=1024 features=64 parquet=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) size_mb=200 limit_mb=64 ;;
    --parquet) parquet=1 ;;
    --size) size_mb="$2"; shift ;;
    --limit) limit_mb="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 1 ;;
  esac
  shift
done
if [[ $EUID -ne 0 || ! -w /sys/fs/cgroup/memory ]]; then
  echo "streaming benchmark skipped: it needs root and cgroup v1's memory controller at /sys/fs/cgroup/memory"
  exit 0
fi
work="${STREAMING_WORK:-$(mktemp -d)}"
cgroup=/sys/fs/cgroup/memory/native-streaming-$$
cleanup() { [[ -d "$cgroup" ]] && rmdir "$cgroup" 2>/dev/null || true; [[ -z "${STREAMING_WORK:-}" ]] && rm -rf "$work" || true; }
trap cleanup EXIT

if [[ -z "${NATIVE:-}" ]]; then
  dotnet publish "$repo/src/Native.Cli" -c Release -r linux-x64 -o "$work/bin" -nologo -v quiet > "$work/publish.log"
  NATIVE="$work/bin/native"
fi

# -- The data: pixel-like integer features (0-255) and a class from a fixed linear rule with 10 % of labels noise, so
#    a softmax regression can learn it and two trainings can be compared. The first 1/8 of the rows is also written
#    alone, for the CSV reader's speed in memory.
data="$work/big.csv" part="$work/part.csv"
if [[ ! -f "$data" || "$(cat "$work/size.txt" 2>/dev/null)" != "$size_mb" ]]; then
  awk -v mb="$size_mb" -v f="$features" -v part="$part" -v partmb="$((size_mb / 8))" 'BEGIN {
    srand(7); header = "";
    for (j = 0; j < f; j++) header = header "p" j ",";
    print header "label"; print header "label" > part;
    bytes = 0; limit = mb * 1048576; partlimit = partmb * 1048576;
    while (bytes < limit) {
      line = ""; score = 0;
      for (j = 0; j < f; j++) { v = int(rand() * 256); if (v > 255) v = 255; line = line v ","; if (j < 10) score += (j % 2 ? -v : v) * (j + 1); }
      label = int((score + 6000) / 1500); if (label < 0) label = 0; if (label > 9) label = 9;
      if (rand() < 0.1) label = int(rand() * 10);
      line = line label; print line; bytes += length(line) + 1;
      if (bytes < partlimit) print line > part;
    }
  }' > "$data"
  echo "$size_mb" > "$work/size.txt"
fi
common=(--epochs 2 --seed 1 --batch 64 --standardize)
if [[ $parquet == 1 ]]; then
  # The same rows as Parquet; the MB/s figures below are then of the Parquet file's bytes.
  dotnet build "$repo/benchmarks/streaming/ToParquet" -c Release -o "$work/to-parquet" -nologo -v quiet > "$work/to-parquet.log"
  dotnet "$work/to-parquet/ToParquet.dll" "$data" "$work/big.parquet"
  dotnet "$work/to-parquet/ToParquet.dll" "$part" "$work/part.parquet"
  rm -f "$data"
  data="$work/big.parquet" part="$work/part.parquet"
  common+=(--label label)
fi
csv_bytes=$(stat -c %s "$data") part_bytes=$(stat -c %s "$part")
printf 'data: %s (%d MB), %s features; limit %d MB; CPU: %s\n' "$data" "$((csv_bytes >> 20))" "$features" "$limit_mb" "$(lscpu | sed -n 's/^Model name: *//p')"

seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }

# -- The CSV reader in memory: the first 1/8 of the rows, one epoch; its reading time is the run's time less its epoch.
start=$(date +%s%N)
"$NATIVE" train --data "$part" --epochs 1 "${common[@]:2}" --json > "$work/part.json"
end=$(date +%s%N)
read_s=$(awk -v t="$(seconds "$start" "$end")" 'BEGIN { FS = "[:,]" } /"epoch":/ { for (i = 1; i < NF; i++) if ($i ~ /"elapsed_ms"/) e += $(i + 1) } END { printf "%.3f", t - e / 1000 }' "$work/part.json")
reader_mbs=$(awk -v b="$part_bytes" -v s="$read_s" 'BEGIN { printf "%.0f", b / 1e6 / s }')

# -- In memory, the same rows, no limit.
"$NATIVE" train --data "$data" "${common[@]}" --json > "$work/memory.json"

# -- Streamed inside the cgroup (swap off within it); the cache in the work directory.
mkdir "$cgroup"
echo $((limit_mb << 20)) > "$cgroup/memory.limit_in_bytes"
[[ -f "$cgroup/memory.memsw.limit_in_bytes" ]] && echo $((limit_mb << 20)) > "$cgroup/memory.memsw.limit_in_bytes" || true
rm -rf "$work/cache"
start=$(date +%s%N)
sh -c 'echo $$ > "$0/cgroup.procs"; exec "$@"' "$cgroup" /usr/bin/time -f '%M' -o "$work/rss.txt" "$NATIVE" train --data "$data" "${common[@]}" --stream --cache "$work/cache" > "$work/streamed.txt"
end=$(date +%s%N)
peak=$(cat "$cgroup/memory.max_usage_in_bytes") failures=$(cat "$cgroup/memory.failcnt")
rss_peak=$(tail -1 "$work/rss.txt")

pass_s=$(sed -n 's/.* rows read in \([0-9.]*\) s .*/\1/p' "$work/streamed.txt")
epoch_ms() { sed -n "s/^epoch $1\/2 .*  \([0-9,]*\) ms  \([0-9,]*\) rows\/s.*/\\$2/p" "$3" | tr -d ,; }
first_mbs=$(awk -v b="$csv_bytes" -v p="$pass_s" -v e="$(epoch_ms 1 1 "$work/streamed.txt")" 'BEGIN { printf "%.0f", b / 1e6 / (p + e / 1000) }')
streamed_rows=$(epoch_ms 2 2 "$work/streamed.txt")
memory_rows=$(awk 'BEGIN { FS = "[:,]" } /"epoch":2/ { for (i = 1; i < NF; i++) if ($i ~ /"rows_per_second"/) printf "%.0f", $(i + 1) }' "$work/memory.json")
streamed_acc=$(sed -n 's/.*training rows: accuracy \([0-9.]*\).*/\1/p' "$work/streamed.txt")
memory_acc=$(awk 'BEGIN { FS = "[:,]" } /"summary"/ { for (i = 1; i < NF; i++) if ($i ~ /"accuracy"/) print $(i + 1) }' "$work/memory.json")

cat <<REPORT
streamed run: $(sed -n 's/^\(Row cache: .*\)/\1/p' "$work/streamed.txt")
peak memory: process $((rss_peak >> 10)) MB resident (mapped cache pages included); cgroup $((peak >> 20)) MB of $limit_mb MB (page cache included; failcnt $failures); total $(( (end - start) / 1000000 )) ms
first epoch (first pass + epoch 1): $first_mbs MB/s; reading in memory (native train without --stream, 1/8 of the file): $reader_mbs MB/s ($(awk -v a="$first_mbs" -v b="$reader_mbs" 'BEGIN { printf "%.0f", 100 * a / b }') %)
epoch 2: streamed $streamed_rows rows/s; in memory $memory_rows rows/s ($(awk -v a="$streamed_rows" -v b="$memory_rows" 'BEGIN { printf "%.0f", 100 * a / b }') %)
accuracy on the same rows: streamed $streamed_acc; in memory $memory_acc
REPORT
# The kernel may charge a cgroup past its limit for an allocation that cannot fail (cgroup v1's forced charge): seen
# here as one 4 KB page over the 64 MB limit, failcnt 0, when the Parquet reader runs. More than 64 KB over fails.
awk -v a="$streamed_acc" -v b="$memory_acc" -v p="$peak" -v l="$((limit_mb << 20))" 'BEGIN {
  if (p > l + 65536) { printf "FAIL: peak memory above the limit: %d bytes of %d\n", p, l; exit 1 }
  if (p > l) { printf "note: peak memory %d bytes over the limit (a forced kernel charge)\n", p - l }
  if (b - a > 0.003) { print "note: streamed accuracy more than 0.3 point below in-memory" } }'
awk -v a="$streamed_acc" -v b="$memory_acc" 'BEGIN {
  if (a + 0.02 < b) { print "FAIL: streamed accuracy more than 2 points below in-memory"; exit 1 } }'
