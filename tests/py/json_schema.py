# SPDX-License-Identifier: MIT
"""docs/decode-json.md documents every JSON key the CLI emits, and nothing
else. The key paths (nested objects joined with ".", array elements as
"path[]") of

  * decode --json  on every capture (../shared/captures and captures/) and on
    frames built here from the project's own test material: the whole-datagram
    vectors of tests/support/vectors.h, the fuzz seed corpora (message,
    validate), the browser vectors of tests/codec/test_browser.c and the NETLOGON
    vectors of tests/codec/test_netlogon.c wrapped as mailslot writes, plus a few
    hand-made frames for keys only malformed or rare input produces (written
    with `mailslot encode`, or as pcap records for IPv4 fragments and a
    snapshot-length cut);
  * check --json and hosts --json on the same inputs;
  * listen --json on loopback (an authenticated write, when the build has
    MAILSLOT_AUTH) and on a local mailslot;
  * lookup --json and lookup -A --json against the fake name server on
    127.0.0.1 (tests/py/nbns_fake_peer.py);
  * browse --json against a fake master browser on 127.0.0.1 (below) whose
    backup list names a host the fake name server knows and one it denies;

are compared with the paths of the tables in docs/decode-json.md: a path
emitted but not documented fails, a documented path that no input emits
fails (unless it is in NEVER_EMITTED below, with its reason). Every tshark
field the doc names must exist in `tshark -G fields` (skip or fail without
tshark). How the doc is read is described in its last section.

--paths prints the emitted paths with counts and exits (for editing the doc).
"""
import glob
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter

sys.path.insert(0, os.path.dirname(__file__))
from common import CLI, SRC, Failures, all_captures, skip_or_fail  # noqa: E402

DOC = os.path.join(SRC, "docs", "decode-json.md")

# Documented paths that no input here can produce, with the reason.
NEVER_EMITTED = {
}

STREAMS = ("decode", "check", "hosts", "listen-local", "lookup", "lookup-status", "browse")


# ---- reading the doc --------------------------------------------------------

