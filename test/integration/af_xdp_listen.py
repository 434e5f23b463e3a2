#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Kernel-side listener for the AF_XDP tests: proves which traffic the host's own stack got.
#   af_xdp_listen.py LOG tcp:ADDR:PORT udp:ADDR:PORT ...
# Appends one line per TCP connection or UDP datagram to LOG:
#   "<proto> <local addr>:<local port> <first line of the payload>"
# and prints "listening" on stdout once every socket is bound.
import selectors
import signal
import socket
import sys

# Started in the background by a script, SIGINT arrives ignored: stop on it and SIGTERM.
signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
log = open(sys.argv[1], "a", buffering=1)
sel = selectors.DefaultSelector()
for spec in sys.argv[2:]:
    proto, addr, port = spec.split(":")
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(socket.AF_INET, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, int(port)))
    if proto == "tcp":
        s.listen(16)
    sel.register(s, selectors.EVENT_READ, proto)
print("listening", flush=True)


def record(proto, local, data):
    text = data.decode(errors="replace").splitlines()[0] if data else ""
    log.write("%s %s:%d %s\n" % (proto, local[0], local[1], text))


while True:
    for key, _ in sel.select():
        s = key.fileobj
        if key.data == "udp":
            data, _ = s.recvfrom(65535)
            record("udp", s.getsockname(), data)
        else:
            conn, _ = s.accept()
            conn.settimeout(2)
            try:
                data = conn.recv(4096)
            except OSError:
                data = b""
            record("tcp", conn.getsockname(), data)
            conn.close()
