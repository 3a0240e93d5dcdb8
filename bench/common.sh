# Shared by the bench scripts (source it after setting OUT, REPO and PYTHON): logging, the load
# average, tool checks and the machine description each results folder keeps.

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" | tee -a "$OUT/run.log" >&2; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

# need_tools TOOL...: stops the script when a tool is missing.
need_tools() {
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing" >&2; exit 1; }
    done
}

# machine_info MODULE...: date, CPU, memory, OS, dotnet, Python with the versions of MODULEs, commit; to $OUT/machine.txt.
machine_info() {
    {
        echo "date $(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "cpu $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"
        echo "memory $(free -g | awk '/Mem:/ {print $2}') GiB"
        echo "os $(. /etc/os-release && echo "$PRETTY_NAME")"
        echo "dotnet $(dotnet --version)"
        echo "python $("$PYTHON" -c 'import importlib, sys; print(sys.version.split()[0], *[f"{m} {importlib.import_module(m).__version__}" for m in sys.argv[1:]])' "$@")"
        echo "commit $(git -C "$REPO" rev-parse --short HEAD)"
    } | tee "$OUT/machine.txt" >&2
}
