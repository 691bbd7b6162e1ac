#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A stand-in for mailslotd(8) for the command-line tests (daemon_clients.sh):
it speaks the control protocol of include/codec/mailslot/control.h on
DIR/control (one message per SOCK_SEQPACKET packet) and plays the
network on a UDP socket of 127.0.0.1:PORT.

  HELLO -> WELCOME (--name, repeatable; default FAKEHOST<00>, WORKGROUP<00>)
  CREATE -> RESULT: one creator per mailslot name (case-insensitive),
            MS_ERR_EXISTS for a name another connection created; MODE 1
            (SLOT "*") makes the connection a monitor
  DELETE -> RESULT;  STATUS -> STATUS_REPLY {"fake": true, ...}
  SEND -> the datagram goes out of the UDP socket to DST_IP:DST_PORT as
          the host's: SOURCE_IP 127.0.0.1, SOURCE_PORT the socket's, the
          source name SRC_NAME when it is one of the names, else the first
          (RESULT says which, with SRC_NAME and SRC_IP); its TOKEN is
          remembered for the connection; then every --replay-pcap datagram
          is taken as if it had come in
  a datagram on the UDP socket -> DELIVER to the creator of the mailslot
          it names, a copy (F_COPY) to every monitor, and, for a
          GetBackupListResponse on \\MAILSLOT\\BROWSE, to the connection
          whose SEND carried its Token (F_REPLY); SLOT is the name the
          datagram writes to, as the real daemon sends it

