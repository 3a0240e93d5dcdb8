#!/usr/bin/env bash
# `dotnet cake` on the example (issue 13, "Speed"): the first run on a fresh clone, then a cached run
# (nothing changed) of two commits side by side in one hyperfine run, each in its own clone, so the
# pipeline's tags and branches never reach the repository holding this script.
#
#   bench/cake/run.sh BASE                 # BASE: the commit to compare HEAD with; 10 cached runs each
#   RUNS=20 bench/cake/run.sh BASE
#
# Settings (environment): RUNS (cached runs per commit, 10), ROUNDS (hyperfine runs, alternating which
# commit goes first, 2), NEW (the other commit, HEAD), REPO (default: the repository holding this
# script), OUT (results folder). Needs git, hyperfine (Debian package) and /usr/bin/time.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=${REPO:-$(git -C "$HERE" rev-parse --show-toplevel)}
BASE=${1:?usage: bench/cake/run.sh BASE (the commit to compare HEAD with)}
NEW=${NEW:-$(git -C "$REPO" rev-parse HEAD)}
RUNS=${RUNS:-10}
ROUNDS=${ROUNDS:-2}
OUT=${OUT:-$HERE/results/$(date -u +%Y%m%dT%H%M%SZ)}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"

clone() { # clone NAME COMMIT
  git clone -q "$REPO" "$WORK/$1"
  git -C "$WORK/$1" checkout -q "$2"
  git -C "$WORK/$1" config user.name "Bench User"
  git -C "$WORK/$1" config user.email bench@example.com
}

{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release && echo "$PRETTY_NAME"), .NET SDK $(dotnet --version)"
  echo "base: $(git -C "$REPO" log -1 --format='%h %s' "$BASE" | cut -c1-100)"
  echo "new:  $(git -C "$REPO" log -1 --format='%h %s' "$NEW" | cut -c1-100)"
} | tee "$OUT/summary.txt"

for name in old new; do
  commit=$([ "$name" = old ] && echo "$BASE" || echo "$NEW")
  clone "$name" "$commit"
  (cd "$WORK/$name" && dotnet tool restore >/dev/null)
  echo "first run on a fresh clone ($name), load $(cut -d' ' -f1-3 /proc/loadavg):" | tee -a "$OUT/summary.txt"
  (cd "$WORK/$name" && /usr/bin/time -f "  %e s wall, %U s user, %S s system, %M KB peak" -a -o "$OUT/summary.txt" dotnet cake > "$OUT/first-$name.log" 2>&1)
  tail -1 "$OUT/summary.txt"
  # The second run is the first cached one: Cake's script cache and the caches of the stages are warm after it.
  (cd "$WORK/$name" && dotnet cake > "$OUT/second-$name.log" 2>&1)
done

# Cake's own floor: an empty script with the script cache on (cake.config), in a folder of its own.
mkdir -p "$WORK/empty"
cp -r "$WORK/new/cake.config" "$WORK/new/.config" "$WORK/empty/"
printf 'Task("Default");\nRunTarget("Default");\n' > "$WORK/empty/build.cake"
(cd "$WORK/empty" && dotnet cake >/dev/null)

for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) -eq 1 ]; then order="old new"; else order="new old"; fi
  commands=()
  for name in $order; do commands+=(--command-name "$name" "cd $WORK/$name && dotnet cake"); done
  echo "round $round, load $(cut -d' ' -f1-3 /proc/loadavg):" | tee -a "$OUT/summary.txt"
  hyperfine -w 1 -r "$RUNS" --export-json "$OUT/round-$round.json" \
    "${commands[@]}" --command-name "empty cake script" "cd $WORK/empty && dotnet cake" \
    2>&1 | tee -a "$OUT/summary.txt"
done

grep -h "^pipeline through" "$OUT/second-new.log" | sed 's/^/new, in process: /' | tee -a "$OUT/summary.txt"
echo "results in $OUT"
