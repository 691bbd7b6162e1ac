# SPDX-License-Identifier: MIT
"""Query NDJSON written by `mailslot listen --json` / `decode --json`.

  interop_json.py count FILE [KEY=VALUE ...]   number of objects matching all
  interop_json.py values FILE KEY [KEY=VALUE ...]  KEY of each match, one a line
  interop_json.py show FILE                     one short line per object

KEY is a dotted path as in docs/decode-json.md (browser.command,
nbdgm.src_name, mailslot.name, ip.dst, ...), matched exactly from the top
of the object: an object without that path does not match (whatever the
VALUE, an empty one included), and `values` prints nothing for it. VALUE
compares as a number when both sides are numbers (0x.. allowed), else as a
string, case-insensitively for names; mailslot.data / payload compare as
hex; JSON null matches "null". Lines that are not JSON objects are ignored.
"""
import json
import sys


def load(path):
    out = []
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                line = line.strip()
                if not line.startswith("{"):
                    continue
                try:
                    obj = json.loads(line)
                except ValueError:
                    continue
                if isinstance(obj, dict):
                    out.append(obj)
    except FileNotFoundError:
        pass
    return out


MISSING = object()


def get(obj, path):
    """The value at the exact dotted path, or MISSING."""
    cur = obj
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return MISSING
        cur = cur[part]
    return cur


def as_int(v):
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, str):
        try:
            return int(v, 0)
        except ValueError:
            return None
    return None


def equal(have, want, key):
    if have is MISSING:
        return False
    if have is None:
        return want == "null"
    hi, wi = as_int(have), as_int(want)
    if isinstance(have, int) and wi is not None:
        return hi == wi
    if isinstance(have, list):
        return want in [str(x) for x in have]
    h = str(have)
    if key.endswith(("data", "payload")):
        return h.replace(" ", "").lower() == want.replace(" ", "").lower()
    return h.lower() == want.lower()


def matches(obj, conds):
    return all(equal(get(obj, k), v, k) for k, v in conds)


def parse_conds(args):
    conds = []
    for a in args:
        k, sep, v = a.partition("=")
        if not sep:
            raise SystemExit(f"bad condition {a!r} (KEY=VALUE)")
        conds.append((k, v))
    return conds


def short(o):
    return " ".join(str(x) for x in (
        get(o, "ip.src"), "->", get(o, "ip.dst"), get(o, "nbdgm.type"),
        get(o, "nbdgm.src_name"), "->", get(o, "nbdgm.dst_name"), get(o, "mailslot.name"),
        "cmd", get(o, "browser.command"), "size", get(o, "mailslot.size"))
        if x is not MISSING)


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    cmd, path = argv[1], argv[2]
    objs = load(path)
    if cmd == "count":
        print(sum(1 for o in objs if matches(o, parse_conds(argv[3:]))))
        return 0
    if cmd == "values":
        key, conds = argv[3], parse_conds(argv[4:])
        for o in objs:
            v = get(o, key)
            if v is not MISSING and matches(o, conds):
                print(json.dumps(v) if isinstance(v, (dict, list)) else v)
        return 0
    if cmd == "show":
        for o in objs:
            print(short(o))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