Every message from a program is one JSON line in --log. --deny-monitors
refuses monitors (mailslotd allows them to root only). --stall accepts
connections and never reads them; --garbage answers HELLO with octets
that are no message. SIGTERM ends it and removes the socket file. Only
loopback is used."""
import argparse
import json
import os
import selectors
import signal
import socket
import struct
import sys
import time

HELLO, WELCOME, CREATE, DELETE, RESULT, DELIVER, SEND, STATUS, STATUS_REPLY = range(1, 10)
NAMES = {1: "hello", 2: "welcome", 3: "create", 4: "delete", 5: "result", 6: "deliver",
         7: "send", 8: "status", 9: "status_reply"}
A_VERSION, A_STATUS, A_TEXT, A_SLOT, A_MODE, A_QUEUE_MAX, A_DATAGRAM = range(1, 8)
A_SRC_IP, A_SRC_PORT, A_DST_IP, A_DST_PORT, A_TIME_NS, A_IFINDEX, A_TOKEN = range(8, 15)
A_NAME, A_JSON, A_PID, A_FLAGS, A_SRC_NAME, A_VIA, A_DROPPED = range(15, 22)
INTS = {A_VERSION: "H", A_STATUS: "I", A_MODE: "B", A_QUEUE_MAX: "I", A_SRC_IP: "I",
        A_SRC_PORT: "H", A_DST_IP: "I", A_DST_PORT: "H", A_TIME_NS: "Q", A_IFINDEX: "I",
        A_TOKEN: "I", A_PID: "I", A_FLAGS: "I", A_VIA: "B", A_DROPPED: "Q"}
MS_OK, MS_ERR_INVALID_ARG, MS_ERR_EXISTS = 0, 3, 22  # MS_STATUS_MAP order (status.h)
F_COPY, F_REPLY = 1, 2


def encode(mtype, attrs):
    """attrs: list of (type, value): ints by INTS, bytes as they are."""
    out = b"MSD" + bytes([1]) + struct.pack(">HH", mtype, 0)
    for t, v in attrs:
        if t in INTS:
            v = struct.pack(">" + INTS[t], v)
        out += struct.pack(">HH", t, len(v)) + v
    return out


def decode(pkt):
    if len(pkt) < 8 or pkt[:3] != b"MSD" or pkt[3] != 1:
        raise ValueError("not a control message")
    mtype = struct.unpack(">H", pkt[4:6])[0]
    attrs, pos = {}, 8
    while pos < len(pkt):
        t, n = struct.unpack(">HH", pkt[pos:pos + 4])
        v = pkt[pos + 4:pos + 4 + n]
        if len(v) != n:
            raise ValueError("truncated attribute")
        pos += 4 + n
        if t in INTS:
            v = struct.unpack(">" + INTS[t], v)[0]
        attrs.setdefault(t, v)
    return mtype, attrs


def ip_text(n):
    return socket.inet_ntoa(struct.pack(">I", n))


def ip_num(text):
    return struct.unpack(">I", socket.inet_aton(text))[0]


def skip_name(b, pos):
    while b[pos]:
        pos += 1 + b[pos]
    return pos + 1


def mailslot_of(dg):
    """(name, data) of an NBDS direct/group datagram with an SMB write."""
    try:
        pos = skip_name(dg, skip_name(dg, 14))
        smb = dg[pos:]
        words = struct.unpack("<17H", smb[33:33 + 34])
        dcount, doff = words[11], words[12]
        rest = smb[33 + 34 + 2:]
        name = rest[:rest.index(b"\0")].decode("latin-1")
        return name, smb[doff:doff + dcount]
    except (IndexError, ValueError, struct.error):
        return None, b""


def nb_encode(text):
    """NAME<xx> -> the 34 octets of a first-level encoded name, no scope."""
    name, suffix = text[:-4], int(text[-3:-1], 16)
    raw = name.upper().encode().ljust(15)[:15] + bytes([suffix])
    return bytes([32]) + bytes(c for b in raw for c in (65 + (b >> 4), 65 + (b & 15))) + b"\0"


def as_host(dg, name, port):
    """The datagram as the daemon sends it: its address, port and name."""
    if len(dg) < 48 or dg[14] != 32 or dg[47] != 0:
        return dg
    return dg[:4] + socket.inet_aton("127.0.0.1") + struct.pack(">H", port) + dg[10:14] + \
        nb_encode(name) + dg[48:]


def pcap_payloads(path):
    """UDP payloads of an Ethernet/IPv4 pcap (as `mailslot send -w` writes)."""
    with open(path, "rb") as f:
        data = f.read()
    pos, out = 24, []
    while pos + 16 <= len(data):
        incl = struct.unpack("<I", data[pos + 8:pos + 12])[0]
        frame = data[pos + 16:pos + 16 + incl]
        pos += 16 + incl
        ihl = (frame[14] & 15) * 4
        out.append(frame[14 + ihl + 8:])
    return out


class Fake:
    def __init__(self, a):
        self.a = a
        self.sel = selectors.DefaultSelector()
        self.path = os.path.join(a.dir, "control")
        if os.path.exists(self.path):
            os.unlink(self.path)
        self.lsock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.lsock.bind(self.path)
        os.chmod(self.path, 0o666)
        self.lsock.listen(16)
        self.sel.register(self.lsock, selectors.EVENT_READ, "listen")
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", a.udp_port))
        self.sel.register(self.udp, selectors.EVENT_READ, "udp")
        self.conns = {}   # socket -> {"monitor": bool, "tokens": set}
        self.owner = {}   # lower-case name -> (socket, name as created)
        self.replay = [p for f in a.replay_pcap for p in pcap_payloads(f)]
        self.log = open(a.log, "a", buffering=1) if a.log else None

    def note(self, **kv):
        if self.log:
            self.log.write(json.dumps(kv, sort_keys=True) + "\n")

    def reply(self, s, mtype, attrs):
        try:
            s.send(encode(mtype, [(A_VERSION, 1)] + attrs))
        except OSError:
            pass

    def result(self, s, status, text=None):
        self.reply(s, RESULT, [(A_STATUS, status)] + ([(A_TEXT, text.encode())] if text else []))

    def deliver(self, s, slot, dg, src, dst, flags):
        self.reply(s, DELIVER, [(A_SLOT, slot.encode("latin-1")), (A_DATAGRAM, dg),
                                (A_SRC_IP, ip_num(src[0])), (A_SRC_PORT, src[1]),
                                (A_DST_IP, ip_num(dst[0])), (A_DST_PORT, dst[1]),
                                (A_TIME_NS, time.time_ns()), (A_IFINDEX, 1), (A_VIA, 0),
                                (A_FLAGS, flags), (A_DROPPED, 0)])

    def route(self, dg, src, dst):
        name, data = mailslot_of(dg)
        if name is None:
            self.note(msg="unroutable", src=src[0])
            return
        owner = self.owner.get(name.lower())
        if owner:
            self.deliver(owner[0], owner[1], dg, src, dst, 0)
        for s, c in self.conns.items():
            if c["monitor"]:
                self.deliver(s, name, dg, src, dst, F_COPY)
        if name.lower() == "\\mailslot\\browse" and data[:1] == b"\x0a" and len(data) >= 6:
            token = struct.unpack("<I", data[2:6])[0]
            for s, c in self.conns.items():
                if token in c["tokens"] and (not owner or owner[0] is not s):
                    self.deliver(s, name, dg, src, dst, F_REPLY)
        self.note(msg="routed", slot=name, owner=bool(owner))

    def create(self, s, at):
        slot = at.get(A_SLOT, b"").decode("latin-1")
        self.note(msg="create", slot=slot, mode=at.get(A_MODE, 0), queue_max=at.get(A_QUEUE_MAX))
        if at.get(A_MODE, 0) == 1 and self.a.deny_monitors:
            return self.result(s, MS_ERR_INVALID_ARG,
                               "a monitor sees every mailslot's messages: root only")
        if at.get(A_MODE, 0) == 1:
            self.conns[s]["monitor"] = True
            return self.result(s, MS_OK)
        held = self.owner.get(slot.lower())
        if held and held[0] is not s:
            return self.result(s, MS_ERR_EXISTS, "another program created " + slot)
        self.owner[slot.lower()] = (s, slot)
        self.result(s, MS_OK)

    def send(self, s, at):
        dg = at.get(A_DATAGRAM, b"")
        dst = (ip_text(at.get(A_DST_IP, 0)), at.get(A_DST_PORT, 0))
        token = at.get(A_TOKEN)
        self.note(msg="send", dst_ip=dst[0], dst_port=dst[1], token=token,
                  src_name=at.get(A_SRC_NAME, b"").decode("latin-1") or None,
                  slot=mailslot_of(dg)[0], datagram=dg.hex())
        if token is not None:
            self.conns[s]["tokens"].add(token)
        asked = at.get(A_SRC_NAME, b"").decode("latin-1")
        name = asked if asked in self.a.name else self.a.name[0]
        try:
            self.udp.sendto(as_host(dg, name, self.a.udp_port), dst)
        except OSError as e:
            self.note(msg="sendto failed", error=str(e))
        self.reply(s, RESULT, [(A_STATUS, MS_OK), (A_SRC_NAME, name.encode()),
                               (A_SRC_IP, ip_num("127.0.0.1"))])
        for r in self.replay:
            self.route(r, ("127.0.0.1", 138), ("127.0.0.1", 138))

    def handle(self, s, pkt):
        mtype, at = decode(pkt)
        if mtype == HELLO:
            self.note(msg="hello", pid=at.get(A_PID), text=at.get(A_TEXT, b"").decode())
            if self.a.garbage:
                return s.send(b"NOT A CONTROL MESSAGE")
            self.reply(s, WELCOME, [(A_NAME, n.encode()) for n in self.a.name] +
                       [(A_TEXT, b"fake mailslotd")])
        elif mtype == CREATE:
            self.create(s, at)
        elif mtype == DELETE:
            slot = at.get(A_SLOT, b"").decode("latin-1")
            self.note(msg="delete", slot=slot)
            if self.owner.get(slot.lower(), (None,))[0] is s:
                del self.owner[slot.lower()]
            self.result(s, MS_OK)
        elif mtype == SEND:
            self.send(s, at)
        elif mtype == STATUS:
            self.note(msg="status")
            body = json.dumps({"fake": True, "names": self.a.name,
                               "slots": sorted(v[1] for v in self.owner.values())})
            self.reply(s, STATUS_REPLY, [(A_JSON, body.encode())])
        else:
            self.result(s, MS_ERR_INVALID_ARG, "not a request")

    def drop(self, s):
        self.sel.unregister(s)
        s.close()
        del self.conns[s]
        for k in [k for k, v in self.owner.items() if v[0] is s]:
            del self.owner[k]

    def ready(self, key):
        if key.data == "listen":
            s, _ = self.lsock.accept()
            self.conns[s] = {"monitor": False, "tokens": set()}
            if not self.a.stall:
                self.sel.register(s, selectors.EVENT_READ, "conn")
        elif key.data == "udp":
            dg, src = self.udp.recvfrom(65536)
            self.route(dg, src, ("127.0.0.1", self.a.udp_port))
        else:
            pkt = key.fileobj.recv(70000)
            if not pkt:
                return self.drop(key.fileobj)
            try:
                self.handle(key.fileobj, pkt)
            except ValueError as e:
                self.note(msg="bad packet", error=str(e))
                self.drop(key.fileobj)

    def run(self):
        stop = []
        signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
        signal.signal(signal.SIGINT, lambda *_: stop.append(1))
        print("ready", flush=True)
        while not stop:
            for key, _ in self.sel.select(0.2):
                self.ready(key)
        os.unlink(self.path)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dir", required=True)
    p.add_argument("--udp-port", type=int, required=True)
    p.add_argument("--name", action="append")
    p.add_argument("--log")
    p.add_argument("--replay-pcap", action="append", default=[])
    p.add_argument("--stall", action="store_true")
    p.add_argument("--deny-monitors", action="store_true")
    p.add_argument("--garbage", action="store_true")
    a = p.parse_args()
    a.name = a.name or ["FAKEHOST<00>", "WORKGROUP<00>"]
    Fake(a).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
