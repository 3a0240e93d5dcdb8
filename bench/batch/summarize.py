"""Summarises bench/batch/run.sh's results folder as Markdown: median (min-max) wall clock, CPU and
peak memory per command over the rounds, the peer's own timing of read + score + write, and the ratios.
Usage: summarize.py RESULTS_FOLDER ROUNDS"""
import os, re, statistics, sys

out, rounds = sys.argv[1], int(sys.argv[2])


def parse(name, r):
    path = os.path.join(out, f"{name}-r{r}.txt")
    if not os.path.exists(path):
        return None
    text = open(path).read()
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", text)
    seconds = (int(wall.group(1) or 0) * 3600) + int(wall.group(2)) * 60 + float(wall.group(3))
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", text).group(1))
    system = float(re.search(r"System time \(seconds\): ([\d.]+)", text).group(1))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1)) / 1024
    peer = re.search(r"read ([\d.]+) s, score ([\d.]+) s, write ([\d.]+) s, total ([\d.]+) s", text)
    inner = re.search(r" in ([\d.]+) s", text)
    load = re.search(r"load ([\d.]+ [\d.]+ [\d.]+)", text).group(1)
    return {"wall": seconds, "cpu": user + system, "rss": rss, "load": load,
            "peer": tuple(float(x) for x in peer.groups()) if peer else None,
            "inner": float(inner.group(1)) if inner else None}


def spread(values, unit, digits=2):
    values = sorted(values)
    return f"{statistics.median(values):.{digits}f} {unit} ({values[0]:.{digits}f}-{values[-1]:.{digits}f})"


names = [("mlops-lbfgs", "`mlops predict` lbfgs (published, ReadyToRun)"),
         ("mlops-lbfgs-jit", "`mlops predict` lbfgs (build output, JIT)"),
         ("mlops-lightgbm", "`mlops predict` LightGBM (published, ReadyToRun)"),
         ("sklearn", "pandas + scikit-learn (whole process)"),
         ("validate-1m", "`mlops validate` (1,000,000-row data file)"),
         ("train-1m", "`mlops train churn-1m --force`")]
results = {n: [x for x in (parse(n, r) for r in range(1, rounds + 1)) if x] for n, _ in names}
loads = sorted({x["load"] for rs in results.values() for x in rs})
print(f"Rounds: {rounds}; load average (1/5/15 min) seen before the commands: {loads[0]} to {loads[-1]}\n")
print("| command | wall clock, median (min-max) | CPU (user + system) | peak resident memory | in-process time |")
print("|---|---:|---:|---:|---:|")
for name, title in names:
    rs = results[name]
    if not rs:
        continue
    inner = [x["inner"] for x in rs if x["inner"] is not None]
    print(f"| {title} | {spread([x['wall'] for x in rs], 's')} | {spread([x['cpu'] for x in rs], 's')} | "
          f"{spread([x['rss'] for x in rs], 'MiB', 0)} | {spread(inner, 's') if inner else ''} |")
peer = [x["peer"] for x in results["sklearn"] if x["peer"]]
if peer:
    print("\nThe peer's own timing (after its imports and its training): "
          f"read {spread([p[0] for p in peer], 's')}, score {spread([p[1] for p in peer], 's')}, "
          f"write {spread([p[2] for p in peer], 's')}, total {spread([p[3] for p in peer], 's')}.")
    peer_total = statistics.median(p[3] for p in peer)
    peer_wall = statistics.median(x["wall"] for x in results["sklearn"])
    for name in ("mlops-lbfgs", "mlops-lbfgs-jit", "mlops-lightgbm"):
        if results[name]:
            wall = statistics.median(x["wall"] for x in results[name])
            print(f"- {name}: {peer_total / wall:.2f}x faster than the peer's read + score + write, "
                  f"{peer_wall / wall:.2f}x its whole process")
opens = os.path.join(out, "train-1m-opens.txt")
if os.path.exists(opens):
    print(f"\n`mlops train` opened the 1,000,000-row data file {open(opens).read().strip()} time(s) (strace).")
