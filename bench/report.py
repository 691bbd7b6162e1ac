# SPDX-License-Identifier: MIT
"""Turns bench/run.sh's raw timings (one row per run, file and tool) and the
callgrind profiles into docs/PERFORMANCE.md: medians, the ratio to the floor
measured in the same run, peak RSS, and where the instructions go."""
import argparse
import datetime
import os
import platform
import re
import statistics
import subprocess
from collections import defaultdict

TOOLS = [
    ("floor", "floor (libpcap read loop, counts UDP/138)"),
    ("check", "`mailslot check -q`"),
    ("decode_json", "`mailslot decode --json`"),
    ("decode_text", "`mailslot decode` (text)"),
    ("decode_stats", "`mailslot decode --stats`"),
    ("tshark", "`tshark -Y udp.port==138 -T fields`"),
]
TARGETS = {"check": 1.0, "decode_json": 2.0}


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def git(root, *args):
    try:
        return subprocess.run(["git", "-C", root, *args], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def frames_in(cli, path):
    p = subprocess.run([cli, "decode", "--stats", path], capture_output=True, text=True)
    m = re.search(r"(\d+) frames read.*?(\d+) datagrams decoded", p.stderr)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def callgrind(path, top):
    """Total instructions and the `top` functions by self cost."""
    if not os.path.exists(path):
        return 0, []
    p = subprocess.run(["callgrind_annotate", "--inclusive=no", path], capture_output=True,
                       text=True)
    total, funcs = 0, []
    for line in p.stdout.splitlines():
        m = re.match(r"\s*([\d,]+)\s+(?:\([\d.]+%\)\s+)?(.*?)\s*$", line)
        if not m:
            continue
        n = int(m.group(1).replace(",", ""))
        what = m.group(2)
        if "PROGRAM TOTALS" in what:
            total = n
        elif total and what and len(funcs) < top:
            fn = what.split(":", 1)[-1].split(" [")[0]
            lib = re.search(r"\[(.*?)\]", what)
            where = os.path.basename(lib.group(1)) if lib else what.split(":", 1)[0]
            funcs.append((n, fn, os.path.basename(where)))
    return total, funcs


def fmt_ms(us):
    return f"{us / 1000:.1f}" if us < 100000 else f"{us / 1000:.0f}"


def main():
    ap = argparse.ArgumentParser()
    for a in ("results", "profile", "cli", "root", "corpora", "out"):
        ap.add_argument("--" + a, required=True)
    ap.add_argument("--runs", type=int, required=True)
    o = ap.parse_args()

    rows = defaultdict(dict)   # (file, tool) -> run -> (us, rss)
    for line in open(o.results):
        run, f, tool, us, rss = line.rstrip("\n").split("\t")
        rows[(f, tool)][int(run)] = (int(us), int(rss))
    files = []
    for (f, _t) in rows:
        if f not in files:
            files.append(f)
    files.sort(key=lambda f: (int(re.search(r"mix-(\d+)", f).group(1)), f.endswith("ng")))

    out = []
    w = out.append
    commit = git(o.root, "rev-parse", "--short", "HEAD")
    dirty = " (with uncommitted changes)" if git(o.root, "status", "--porcelain", "--",
                                                 "src", "tools", "include", "bench") else ""
    w("# Performance")
    w("")
    w("Written by `bench/run.sh` (see README, \"Benchmarks\"); do not edit by hand.")
    w("")
    w("| | |")
    w("| --- | --- |")
    w(f"| machine | {cpu_model()}, {os.cpu_count()} cores, Linux {platform.release()} |")
    ran = datetime.datetime.fromtimestamp(os.path.getmtime(o.results), datetime.timezone.utc)
    w(f"| date | {ran.strftime('%Y-%m-%d %H:%M UTC')} (end of the timed runs) |")
    w(f"| commit | {commit}{dirty} |")
    w(f"| runs | {o.runs}, interleaved (every tool on every file, then the next run); medians |")
    w("| corpora | `bench/gen.c`, seed 138: browser 57 %, NETLOGON 22 %, other mailslots 21 %; "
      "+3 % ARP/DNS/TCP/other UDP; pcapng via `editcap -F pcapng` |")
    w("")
    w("Time is wall-clock for the whole process (start-up included, output to "
      "/dev/null); *ratio* is the tool's time over the floor's time in the same run "
      "(median over runs); RSS is the largest peak resident set seen (`/usr/bin/time "
      "-f %M`); *ns/dgram over floor* is (tool − floor) / datagrams, the cost of "
      "our decoding on top of reading the file.")
    w("")
    w("| file | frames | tool | median ms | runs min–max ms | × floor | frames/s "
      "| ns/dgram over floor | peak RSS KiB |")
    w("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    skipped_tshark = []
    verdicts = []
    for f in files:
        frames, dgrams = frames_in(o.cli, os.path.join(o.corpora, f))
        floor = rows.get((f, "floor"), {})
        for tool, label in TOOLS:
            r = rows.get((f, tool))
            if not r:
                continue
            med = statistics.median(us for us, _ in r.values())
            ratios = [r[k][0] / floor[k][0] for k in r if k in floor]
            ratio = statistics.median(ratios)
            rss = max(x for _, x in r.values())
            fps = frames / (med / 1e6) if med else 0
            over = ""
            if tool != "floor" and dgrams:
                over = f"{(med - statistics.median(u for u, _ in floor.values())) * 1000 / dgrams:.0f}"
            lo = min(us for us, _ in r.values())
            hi = max(us for us, _ in r.values())
            w(f"| {f} | {frames} | {label} | {fmt_ms(med)} | {fmt_ms(lo)}–{fmt_ms(hi)} "
              f"| {ratio:.2f} | {fps / 1e6:.2f} M | {over} | {rss} |")
            if tool in TARGETS:
                verdicts.append((f, tool, ratio, TARGETS[tool]))
        if (f, "tshark") not in rows:
            skipped_tshark.append(f)
    w("")
    if skipped_tshark:
        w(f"tshark was not run on {', '.join(skipped_tshark)}: at its ~30 k frames/s "
          "that is over half a minute per file and run.")
        w("")
    w("Targets (issue 6), from this run:")
    w("")
    for tool, limit in TARGETS.items():
        v = [x for x in verdicts if x[1] == tool]
        worst = max(v, key=lambda x: x[2]) if v else None
        if worst:
            met = all(x[2] <= limit for x in v)
            w(f"- `{tool}` ≤ {limit} × floor: {'met' if met else 'NOT met'} "
              f"(worst {worst[2]:.2f} on {worst[0]})")
    for f in files:
        t = rows.get((f, "tshark"))
        if not t or "100000." not in f:
            continue
        tmed = statistics.median(us for us, _ in t.values())
        for tool, want in (("check", 100), ("decode_json", 50)):
            if (f, tool) in rows:
                med = statistics.median(us for us, _ in rows[(f, tool)].values())
                w(f"- `{tool}` vs tshark on {f}: {tmed / med:.0f} × faster (issue: ≥ {want} ×)")
    big = files[-2:] if files else []
    for tool in ("check", "decode_json"):
        per = []
        for f in big:
            fl = rows.get((f, "floor"))
            r = rows.get((f, tool))
            n = int(re.search(r"mix-(\d+)", f).group(1))
            if fl and r:
                per.append((statistics.median(u for u, _ in r.values())
                            - statistics.median(u for u, _ in fl.values())) * 1000 / n)
        if per:
            w(f"- decoding well under 100 ns per datagram (`{tool}`, over the floor, "
              f"{' and '.join(big)}): {'met' if max(per) < 100 else 'NOT met'} "
              f"({' / '.join(f'{x:.0f}' for x in per)} ns)")
    rss = [max(x for _, x in rows[(f, t)].values()) for f in files
           for t in ("check", "decode_json", "decode_text", "decode_stats") if (f, t) in rows]
    if rss:
        w(f"- peak RSS < 16 MiB and flat: {'met' if max(rss) < 16384 else 'NOT met'} "
          f"({min(rss)}–{max(rss)} KiB over every file and subcommand)")
    w("")
    w("## Where the time goes")
    w("")
    w("Instruction counts from `valgrind --tool=callgrind` on mix-100000.pcap "
      "(deterministic, unlike the wall clock on a shared machine; perf's hardware "
      "counters are not available in this VM).")
    w("")
    _fr, dg = frames_in(o.cli, os.path.join(o.corpora, "mix-100000.pcap"))
    floor_total, _ = callgrind(os.path.join(o.profile, "floor.out"), 0)
    w("| program | instructions | per datagram | over the floor, per datagram |")
    w("| --- | ---: | ---: | ---: |")
    tops = {}
    for tag in ("floor", "check", "decode_json", "decode_text"):
        total, funcs = callgrind(os.path.join(o.profile, f"{tag}.out"), 12)
        tops[tag] = (total, funcs)
        if total and dg:
            w(f"| {tag} | {total:,} | {total / dg:.0f} | "
              f"{(total - floor_total) / dg:.0f} |")
    for tag in ("check", "decode_json"):
        total, funcs = tops[tag]
        if not total:
            continue
        w("")
        w(f"`{tag}`, functions by own instructions:")
        w("")
        w("| share | per datagram | function | object |")
        w("| ---: | ---: | --- | --- |")
        for n, fn, where in funcs:
            w(f"| {100 * n / total:.1f} % | {n / dg:.0f} | `{fn}` | {where} |")
    notes = os.path.join(o.root, "bench", "NOTES.md")
    if os.path.exists(notes):
        w("")
        w(open(notes).read().rstrip())
    with open(o.out, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
