#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Ask IP for its node status with impacket (an independent NBNS client)
and print what it decoded, one name a line ("NAME<xx> group|unique
active|conflict|..."), then "mac aa:bb:cc:dd:ee:ff".
Usage: node_status.py IP"""
import sys

from impacket.nmb import NetBIOS


def main():
    nb = NetBIOS()
    entries = nb.getnodestatus("*", sys.argv[1], timeout=3)
    for e in entries:
        name = e["NAME"].decode("latin-1").rstrip(" \0")
        flags = e["NAME_FLAGS"]
        kind = "group" if flags & 0x8000 else "unique"
        states = [s for bit, s in ((0x1000, "deregistering"), (0x0800, "conflict"),
                                   (0x0400, "active"), (0x0200, "permanent")) if flags & bit]
        print("%s<%02x> %s %s" % (name, e["TYPE"], kind, " ".join(states)))
    print("mac " + nb.getmacaddress().replace("-", ":").lower())


if __name__ == "__main__":
    main()
