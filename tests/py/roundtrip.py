# SPDX-License-Identifier: MIT
"""encode(decode(frame)) == frame for every UDP/138 frame of every capture,
through the CLI: once with the "payload" key, once with every "payload" key
deleted so that the decoded fields alone must carry every octet."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from common import CLI, Failures, all_captures, decode_json  # noqa: E402


def encode(objs, out):
    text = "".join(json.dumps(o) + "\n" for o in objs)
    p = subprocess.run([CLI, "encode", "-w", out, "-"], input=text.encode(),
                       capture_output=True, timeout=120)
    if p.returncode != 0:
        raise AssertionError(f"encode exit {p.returncode}: {p.stderr.decode()}")


def main():
    fails = Failures()
    total = fields_only = 0
    with tempfile.TemporaryDirectory() as tmp:
        for cap in all_captures():
            name = os.path.basename(cap)
            objs = decode_json(cap)
            if not objs:
                continue
            total += len(objs)
            # 1. with payload: the same octets come back.
            out = os.path.join(tmp, "a.pcap")
            encode(objs, out)
            back = decode_json(out)
            got = [o["payload"] for o in back]
            want = [o["payload"] for o in objs]
            if got != want:
                fails.add(f"{name}: payload round trip differs")
            # 2. fields only: every object without "error" must rebuild.
            clean = [o for o in objs if "error" not in o]
            stripped = [{k: v for k, v in o.items() if k != "payload"} for o in clean]
            out = os.path.join(tmp, "b.pcap")
            try:
                encode(stripped, out)
            except AssertionError as e:
                fails.add(f"{name}: fields-only encode failed: {e}")
                continue
            back = decode_json(out)
            for o, b in zip(clean, back):
                if o["payload"] != b["payload"]:
                    fails.add(f"{name} frame {o['frame']}: fields-only rebuild differs\n"
                              f"  want {o['payload']}\n  got  {b['payload']}")
            if len(back) != len(clean):
                fails.add(f"{name}: {len(clean)} objects in, {len(back)} frames out")
            fields_only += len(clean)
    fails.finish(f"round trip: {total} datagrams by payload, {fields_only} from fields alone")


if __name__ == "__main__":
    main()
