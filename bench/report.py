# SPDX-License-Identifier: MIT
"""Turns bench/run.sh's raw timings (one row per run, file and tool) and the
callgrind profiles into docs/PERFORMANCE.md: medians, the ratio to the floor
measured in the same run, peak RSS, and where the instructions go; then the
live part (bench/live.sh's rows: receive and send against their floors).
With --live-only the capture part of the existing file is kept and only the
live part (everything from its marker on) is replaced."""
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
    m = re.search(r"(\d+) frames? read.*?(\d+) datagrams? decoded", p.stderr)
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


LIVE_BEGIN = "<!-- live part: bench/live.sh -->"
NOTES_BEGIN = "<!-- notes: bench/NOTES.md -->"
RECV_PATHS = [
    ("floor", "floor (`recvmmsg` × 64, 32 MiB buffer, counts)"),
    ("lib", "library (`ms_server_read_any`, catch-all mailslot)"),
    ("cli", "`mailslot listen --stats` (text to /dev/null)"),
    ("cli_json", "`mailslot listen --stats --json` (to /dev/null)"),
]
SEND_PATHS = [
    ("floor", "floor (`sendmmsg` × 32 of one datagram, connected)"),
    ("lib", "library (`ms_client_write` per message)"),
    ("lib_many", "library (`ms_client_write_many`, all N in one call)"),
    ("cli", "`mailslot send --repeat N --interval 0 -q` (as root: from 138 through a raw socket)"),
    ("cli_udp", "`mailslot send --repeat N --interval 0 -q --sport ephemeral` (a UDP socket)"),
    ("cli_verbose", "`mailslot send --repeat N --interval 0` (a line per message, stderr to /dev/null)"),
]
LIVE_TARGET = 0.8


def med(xs):
    return statistics.median(xs) if xs else 0


