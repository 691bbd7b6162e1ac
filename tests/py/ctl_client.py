# SPDX-License-Identifier: MIT
"""A test client of mailslotd's control protocol (include/codec/mailslot/
control.h), written from the header's description: attaches over
$MAILSLOTD_DIR/control (SOCK_SEQPACKET), says HELLO, creates mailslots
(or a monitor), sends datagrams through the daemon, asks for STATUS, and
prints every message it gets as one JSON line (stdout, flushed at once):

  {"event": "welcome", "names": [...], "workgroup": "...", "pid": N}
  {"event": "result", "status": N, "text": "...", "slot": "..."}
  {"event": "deliver", "slot": "...", "datagram": HEX, "data": HEX (the
   mailslot data), "src_ip": "...",
   "src_port": N, "dst_ip": "...", "time_ns": N, "via": N, "flags": N,
   "dropped": N}
  {"event": "status", "json": {...}}
  {"event": "attached"} / {"event": "detached"}

  ctl_client.py [--create SLOT]... [--monitor] [--send HEX --to IP ...]
                [--status] [--seconds S] [--count N] [--reattach]

Every wait is bounded (--seconds, default 10; --connect-wait). With
--reattach the client attaches again (and creates its mailslots again)
when the daemon goes away, as a program does across a restart of
mailslotd. Exit 0 when it ran its time (or got --count deliveries), 1
when it could not attach, 2 for bad usage.
"""
import argparse
import json
import os
import select
import socket
import struct
import sys
import time

VERSION = 1
HELLO, WELCOME, CREATE, DELETE, RESULT, DELIVER, SEND, STATUS, STATUS_REPLY = range(1, 10)
(A_VERSION, A_STATUS, A_TEXT, A_SLOT, A_MODE, A_QUEUE_MAX, A_DATAGRAM, A_SRC_IP, A_SRC_PORT,
 A_DST_IP, A_DST_PORT, A_TIME_NS, A_IFINDEX, A_TOKEN, A_NAME, A_JSON, A_PID, A_FLAGS,
 A_SRC_NAME, A_VIA, A_DROPPED, A_WORKGROUP) = range(1, 23)
WIDTH = {A_VERSION: 2, A_STATUS: 4, A_MODE: 1, A_QUEUE_MAX: 4, A_SRC_IP: 4, A_SRC_PORT: 2,
         A_DST_IP: 4, A_DST_PORT: 2, A_TIME_NS: 8, A_IFINDEX: 4, A_TOKEN: 4, A_PID: 4,
         A_FLAGS: 4, A_VIA: 1, A_DROPPED: 8}
MODE_MONITOR = 1


def attr(t, value):
    if isinstance(value, int):
        value = value.to_bytes(WIDTH[t], "big")
    elif isinstance(value, str):
        value = value.encode("latin-1")
    return struct.pack(">HH", t, len(value)) + value


def packet(mtype, *attrs):
    return b"MSD" + bytes([VERSION]) + struct.pack(">HH", mtype, 0) + b"".join(attrs)


def decode(pkt):
    if len(pkt) < 8 or pkt[:3] != b"MSD":
        raise ValueError("not a control packet")
    mtype = struct.unpack(">H", pkt[4:6])[0]
    attrs, names, pos = {}, [], 8
    while pos + 4 <= len(pkt):
        t, n = struct.unpack(">HH", pkt[pos:pos + 4])
        v = pkt[pos + 4:pos + 4 + n]
        pos += 4 + n
        if t == A_NAME:
            names.append(v.decode("latin-1"))
        elif t in WIDTH:
            attrs[t] = int.from_bytes(v, "big")
        else:
            attrs[t] = v
    return mtype, attrs, names


def skip_name(b, pos):
    """Past one encoded NetBIOS name (labels to the zero octet)."""
    while pos < len(b) and b[pos]:
        pos += 1 + b[pos]
    return pos + 1


def mailslot_data(dgram):
    """The mailslot data of a whole datagram (b"" when it is not one): past
    the 14-octet NBDS header and both names, the transaction's DataCount and
    DataOffset (words 11 and 12 after WordCount, from the SMB header)."""
    smb = skip_name(dgram, skip_name(dgram, 14))
    if len(dgram) < smb + 59 or dgram[smb:smb + 4] != b"\xffSMB":
        return b""
    count, off = struct.unpack("<HH", dgram[smb + 55:smb + 59])
    return dgram[smb + off:smb + off + count]


def ip(v):
    return socket.inet_ntoa(v.to_bytes(4, "big"))


def text(v):
    return v.decode("latin-1") if isinstance(v, bytes) else v


