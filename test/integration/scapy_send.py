#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Send frames built with scapy: scapy_send.py IFACE COUNT 'EXPR' ... (EXPR is a scapy
# expression, e.g. "Ether(dst='ff:ff:ff:ff:ff:ff')/Dot1Q(vlan=300)/IP()"; "raw:HEX" sends bytes).
import sys
import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import Ether, Dot1Q, IP, IPv6, UDP, TCP, ICMP, Raw, ARP, sendp, conf  # noqa: F401
from scapy.layers.vxlan import VXLAN  # noqa: F401
from scapy.layers.l2 import GRE  # noqa: F401

conf.verb = 0
iface, count = sys.argv[1], int(sys.argv[2])
frames = []
for spec in sys.argv[3:]:
    if spec.startswith("raw:"):
        frames.append(bytes.fromhex(spec[4:]))
    else:
        frames.append(bytes(eval(spec)))
for _ in range(count):
    for f in frames:
        sendp(f, iface=iface)
