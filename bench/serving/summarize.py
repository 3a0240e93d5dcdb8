"""Turns the RESULT lines of a bench/serving/run.sh results folder into the markdown tables of
docs/benchmarks.md: throughput per connection count (median of the rounds), saturation, ratios, and
latency at half of saturation. Usage: summarize.py OUT ROUNDS CONNECTION...
"""

import re
import statistics
import sys

NAMES = {"mlops": "Mlops.Server", "bare": "bare minimal API", "before": "Mlops.Server before", "python": "gunicorn + Flask + sklearn"}


def result(path):
    text = open(path, encoding="utf-8").read()
    match = re.search(r"RESULT (.*)", text)
    if not match:
        raise SystemExit(f"{path}: no RESULT line")
    values = dict(pair.split("=") for pair in match.group(1).split())
    loads = [float(line.split()[1]) for line in text.splitlines() if line.startswith("load ")]
    values = {k: float(v) for k, v in values.items()}
    cpu = re.search(r"^cpu_ticks (\d+) (\d+)$", text, re.M)
    # Server CPU seconds (all its processes) per request, in microseconds.
    values["cpu_us"] = int(cpu.group(1)) / int(cpu.group(2)) * 1e6 / max(values["requests"], 1) if cpu else float("nan")
    values["load"] = max(loads) if loads else float("nan")
    return values


def errors(r):
    return int(r["connect"] + r["read"] + r["write"] + r["timeout"] + r["status"])


def main():
    out, rounds, connections = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    listed = open(f"{out}/servers.txt", encoding="utf-8").read().split()
    servers = [s for s in NAMES if s in listed]
    python = "python" in servers
    sat, best_c = {}, {}
    print("### Throughput (req/s, median of %d rounds; min-max in brackets)\n" % rounds)
    extra = (["before / bare"] if "before" in servers else []) + (["Mlops / Python"] if python else [])
    print("| connections | " + " | ".join(NAMES[s] for s in servers) + " | Mlops / bare | " + "".join(e + " | " for e in extra))
    print("|---:|" + "---:|" * (len(servers) + 1 + len(extra)))
    loads, errs = [], 0
    for c in connections:
        medians, cells = {}, []
        for s in servers:
            runs = [result(f"{out}/sat-{s}-c{c}-r{r}.txt") for r in range(1, rounds + 1)]
            rps = [r["rps"] for r in runs]
            errs += sum(errors(r) for r in runs)
            loads += [r["load"] for r in runs]
            medians[s] = statistics.median(rps)
            cells.append(f"{medians[s]:,.0f} ({min(rps):,.0f}-{max(rps):,.0f})")
            if medians[s] > sat.get(s, 0):
                sat[s], best_c[s] = medians[s], c
        ratios = [f"{medians['mlops'] / medians['bare']:.2f}"] + ([f"{medians['before'] / medians['bare']:.2f}"] if "before" in servers else []) + ([f"{medians['mlops'] / medians['python']:.1f}"] if python else [])
        print(f"| {c} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
    ratios = [f"**{sat['mlops'] / sat['bare']:.2f}**"] + ([f"**{sat['before'] / sat['bare']:.2f}**"] if "before" in servers else []) + ([f"**{sat['mlops'] / sat['python']:.1f}**"] if python else [])
    print("| **saturation** | " + " | ".join(f"**{sat[s]:,.0f}** (c={best_c[s]})" for s in servers) + " | " + " | ".join(ratios) + " |")
    print("\n### Server CPU time per request (µs, user + system of all its processes; median of the rounds)\n")
    print("| connections | " + " | ".join(NAMES[s] for s in servers) + " | Mlops / bare |" + (" before / bare |" if "before" in servers else ""))
    print("|---:|" + "---:|" * (len(servers) + 1 + ("before" in servers)))
    for c in connections:
        cpu = {s: statistics.median(result(f"{out}/sat-{s}-c{c}-r{r}.txt")["cpu_us"] for r in range(1, rounds + 1)) for s in servers}
        print(f"| {c} | " + " | ".join(f"{cpu[s]:,.0f}" for s in servers) + f" | {cpu['mlops'] / cpu['bare']:.2f} |" + (f" {cpu['before'] / cpu['bare']:.2f} |" if "before" in servers else ""))
    print(f"\nSocket errors and non-2xx answers in all throughput runs: {errs}. "
          f"Load average (1 min) during the runs: {min(loads):.2f}-{max(loads):.2f}.\n")

    print(f"### Latency at 50 % of saturation (median of {rounds} rounds)\n")
    print("| server | target req/s | achieved req/s | connections x delay | p50 | p99 | worst p99 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for s in servers:
        runs = [result(f"{out}/lat-{s}-r{r}.txt") for r in range(1, rounds + 1)]
        target = float(open(f"{out}/target-{s}.txt", encoding="utf-8").read())
        pacing_c, pacing_d = open(f"{out}/pacing-{s}.txt", encoding="utf-8").read().split()
        p50 = statistics.median(r["p50_us"] for r in runs) / 1000
        p99 = statistics.median(r["p99_us"] for r in runs) / 1000
        worst = max(r["p99_us"] for r in runs) / 1000
        rate = statistics.median(r["rps"] for r in runs)
        print(f"| {NAMES[s]} | {target:,.0f} | {rate:,.0f} | {pacing_c} x {pacing_d} ms | {p50:.2f} ms | {p99:.2f} ms | {worst:.2f} ms |")


if __name__ == "__main__":
    main()