def live_section(path, root, runs, secs):
    rows = []
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        if len(f) == 10:
            rows.append(f)
    offer = {r[1]: int(r[4]) for r in rows if r[0] == "offer"}
    load = {r[1]: r[9] for r in rows if r[0] == "load"}
    recv = defaultdict(dict)   # (env, path) -> run -> (sent, got, secs, cpu, note)
    send = defaultdict(dict)
    for r in rows:
        if r[0] in ("recv", "send"):
            v = (int(r[5]), int(r[6]), float(r[7]), float(r[8]), r[9])
            (recv if r[0] == "recv" else send)[(r[1], r[2])][int(r[3])] = v
    out = []
    w = out.append
    commit = git(root, "rev-parse", "--short", "HEAD")
    dirty = " (with uncommitted changes)" if git(root, "status", "--porcelain", "--",
                                                 "src", "tools", "include", "bench") else ""
    ran = datetime.datetime.fromtimestamp(os.path.getmtime(path), datetime.timezone.utc)
    w(LIVE_BEGIN)
    w("")
    w("## Live receive and send")
    w("")
    w("Written by `bench/run.sh` (`bench/live.sh`, also alone: `bench/run.sh --live-only`); "
      "do not edit by hand.")
    w("")
    w("| | |")
    w("| --- | --- |")
    w(f"| machine | {cpu_model()}, {os.cpu_count()} cores, Linux {platform.release()} |")
    w(f"| date | {ran.strftime('%Y-%m-%d %H:%M UTC')} (end of the runs) |")
    w(f"| commit | {commit}{dirty} |")
    if load:
        w(f"| load average | {load.get('before', '?')} before, {load.get('after', '?')} after "
          "(1, 5, 15 min; the machine is shared) |")
    w("| links | *loopback*: `lo` of a network namespace of its own, 127.0.0.1; *veth*: "
      "a veth pair between two namespaces, 192.0.2.1 → 192.0.2.2 |")
    w("| datagram | DIRECT_UNIQUE `LIVEGEN<00>` → `BENCH<00>`, `\\MAILSLOT\\BENCH`, 100 data "
      "octets, built by `ms_client_build` (`bench/live_gen.c`); each copy carries a fresh "
      "counter, so the duplicate filter keeps every one |")
    w("| offered load | " + ", ".join(f"{e} {offer[e]:,}/s" for e in offer) +
      ": 0.9 × the highest rate the floor received without loss in 1 s trials at "
      "100 k … 800 k/s (the rate the generator achieved) |")
    w(f"| duration | {secs} s of load per run, {runs} runs interleaved; medians |")
    w("")
    w("### Receive")
    w("")
    w("Every receiver gets the same offered load for the same time from `live_gen` "
      "(paced `sendmmsg`). *sent/s* is what the generator got out (it can fall short of the "
      "offered load when the machine is busy), *received/s* = received ÷ the load's "
      "duration, *loss* = (sent − received) ÷ sent, *CPU* = the receiver's user + system "
      "time ÷ the load's duration (`/usr/bin/time`; idle before and after costs nothing), "
      "*CPU µs/dgram* = that time ÷ datagrams received. *× floor* = the share of the sent "
      "datagrams this path received ÷ the share the floor received in the same run (at "
      "one offered load, the ratio of their rates, without the generator's run-to-run "
      "wobble); *CPU × floor* = CPU µs/dgram ÷ the floor's. The library and the CLI keep "
      "their duplicate filter and queue bounds on; both decode every datagram, the CLI "
      "also formats it.")
    w("")
    w("| link | path | offered/s | sent/s | received/s | loss % (worst run) | CPU % "
      "| CPU µs/dgram | CPU × floor | × floor |")
    w("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    verdicts = []
    for env in ("loopback", "veth"):
        fl = recv.get((env, "floor"), {})
        fl_us = med([1e6 * c / g for (_x, g, _s, c, _n) in fl.values() if g])
        for p, label in RECV_PATHS:
            r = recv.get((env, p))
            if not r:
                continue
            sent_s = med([x / s for (x, _g, s, _c, _n) in r.values() if s])
            rate = med([g / s for (_x, g, s, _c, _n) in r.values() if s])
            loss = [100 * (x - g) / x for (x, g, _s, _c, _n) in r.values() if x]
            cpu = med([100 * c / s for (_x, _g, s, c, _n) in r.values() if s])
            us = med([1e6 * c / g for (_x, g, _s, c, _n) in r.values() if g])
            ratios = [(r[k][1] / r[k][0]) / (fl[k][1] / fl[k][0]) for k in r
                      if k in fl and fl[k][1] and r[k][0] and fl[k][0]]
            ratio = med(ratios)
            w(f"| {env} | {label} | {offer.get(env, 0):,} | {sent_s:,.0f} | {rate:,.0f} "
              f"| {med(loss):.3f} ({max(loss):.3f}) | {cpu:.0f} | {us:.2f} "
              f"| {us / fl_us if fl_us else 0:.2f} | {ratio:.2f} |")
            if p in ("lib", "cli"):
                verdicts.append((env, p, ratio, max(loss)))
    w("")
    w("### Send")
    w("")
    w("Each sender writes the same 100 octets N times as fast as it can, to a `live_floor` "
      "sink in the receiving namespace; time is wall-clock around the whole process "
      "(start-up included), CPU the sender's user + system time (the sending core also "
      "runs much of the receive side in softirq). *× floor* = datagrams/s over the "
      "floor's in the same run (median over runs): the target; *CPU × floor* = CPU µs per "
      "datagram over the floor's, which a busy machine moves much less.")
    w("")
    w("| link | path | datagrams | seconds | datagrams/s | CPU % | CPU µs/dgram | CPU × floor "
      "| sink received | × floor |")
    w("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for env in ("loopback", "veth"):
        fl = send.get((env, "floor"), {})
        fl_us = med([1e6 * c / x for (x, _g, _s, c, _n) in fl.values() if x])
        for p, label in SEND_PATHS:
            r = send.get((env, p))
            if not r:
                continue
            n = med([x for (x, *_r) in r.values()])
            sec = med([s for (_x, _g, s, _c, _n) in r.values()])
            rate = med([x / s for (x, _g, s, _c, _n) in r.values() if s])
            cpu = med([100 * c / s for (_x, _g, s, c, _n) in r.values() if s])
            got = min(g for (_x, g, *_r) in r.values())
            ratios = [(r[k][0] / r[k][2]) / (fl[k][0] / fl[k][2]) for k in r
                      if k in fl and r[k][2] and fl[k][2]]
            ratio = med(ratios)
            us = med([1e6 * c / x for (x, _g, _s, c, _n) in r.values() if x])
            w(f"| {env} | {label} | {n:,.0f} | {sec:.2f} | {rate:,.0f} | {cpu:.0f} | {us:.2f} "
              f"| {us / fl_us if fl_us else 0:.2f} | {got:,} (fewest) | {ratio:.2f} |")
            if p in ("lib", "lib_many", "cli"):
                verdicts.append((env, "send " + p, ratio, None))
    w("")
    w(f"Targets (issue 6), from this run (≥ {LIVE_TARGET:.0%} of the floor; receive: "
      "with no loss at the offered load):")
    w("")
    for env, p, ratio, loss in verdicts:
        if loss is None:
            ok = ratio >= LIVE_TARGET
            w(f"- {env}, {p}: {'met' if ok else 'NOT met'} ({ratio:.3f} × floor)")
        else:
            ok = ratio >= LIVE_TARGET and loss == 0
            w(f"- {env}, receive {p}: {'met' if ok else 'NOT met'} ({ratio:.3f} × floor, "
              f"worst loss {loss:.3f} %)")
    notes = os.path.join(root, "bench", "LIVE_NOTES.md")
    if os.path.exists(notes):
        w("")
        w(open(notes).read().rstrip())
    return out


def fmt_ms(us):
    return f"{us / 1000:.1f}" if us < 100000 else f"{us / 1000:.0f}"


def main():
    ap = argparse.ArgumentParser()
    for a in ("results", "profile", "cli", "corpora"):
        ap.add_argument("--" + a)
    for a in ("root", "out"):
        ap.add_argument("--" + a, required=True)
    ap.add_argument("--runs", type=int)
    ap.add_argument("--live", help="bench/live.sh's results")
    ap.add_argument("--live-runs", type=int, default=0)
    ap.add_argument("--live-seconds", type=float, default=0)
    ap.add_argument("--live-only", action="store_true",
                    help="keep the capture part of --out as it is, replace its live part")
    o = ap.parse_args()
    live = []
    if o.live and os.path.exists(o.live):
        live = live_section(o.live, o.root, o.live_runs, o.live_seconds)
    if o.live_only:
        old = open(o.out).read() if os.path.exists(o.out) else "# Performance\n"
        head = old.split(LIVE_BEGIN)[0].rstrip("\n")
        # The capture part ends with bench/NOTES.md: that text is taken as
        # it is now (it may have changed since the numbers were written).
        notes = os.path.join(o.root, "bench", "NOTES.md")
        if os.path.exists(notes):
            text = open(notes).read().rstrip()
            first = text.splitlines()[0] if text else ""
            if NOTES_BEGIN in head:
                head = head.split(NOTES_BEGIN)[0] + NOTES_BEGIN + "\n\n" + text
            elif first and first in head:
                head = head[:head.index(first)] + NOTES_BEGIN + "\n\n" + text
        with open(o.out, "w") as f:
            f.write(head + "\n\n" + "\n".join(live) + "\n")
        return
    for a in ("results", "profile", "cli", "corpora", "runs"):
        if getattr(o, a) is None:
            ap.error(f"--{a} is needed without --live-only")

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
        w(NOTES_BEGIN)
        w("")
        w(open(notes).read().rstrip())
    if live:
        w("")
        out.extend(live)
    with open(o.out, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