def doc_paths():
    """{stream: {path: line number}} from the doc's tables, and the tshark
    field names the doc names (every name in backticks in a row's last
    cell)."""
    paths = {s: {} for s in STREAMS}
    tshark = set()
    stream = None
    row = re.compile(r"^\|\s*`([^`]+)`\s*\|")
    with open(DOC, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            m = re.match(r"^<!--\s*paths:\s*([\w-]+)\s*-->", line)
            if m:
                stream = m.group(1)
                if stream not in paths:
                    raise SystemExit(f"{DOC}:{n}: unknown stream '{stream}'")
                continue
            m = row.match(line)
            if not m or stream is None:
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            path = m.group(1)
            if path in paths[stream]:
                raise SystemExit(f"{DOC}:{n}: {path} documented twice for {stream}")
            paths[stream][path] = n
            tshark.update(re.findall(r"`([^`]+)`", cells[-1]))
    return paths, tshark


# ---- collecting emitted paths -----------------------------------------------

def walk(v, path, out):
    if isinstance(v, dict):
        if path:
            out[path] += 1
        for k, x in v.items():
            walk(x, f"{path}.{k}" if path else k, out)
    elif isinstance(v, list):
        out[path] += 1
        for x in v:
            walk(x, path + "[]", out)
    else:
        out[path] += 1


def run(args, stdin=None, env=None, timeout=120):
    return subprocess.run([CLI, *args], input=stdin, capture_output=True, timeout=timeout,
                          env=env)


def ndjson(data, what):
    objs = []
    for line in data.decode("utf-8").splitlines():
        if line.strip():
            try:
                objs.append(json.loads(line))
            except ValueError as e:
                raise AssertionError(f"{what}: not JSON ({e}): {line[:200]}")
    return objs


# ---- inputs built from the project's own material ----------------------------

def c_hex(text):
    """The hex digits of a run of C string literals."""
    return bytes.fromhex("".join(re.findall(r'"([0-9a-fA-F ]*)"', text)).replace(" ", ""))


def vector_payloads():
    text = open(os.path.join(SRC, "tests", "support", "vectors.h")).read()
    for m in re.finditer(r"static const char (\w+)\[\] =\s*((?:\"[0-9a-f]*\"\s*)+);", text):
        yield m.group(1), c_hex(m.group(2))


def corpus_payloads():
    for kind, skip in (("message", 0), ("validate", 2)):
        for p in sorted(glob.glob(os.path.join(SRC, "fuzz", "corpus", kind, "*"))):
            with open(p, "rb") as f:
                data = f.read()[skip:]
            if data:
                yield f"fuzz/corpus/{kind}/{os.path.basename(p)}", data


def browser_vectors():
    text = open(os.path.join(SRC, "tests", "codec", "test_browser.c")).read()
    for m in re.finditer(r'HAND\("([^"]+)",\s*(true|false),\s*((?:"[0-9a-fA-F ]*"\s*)+)', text):
        yield m.group(1), m.group(2) == "true", c_hex(m.group(3))


def netlogon_vectors():
    text = open(os.path.join(SRC, "tests", "codec", "test_netlogon.c")).read()
    for m in re.finditer(r"#define (V_\w+)\s*\\\s*((?:\"[0-9a-fA-F]*\"\s*\\?\s*)+)", text):
        yield m.group(1), c_hex(m.group(2))


NB = {"type": 17, "flags": 2, "id": 0x5151, "src_ip": "192.0.2.30",
      "src_name": "SCHEMA<00>", "dst_name": "MSLAB<1d>"}
WIRE = {"ip": {"src": "192.0.2.30", "dst": "192.0.2.255"}, "udp": {"srcport": 138, "dstport": 138}}


def write_obj(nbdgm=None, **top):
    o = dict(WIRE)
    o["nbdgm"] = dict(NB, **(nbdgm or {}))
    o.update(top)
    return o


def slot(name, data, nbdgm=None, trans=None):
    o = write_obj(nbdgm, mailslot={"name": name, "data": data.hex()})
    if trans:
        o["trans"] = trans
    return o


def built_objects():
    """NDJSON objects for `mailslot encode`."""
    objs = []
    sources = {"tests/support/vectors.h": list(vector_payloads()),
               "fuzz/corpus/{message,validate}": list(corpus_payloads()),
               "tests/codec/test_browser.c HAND()": list(browser_vectors()),
               "tests/codec/test_netlogon.c V_*": list(netlogon_vectors())}
    for where, items in sources.items():
        if not items:  # the test's own reading of the sources has rotted
            raise AssertionError(f"no vectors found in {where}: update json_schema.py")
    for _, p in sources["tests/support/vectors.h"] + sources["fuzz/corpus/{message,validate}"]:
        objs.append(dict(WIRE, payload=p.hex()))
    for _, lanman, data in sources["tests/codec/test_browser.c HAND()"]:
        objs.append(slot("\\MAILSLOT\\LANMAN" if lanman else "\\MAILSLOT\\BROWSE", data))
    for _, data in sources["tests/codec/test_netlogon.c V_*"]:
        objs.append(slot("\\MAILSLOT\\NET\\NETLOGON", data, {"type": 16, "dst_name": "PDC1<00>"}))
    # Keys only rare or malformed frames produce.
    objs += [
        # DATAGRAM ERROR (0x13) and a query request (0x14) with junk after it.
        write_obj(payload="1302000ac0000214008a82"),
        dict(WIRE, payload="1402000bc0000214008a"
             "20454e4542454546454e45424543414341434143414341434143414341434141410000ff"),
        # The redirector's padding before the data, and octets after it.
        slot("\\MAILSLOT\\SCHEMA", b"hi", trans={"pad": "000000", "trailing": "ee"}),
        # A setup list of 2 words: no mailslot.class.
        slot("\\MAILSLOT\\SCHEMA", b"two", trans={"setup_count": 2, "setup": [1, 0]}),
        # ResetStateRequest; browser strings without their NUL; a backup
        # list whose last name runs to the end.
        slot("\\MAILSLOT\\BROWSE", bytes.fromhex("0e01")),
        slot("\\MAILSLOT\\BROWSE", bytes.fromhex("0e04ffff")),
        slot("\\MAILSLOT\\BROWSE", bytes.fromhex("0f000000000041424300000000000000000000000000"
                                                "0601030000000f0155aa") + b"no nul"),
        slot("\\MAILSLOT\\BROWSE", bytes.fromhex("0c000000000041414141414141414141414141414141"
                                                "030a0010008000000000") + b"LMB"),
        slot("\\MAILSLOT\\BROWSE", bytes.fromhex("0a0201000000") + b"ONE\0TWO"),
        # A NETLOGON opcode without a structured layout.
        slot("\\MAILSLOT\\NET\\NETLOGON", bytes.fromhex("0300") + b"raw body",
             {"type": 16, "dst_name": "PDC1<00>"}),
        # A NETLOGON layout with octets before its token.
        slot("\\MAILSLOT\\NET\\NETLOGON", b"\x06\x00\\\\PDC1\x00\xab\xcd\xff\xff",
             {"type": 16, "dst_name": "PDC1<00>"}),
    ]
    return objs


def pcap_bytes(records, snaplen=65535):
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, 1)
    for i, (frame, orig) in enumerate(records):
        out += struct.pack("<IIII", 1800000000 + i, 0, len(frame), orig) + frame
    return out


