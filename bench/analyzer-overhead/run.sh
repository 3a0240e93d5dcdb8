#!/usr/bin/env bash
# What the Mlops analyzers and source generator add to a build (issue 6; docs/benchmarks.md,
# "Analyzers and generator"). Packs src/Mlops.Analyzers, writes a 500-file consumer over 20 feature
# sets with generate.py, then times `dotnet build --no-incremental` in three configurations, taken
# in turn (on, off, none, on, off, none, ...) so a load from elsewhere on the machine falls on all
# three alike:
#   on    the package as users get it: Mlops analyzers and generator run;
#   off   the Mlops analyzer items removed, the generator's output (saved once with
#         EmitCompilerGeneratedFiles) compiled as ordinary source: the same C# reaches the compiler;
#   none  off plus -p:RunAnalyzers=false: not even the SDK's own analyzers run.
# Then one `on` build with -p:ReportAnalyzer=true -v:detailed gives the compiler's own per-analyzer
# and per-generator times.
#
# usage: bench/analyzer-overhead/run.sh [ROUNDS]     (default 5; WORK=dir to keep the files elsewhere;
#        EXTRA="-p:UseSharedCompilation=false" to pass more to every timed build)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
rounds=${1:-5}
work=${WORK:-${TMPDIR:-/tmp}/mlops-analyzer-overhead}
version=0.0.0-bench
extra=${EXTRA:-}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

rm -rf "$work"
mkdir -p "$work"
echo "work folder: $work"

# The package, built outside the checkout's bin/ and obj/ so concurrent builds there are untouched.
dotnet pack "$repo/src/Mlops.Analyzers/Mlops.Analyzers.csproj" -c Release -o "$work/feed" -p:Version=$version \
  --artifacts-path "$work/artifacts" -v:q -nologo >/dev/null

python3 "$here/generate.py" "$work/consumer" $version --files 500 --sets 20
consumer="$work/consumer"
machine_packages=${NUGET_PACKAGES:-$HOME/.nuget/packages}
# Restores go to a private folder (the machine's cache is a read-only fallback), so the machine's
# cache never holds this fixed-version package.
cat >"$consumer/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <config><add key="globalPackagesFolder" value="$work/packages" /></config>
  <packageSources>
    <add key="mlops-bench" value="$work/feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
  <fallbackPackageFolders><add key="machine" value="$machine_packages" /></fallbackPackageFolders>
</configuration>
EOF
export NUGET_PACKAGES="$work/packages"
cs_files=$(find "$consumer/src" -name '*.cs' | wc -l)
echo "consumer: $cs_files C# files, $(ls "$consumer/features" | wc -l) feature sets, $(ls "$consumer/models" | wc -l) models"

cd "$consumer"
dotnet restore -v:q -nologo >/dev/null
# Save the generator's output for the builds without it.
dotnet build --no-restore -v:q -nologo -p:EmitCompilerGeneratedFiles=true $extra >"$work/save-generated.log" 2>&1 \
  || { cat "$work/save-generated.log"; exit 1; }
saved=$(find saved-generated -name '*.cs' | wc -l)
echo "saved generator output: $saved files"
[ "$saved" -ge 21 ] || { echo "expected the 20 bound types and Mlops.Models among the saved files"; exit 1; }

args_on=""
args_off="-p:BenchMlops=off"
args_none="-p:BenchMlops=off -p:RunAnalyzers=false"

# One build; prints "wall_s cpu_s corecompile_ms". CPU time (user + system of dotnet and every
# process it waited for: MSBuild's nodes and csc) moves less than wall clock when other work shares
# the machine, so both are kept.
build() {
  local args=$1 log times
  log=$(mktemp)
  times=$(mktemp)
  local TIMEFORMAT='%R %U %S'
  if ! { time dotnet build --no-restore --no-incremental -nologo -clp:PerformanceSummary $args $extra >"$log" 2>&1; } 2>"$times"; then
    cat "$log" >&2
    echo "build failed: dotnet build $args" >&2
    exit 1
  fi
  local compile
  compile=$(grep -E '^\s+[0-9]+ ms\s+CoreCompile\s' "$log" | head -n 1 | awk '{print $1}')
  awk -v c="${compile:-0}" '{ printf "%.2f %.2f %s\n", $1, $2 + $3, c }' "$times"
  rm -f "$log" "$times"
}

echo "warm-up: one build of each"
for config in on off none; do
  var="args_$config"
  build "${!var}" >/dev/null
done

results="$work/results.tsv"
printf 'round\tconfig\twall_s\tcpu_s\tcorecompile_ms\n' >"$results"
for round in $(seq 1 "$rounds"); do
  for config in on off none; do
    var="args_$config"
    read -r wall cpu compile < <(build "${!var}")
    printf '%s\t%s\t%s\t%s\t%s\n' "$round" "$config" "$wall" "$cpu" "$compile" | tee -a "$results"
  done
done

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
column_of() { awk -F'\t' -v c="$1" -v k="$2" 'NR > 1 && $2 == c { print $k }' "$results"; }
echo
echo "medians over $rounds rounds"
printf '%-6s %8s %8s %16s\n' config wall_s cpu_s corecompile_ms
for config in on off none; do
  printf '%-6s %8s %8s %16s\n' $config "$(column_of $config 3 | median)" "$(column_of $config 4 | median)" "$(column_of $config 5 | median)"
done
# The overhead of each round (on against the off build next to it), then the median of those.
echo
for k in 3 4 5; do
  name=$(awk -F'\t' -v k=$k 'NR == 1 { print $k }' "$results")
  overhead=$(awk -F'\t' -v k=$k 'NR > 1 { v[$1, $2] = $k; r[$1] = 1 } END { for (i in r) if (v[i, "off"] > 0) printf "%.1f\n", (v[i, "on"] - v[i, "off"]) / v[i, "off"] * 100 }' "$results")
  printf 'Mlops analyzers + generator, %s: per-round overhead %s%%; median %s%%\n' "$name" \
    "$(echo "$overhead" | sort -n | paste -sd' ')" "$(echo "$overhead" | median)"
done

echo
echo "ReportAnalyzer (one 'on' build, -p:ReportAnalyzer=true -v:detailed):"
dotnet build --no-restore --no-incremental -nologo -v:detailed -p:ReportAnalyzer=true $extra >"$work/report-analyzer.log" 2>&1
# The compiler prints its tables in the Csc task's output; keep the totals and the Mlops rows.
grep -E '^\s*(Total (analyzer|generator) execution time|[0-9.]+\s+(<1|[0-9]+)\s+Mlops\.)' "$work/report-analyzer.log" \
  | sed -E 's/^\s+//; s/ \((MLOPS0001|MLOPS1)[^)]*\)$//' | awk '!seen[$0]++' | tee "$work/report-analyzer.txt"
echo
echo "raw figures: $results; full ReportAnalyzer log: $work/report-analyzer.log"