def as_json(mtype, a, names):
    if mtype == WELCOME:
        return {"event": "welcome", "names": names, "workgroup": text(a.get(A_WORKGROUP, b"")),
                "pid": a.get(A_PID), "version": a.get(A_VERSION), "queue_max": a.get(A_QUEUE_MAX)}
    if mtype == RESULT:
        o = {"event": "result", "status": a.get(A_STATUS)}
        for k, key in ((A_TEXT, "text"), (A_SLOT, "slot"), (A_SRC_NAME, "src_name")):
            if k in a:
                o[key] = text(a[k])
        if A_SRC_IP in a:
            o["src_ip"] = ip(a[A_SRC_IP])
        return o
    if mtype == DELIVER:
        return {"event": "deliver", "slot": text(a.get(A_SLOT, b"")),
                "datagram": a.get(A_DATAGRAM, b"").hex(),
                "data": mailslot_data(a.get(A_DATAGRAM, b"")).hex(), "src_ip": ip(a.get(A_SRC_IP, 0)),
                "src_port": a.get(A_SRC_PORT), "dst_ip": ip(a.get(A_DST_IP, 0)),
                "dst_port": a.get(A_DST_PORT), "time_ns": a.get(A_TIME_NS),
                "ifindex": a.get(A_IFINDEX), "via": a.get(A_VIA), "flags": a.get(A_FLAGS, 0),
                "dropped": a.get(A_DROPPED)}
    if mtype == STATUS_REPLY:
        return {"event": "status", "json": json.loads(a.get(A_JSON, b"{}").decode())}
    return {"event": "other", "type": mtype}


def out(o):
    sys.stdout.write(json.dumps(o) + "\n")
    sys.stdout.flush()


class Client:
    def __init__(self, args):
        self.a = args
        self.path = os.path.join(os.environ.get("MAILSLOTD_DIR") or "/run/mailslotd", "control")
        self.s = None

    def attach(self, wait_s):
        end = time.monotonic() + wait_s
        while True:
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
                s.connect(self.path)
                break
            except OSError:
                s.close()
                if time.monotonic() >= end:
                    return False
                time.sleep(0.1)
        self.s = s
        out({"event": "attached"})
        s.send(packet(HELLO, attr(A_VERSION, VERSION), attr(A_PID, os.getpid()),
                      attr(A_TEXT, self.a.who)))
        for slot in self.a.create:
            attrs = [attr(A_SLOT, slot)]
            if self.a.queue:
                attrs.append(attr(A_QUEUE_MAX, self.a.queue))
            s.send(packet(CREATE, *attrs))
        if self.a.monitor:
            s.send(packet(CREATE, attr(A_SLOT, "*"), attr(A_MODE, MODE_MONITOR)))
        return True

    def requests(self):
        for i, hexdata in enumerate(self.a.send):
            attrs = [attr(A_DATAGRAM, bytes.fromhex(hexdata)), attr(A_DST_IP, ip_int(self.a.to)),
                     attr(A_DST_PORT, self.a.port)]
            if self.a.src_name:
                attrs.append(attr(A_SRC_NAME, self.a.src_name))
            if i < len(self.a.token) and self.a.token[i]:  # 0: no TOKEN
                attrs.append(attr(A_TOKEN, self.a.token[i]))
            self.s.send(packet(SEND, *attrs))
        if self.a.status:
            self.s.send(packet(STATUS))


def ip_int(s):
    return struct.unpack(">I", socket.inet_aton(s))[0]


def run(c, a):
    end = time.monotonic() + a.seconds
    got = 0
    while time.monotonic() < end:
        r, _, _ = select.select([c.s], [], [], min(0.2, max(0.0, end - time.monotonic())))
        if not r:
            continue
        try:
            pkt = c.s.recv(70000)
        except ConnectionResetError:
            pkt = b""
        if not pkt:
            out({"event": "detached"})
            c.s.close()
            if not a.reattach or not c.attach(max(0.0, end - time.monotonic())):
                return got
            continue
        o = as_json(*decode(pkt))
        out(o)
        if o["event"] == "deliver":
            got += 1
            if a.count and got >= a.count:
                return got
        if o["event"] == "status" and a.exit_after_status:
            return got
    return got


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--create", action="append", default=[], metavar="SLOT")
    p.add_argument("--monitor", action="store_true")
    p.add_argument("--queue", type=int, default=0, help="QUEUE_MAX asked for")
    p.add_argument("--send", action="append", default=[], metavar="HEX")
    p.add_argument("--to", default="192.0.2.255")
    p.add_argument("--port", type=int, default=138)
    p.add_argument("--src-name")
    p.add_argument("--token", action="append", type=int, default=[])
    p.add_argument("--status", action="store_true")
    p.add_argument("--exit-after-status", action="store_true")
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--count", type=int, default=0)
    p.add_argument("--connect-wait", type=float, default=5.0)
    p.add_argument("--reattach", action="store_true")
    p.add_argument("--who", default="ctl_client.py")
    a = p.parse_args()
    if a.seconds <= 0 or a.seconds > 600:
        p.error("--seconds: 0 < S <= 600")
    c = Client(a)
    if not c.attach(a.connect_wait):
        out({"event": "error", "text": f"no mailslotd at {c.path}"})
        return 1
    c.requests()
    run(c, a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