def eth_ipv4(udp_payload, ident, frag=None):
    """Ethernet + IPv4 + UDP 138 -> 138; frag = list of (offset, length)."""
    udp = struct.pack(">HHHH", 138, 138, 8 + len(udp_payload), 0) + udp_payload
    pieces = frag or [(0, len(udp))]
    frames = []
    for off, n in pieces:
        more = off + n < len(udp)
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + n, ident,
                         (0x2000 if more else 0) | off // 8, 64, 17, 0,
                         bytes([192, 0, 2, 30]), bytes([192, 0, 2, 255]))
        frames.append(b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x1e\x08\x00" + ip + udp[off:off + n])
    return frames


def build_inputs(tmp):
    """Write the crafted inputs; returns their paths and how many frames
    they hold."""
    objs = built_objects()
    built = os.path.join(tmp, "built.pcap")
    p = run(["encode", "-w", built, "-"], "".join(json.dumps(o) + "\n" for o in objs).encode())
    if p.returncode != 0:
        raise AssertionError(f"encode: exit {p.returncode}: {p.stderr.decode()[:500]}")
    # NBDS fragments (RFC 1002 §4.4): two halves of one datagram's user data.
    p = run(["encode", "--hex", "-"], json.dumps(slot("\\MAILSLOT\\SCHEMA", bytes(range(200)))).encode())
    whole = bytes.fromhex(p.stdout.decode().split()[0])
    ud = whole[82:]
    frag_objs = []
    for off, first, more in ((0, True, True), (100, False, False)):
        nb = dict(NB, flags=(2 if first else 0) | (1 if more else 0), offset=off,
                  user_data=ud[off:off + 100].hex() if more else ud[off:].hex())
        frag_objs.append(dict(WIRE, time=1800000100 + off / 1000, nbdgm=nb))
    frags = os.path.join(tmp, "nbds-fragments.pcap")
    p = run(["encode", "-w", frags, "-"], "".join(json.dumps(o) + "\n" for o in frag_objs).encode())
    if p.returncode != 0:
        raise AssertionError(f"encode fragments: {p.stderr.decode()[:500]}")
    # IPv4 fragments, and a record cut by the file's snapshot length.
    ipfr = eth_ipv4(whole, 77, [(0, 96), (96, len(whole) + 8 - 96)])
    cut = eth_ipv4(whole, 78)[0]
    path = os.path.join(tmp, "ipv4.pcap")
    with open(path, "wb") as f:
        f.write(pcap_bytes([(ipfr[0], len(ipfr[0])), (ipfr[1], len(ipfr[1])),
                            (cut[:120], len(cut))]))
    return [built, frags, path], len(objs) + len(frag_objs) + 3


# ---- live: listen --json -----------------------------------------------------

def listen_objects(tmp):
    """Objects printed by listen --json: an authenticated write over loopback
    (when built with MAILSLOT_AUTH) and a local mailslot write."""
    out = []
    env = dict(os.environ, MAILSLOT_DIR=os.path.join(tmp, "slots"))
    os.makedirs(env["MAILSLOT_DIR"], mode=0o700, exist_ok=True)
    # Local.
    lp = subprocess.Popen([CLI, "listen", "--json", "--count", "1", "--timeout", "10",
                           "\\\\.\\mailslot\\schema"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=env)
    try:
        for _ in range(50):
            s = run(["send", "--to", "\\\\.", "--slot", "\\MAILSLOT\\schema", "--data", "hi"],
                    env=env)
            if s.returncode == 0:
                break
            time.sleep(0.1)
        so, se = lp.communicate(timeout=15)
    finally:
        if lp.poll() is None:
            lp.kill()
            lp.wait()
    local = ndjson(so, "listen (local)")
    if not local:
        raise AssertionError(f"listen (local) printed nothing: {se.decode()[:300]}")
    out += [("listen-local", o) for o in local]
    # Network, authenticated when the build can.
    auth = False
    cache = os.path.join(os.path.dirname(CLI), "..", "CMakeCache.txt")
    try:
        auth = "MAILSLOT_AUTH:BOOL=ON" in open(cache).read()
    except OSError:
        pass
    key = []
    if auth:
        kf = os.path.join(tmp, "key")
        with open(kf, "w") as f:
            f.write("id 5\nkey " + "11" * 32 + "\n")
        os.chmod(kf, 0o600)
        key = ["--key-file", kf]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    lp = subprocess.Popen([CLI, "listen", "--json", "--count", "1", "--timeout", "10",
                           "--bind", "127.0.0.1", "--port", str(port), *key],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        time.sleep(0.3)
        got, se = b"", b""
        for _ in range(20):
            run(["send", "-q", "--to", "127.0.0.1", "--name", "PEER<00>", "--slot",
                 "\\MAILSLOT\\schema", "--port", str(port), "--data", "hello", *key])
            try:
                got, se = lp.communicate(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                continue
    finally:
        if lp.poll() is None:
            lp.kill()
            lp.wait()
    net = ndjson(got, "listen (network)")
    if not net:
        raise AssertionError(f"listen (network) printed nothing: {se.decode()[:300]}")
    out += [("decode", o) for o in net]
    return out, auth


# ---- live: lookup --json against the fake name server -------------------------

def lookup_objects(tmp):
    """Objects printed by lookup --json (every kind of answer the fake peer
    gives: several, a group, more than 25 entries, negative) and by
    lookup -A --json, over 127.0.0.1."""
    pf = os.path.join(tmp, "nbns.port")
    peer = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(__file__),
                                                          "nbns_fake_peer.py"),
                             "--port-file", pf, "--seconds", "30"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    out = []
    try:
        for _ in range(50):
            if os.path.exists(pf):
                break
            time.sleep(0.1)
        port = open(pf).read().strip()
        base = ["lookup", "--json", "--port", port, "--timeout", "300"]
        for args, stream in ((["-B", "127.0.0.1", "LABPEER"], "lookup"),
                             (["-B", "127.0.0.1", "BIG<1c>"], "lookup"),
                             (["-B", "127.0.0.1", "MIXED"], "lookup"),
                             (["--wins", "127.0.0.1", "MSLAB<1e>"], "lookup"),
                             (["-A", "127.0.0.1"], "lookup-status")):
            p = run([*base, *args])
            objs = ndjson(p.stdout, f"lookup {' '.join(args)}")
            if p.returncode != 0 or not objs:
                raise AssertionError(f"lookup {' '.join(args)}: exit {p.returncode}, "
                                     f"{p.stderr.decode()[:300]}")
            out += [(stream, o) for o in objs]
    finally:
        peer.kill()
        peer.wait()
    return out


# ---- live: browse --json against a fake master browser ------------------------

def fake_master(sock, stop):
    """Answer each GetBackupListRequest (opcode 9) on sock with a
    GetBackupListResponse naming LABPEER and GHOST, token copied, from
    FAKEMASTER<00> to the requester's name, as a mailslot write built here
    with struct (not with the library under test)."""
    def nb(raw16):
        return bytes([32]) + bytes(0x41 + (c >> 4) if i % 2 == 0 else 0x41 + (c & 15)
                                   for c in raw16 for i in range(2)) + b"\0"
    sock.settimeout(0.2)
    while not stop.is_set():
        try:
            pkt, peer = sock.recvfrom(2048)
        except socket.timeout:
            continue
        if len(pkt) < 82 + 86 + 6 or pkt[82 + 86] != 9:
            continue
        token = pkt[82 + 86 + 2:82 + 86 + 6]
        data = bytes([10, 2]) + token + b"LABPEER\0GHOST\0"
        slot = b"\\MAILSLOT\\BROWSE\0"
        words = struct.pack("<BHHHHBBHIHHHHHBBHHH", 17, 0, len(data), 0, 0, 0, 0, 0, 1000, 0, 0, 0,
                            len(data), 70 + 16, 3, 0, 1, 1, 2)
        smb = b"\xffSMB\x25" + bytes(27) + words + struct.pack("<H", len(slot) + len(data)) + \
            slot + data
        src = nb(b"FAKEMASTER".ljust(15) + b"\0")
        dgram = struct.pack(">BBH4sHHH", 0x10, 0x0A, 7, socket.inet_aton("127.0.0.1"), 138,
                            68 + len(smb), 0) + src + pkt[14:48] + smb
        sock.sendto(dgram, peer)


def browse_objects(tmp):
    """Objects printed by browse --json: one master, a backup resolved by
    the fake name server and one it denies (unresolved)."""
    pf = os.path.join(tmp, "nbns2.port")
    peer = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(__file__),
                                                          "nbns_fake_peer.py"),
                             "--port-file", pf, "--seconds", "30"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    stop = threading.Event()
    t = threading.Thread(target=fake_master, args=(sock, stop), daemon=True)
    t.start()
    try:
        for _ in range(50):
            if os.path.exists(pf):
                break
            time.sleep(0.1)
        args = ["browse", "--json", "-q", "--to", "127.0.0.1", "--port", str(sock.getsockname()[1]),
                "--sport", "ephemeral", "--wins", "127.0.0.1", "--nbns-port",
                open(pf).read().strip(), "--wait", "1", "MSLAB"]
        p = run(args)
        objs = ndjson(p.stdout, "browse")
        if p.returncode != 0 or len(objs) != 1 or \
                [b.get("address") for b in objs[0]["backups"]] != ["127.0.0.1", None]:
            raise AssertionError(f"browse: exit {p.returncode}, {objs}, {p.stderr.decode()[:300]}")
        return [("browse", o) for o in objs]
    finally:
        stop.set()
        t.join()
        sock.close()
        peer.kill()
        peer.wait()


# ---- main ---------------------------------------------------------------------

def main():
    show = "--paths" in sys.argv
    fails = Failures()
    emitted = {s: Counter() for s in STREAMS}
    inputs = all_captures()
    fields = set()  # the "field" of every finding
    t0 = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        built, nframes = build_inputs(tmp)
        for path in inputs + built:
            for stream, args in (("decode", ["decode", "--json", "-q"]),
                                 ("check", ["check", "--json", "-q"]),
                                 ("hosts", ["hosts", "--json", "-q"])):
                p = run([*args, path])
                if p.returncode not in (0, 1, 3):
                    fails.add(f"{' '.join(args)} {path}: exit {p.returncode}")
                for o in ndjson(p.stdout, f"{args[0]} {path}"):
                    walk(o, "", emitted[stream])
                    if stream == "check":
                        fields.add(o["field"])
                    for f in o.get("problems", []) if stream == "decode" else []:
                        fields.add(f["field"])
        live, auth = listen_objects(tmp)
        for stream, o in live + lookup_objects(tmp) + browse_objects(tmp):
            walk(o, "", emitted[stream])
    if show:
        for s in STREAMS:
            for k, v in sorted(emitted[s].items()):
                print(s, k, v)
        return
    documented, tshark_fields = doc_paths()
    never = dict(NEVER_EMITTED)
    if not auth:
        never[("decode", "auth")] = never[("decode", "auth.key_id")] = \
            never[("decode", "auth.time")] = "built without MAILSLOT_AUTH"
    n_doc = 0
    for s in STREAMS:
        for path in sorted(emitted[s]):
            if path not in documented[s]:
                fails.add(f"{s} --json emits '{path}' ({emitted[s][path]} times); "
                          f"docs/decode-json.md does not document it")
        for path, line in sorted(documented[s].items()):
            n_doc += 1
            if path not in emitted[s] and (s, path) not in never:
                fails.add(f"docs/decode-json.md:{line}: '{path}' ({s}) is never emitted "
                          f"by any input")
    # Findings name decode paths: those seen, and the rule catalogue's.
    p = run(["check", "--list-rules", "--markdown"])
    catalogue = set(re.findall(r"^\|[^|]*\|[^|]*\| `([^`]+)` \|", p.stdout.decode(), re.M))
    if not catalogue:
        fails.add("check --list-rules --markdown: no fields found")
    for f in sorted(fields | catalogue):
        if f not in documented["decode"]:
            fails.add(f"a finding names field '{f}'"
                      f"{' (rule catalogue)' if f in catalogue else ''}, "
                      f"which is not a documented decode path")
    for (s, path), why in sorted(never.items()):
        if path in emitted[s]:
            fails.add(f"NEVER_EMITTED lists '{path}' ({s}) but it was emitted: remove it")
    # tshark fields named by the doc.
    have_tshark = shutil.which("tshark") is not None
    if have_tshark:
        p = subprocess.run(["tshark", "-G", "fields"], capture_output=True, timeout=300)
        known = set()
        for line in p.stdout.decode("utf-8", "replace").splitlines():
            cols = line.split("\t")
            if len(cols) > 2 and cols[0] in ("F", "P"):
                known.add(cols[2])
        for f in sorted(tshark_fields):
            if f not in known:
                fails.add(f"docs/decode-json.md names tshark field '{f}', "
                          f"which `tshark -G fields` does not list")
    fails.finish(f"json schema: {n_doc} documented paths, "
                 f"{sum(len(e) for e in emitted.values())} emitted, {len(inputs)} captures + "
                 f"{nframes} built frames + listen; {len(tshark_fields)} tshark fields "
                 f"{'checked' if have_tshark else 'NOT checked'}; {time.time() - t0:.1f} s")
    if not have_tshark:
        skip_or_fail("tshark is not installed: the doc's tshark fields were not checked")


if __name__ == "__main__":
    main()
