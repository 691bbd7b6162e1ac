# SPDX-License-Identifier: MIT
"""NBDS fragment reassembly end to end through the CLI: fragment sets are
written with `mailslot encode` (no real capture has NBDS fragments), then
`decode --json` must print each fragment and one extra "reassembled" object
whose payload is the unfragmented datagram, and `check` must raise the F-
rules for duplicate, overlapping, incomplete and never-completed sets."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from common import CLI, Failures  # noqa: E402

BASE = {"nbdgm": {"type": 17, "flags": 2, "id": 0x4242, "src_ip": "192.0.2.20",
                  "src_name": "FRAGHOST<00>", "dst_name": "MSLAB<00>"},
        "ip": {"src": "192.0.2.20", "dst": "192.0.2.255"},
        "mailslot": {"name": "\\MAILSLOT\\FRAGTEST", "data": "".join(f"{i % 256:02x}" for i in range(300))}}


def run(args, text=None):
    return subprocess.run([CLI, *args], input=text, capture_output=True, timeout=60)


def whole_payload():
    p = run(["encode", "--hex", "-"], json.dumps(BASE).encode())
    assert p.returncode == 0, p.stderr
    return bytes.fromhex(p.stdout.decode().strip())


def objects(spec, ud):
    """spec: list of (piece index or (offset, octets), time)."""
    objs = []
    for off, data, first, more, t, fid, src in spec:
        nb = dict(BASE["nbdgm"], flags=(0x02 if first else 0) | (0x01 if more else 0),
                  offset=off, id=fid, src_name=src, user_data=data.hex())
        objs.append({"time": t, "ip": BASE["ip"], "udp": {"srcport": 138, "dstport": 138}, "nbdgm": nb})
    return "".join(json.dumps(o) + "\n" for o in objs).encode()


def pcap(tmp, name, text):
    path = os.path.join(tmp, name + ".pcap")
    p = run(["encode", "-w", path, "-"], text)
    assert p.returncode == 0, p.stderr
    return path


def decode(path):
    p = run(["decode", "--json", "-q", path])
    return [json.loads(l) for l in p.stdout.decode().splitlines()], p.stderr.decode()


def check_rules(path):
    p = run(["check", "--json", path])
    return [json.loads(l)["rule"] for l in p.stdout.decode().splitlines()], p.returncode


def main():
    fails = Failures()
    whole = whole_payload()
    ud = whole[82:]
    a, b, c = ud[:100], ud[100:250], ud[250:]
    F, S = "FRAGHOST<00>", 0x4242
    cases = {
        "in_order": [(0, a + b, True, True, 1.0, S, F), (250, c, False, False, 1.1, S, F)],
        "out_of_order": [(250, c, False, False, 1.0, S, F), (0, a, True, True, 1.1, S, F),
                         (100, b, False, True, 1.2, S, F)],
        "duplicate": [(0, a, True, True, 1.0, S, F), (0, a, True, True, 1.1, S, F),
                      (100, b + c, False, False, 1.2, S, F)],
        "overlap": [(0, a + b, True, True, 1.0, S, F), (200, bytes(len(ud) - 200), False, False, 1.1, S, F)],
        "missing_middle": [(0, a, True, True, 1.0, S, F), (250, c, False, False, 1.1, S, F),
                           (0, a, True, False, 9.0, 0x9999, "OTHER<00>")],
        "never_completed": [(0, a, True, True, 1.0, S, F)],
        "two_sources_same_id": [(0, a + b, True, True, 1.0, S, F), (0, a + b, True, True, 1.0, S, "OTHER<00>"),
                                (250, c, False, False, 1.1, S, "OTHER<00>"), (250, c, False, False, 1.2, S, F)],
    }
    want_joined = whole[:1] + bytes([whole[1]]) + whole[2:]
    with tempfile.TemporaryDirectory() as tmp:
        for name, spec in cases.items():
            path = pcap(tmp, name, objects(spec, ud))
            objs, err = decode(path)
            joined = [o for o in objs if o.get("reassembled")]
            plain = [o for o in objs if not o.get("reassembled")]
            rules, rc = check_rules(path)
            if len(plain) != len(spec):
                fails.add(f"{name}: {len(plain)} fragment objects for {len(spec)} fragments")
            complete = name in ("in_order", "out_of_order", "duplicate", "two_sources_same_id")
            if complete:
                n = 2 if name == "two_sources_same_id" else 1
                if len(joined) != n:
                    fails.add(f"{name}: {len(joined)} reassembled objects, want {n}")
                    continue
                j = joined[-1]
                if bytes.fromhex(j["payload"]) != want_joined:
                    fails.add(f"{name}: reassembled payload differs from the unfragmented datagram")
                if j.get("mailslot", {}).get("data") != BASE["mailslot"]["data"]:
                    fails.add(f"{name}: reassembled mailslot data differs")
                if "error" in j:
                    fails.add(f"{name}: reassembled datagram has error {j['error']}")
                frames = sorted(j["fragments"])
                if name == "out_of_order" and j["fragments"] != [2, 3, 1]:
                    fails.add(f"{name}: fragments {j['fragments']}, want data order [2, 3, 1]")
                if not frames or max(frames) != j["frame"]:
                    fails.add(f"{name}: frame {j['frame']} is not the last fragment's {frames}")
                # encode skips the reassembled object: the round trip stays frame for frame.
                text = "".join(json.dumps(o) + "\n" for o in objs).encode()
                back = os.path.join(tmp, name + "-back.pcap")
                p = run(["encode", "-w", back, "-"], text)
                bobjs, _ = decode(back)
                if [o["payload"] for o in bobjs if not o.get("reassembled")] != [o["payload"] for o in plain]:
                    fails.add(f"{name}: encode did not skip the reassembled object")
            elif joined:
                fails.add(f"{name}: reassembled although incomplete")
            expect = {"in_order": [], "out_of_order": [], "duplicate": ["F-04"], "overlap": ["F-01"],
                      "missing_middle": ["F-03"], "never_completed": ["F-03"],
                      "two_sources_same_id": []}[name]
            for r in expect:
                if r not in rules:
                    fails.add(f"{name}: check did not report {r} (got {rules})")
            for r in ("F-01", "F-02", "F-03", "F-04", "F-05"):
                if r in rules and r not in expect:
                    fails.add(f"{name}: check reported {r} unexpectedly")
            if "N-05" not in rules:
                fails.add(f"{name}: fragments not reported as N-05")
            if name == "missing_middle" and "timeout" not in " ".join(rules + [err]) and "F-03" not in rules:
                fails.add(f"{name}: no timeout reported")
            if name == "never_completed" and "F-03" not in err:
                fails.add(f"{name}: decode did not say the set never completed: {err!r}")
    fails.finish(f"fragments: {len(cases)} sets checked")


if __name__ == "__main__":
    main()
