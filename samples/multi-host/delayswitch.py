#!/usr/bin/env python3
"""A learning Ethernet switch in user space that holds every frame for a fixed delay.

rehearsal.sh uses it instead of the kernel bridge when the kernel has no netem qdisc
(CONFIG_NET_SCH_NETEM unset) and a delay is asked for. It runs inside the bridge namespace
and forwards between the bridge-side ends of the veth pairs through AF_PACKET sockets.

PACKET_VNET_HDR passes the kernel's offload header through untouched, so a TCP segment
of 64 KiB that veth hands over unsegmented (TSO/GSO) leaves as the same segment; nothing is
re-segmented or checksummed here. Frames leave in arrival order (one constant delay), so TCP
sees no reordering. Standard library only.

usage: delayswitch.py --delay-ms D IFACE IFACE [IFACE ...]
Prints "ready" on stdout once every port is bound; exits on SIGTERM/SIGINT.
"""
import argparse
import collections
import select
import signal
import socket
import sys
import time

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_VNET_HDR = 15
PACKET_OUTGOING = 4  # a frame this host sent: our own forwarding, seen again on the port
VNET_HDR_LEN = 10    # struct virtio_net_hdr


def main() -> int:
    parser = argparse.ArgumentParser(description="user-space delaying Ethernet switch (see rehearsal.sh)")
    parser.add_argument("--delay-ms", type=float, required=True, help="one-way delay added to every frame, ms")
    parser.add_argument("ports", nargs="+", help="interfaces to switch between (in this network namespace)")
    args = parser.parse_args()
    if args.delay_ms < 0 or len(args.ports) < 2:
        parser.error("need --delay-ms >= 0 and at least two ports")
    delay = args.delay_ms / 1000.0

    socks = []
    for name in args.ports:
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.setsockopt(SOL_PACKET, PACKET_VNET_HDR, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8 << 20)
        s.bind((name, ETH_P_ALL))
        s.setblocking(False)
        socks.append(s)

    stop = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.append(True))

    port_of_mac = {}                 # learned: source MAC -> port index
    pending = collections.deque()    # (due time, out port or -1 = flood, in port, frame)
    fileno = {s.fileno(): i for i, s in enumerate(socks)}
    print("ready", flush=True)

    while not stop:
        timeout = None if not pending else max(0.0, pending[0][0] - time.monotonic())
        try:
            readable, _, _ = select.select(socks, [], [], timeout)
        except InterruptedError:
            continue
        now = time.monotonic()
        for s in readable:
            port = fileno[s.fileno()]
            for _ in range(256):  # bounded, so that due frames are not held back by a busy port
                try:
                    frame, addr = s.recvfrom(1 << 17)
                except BlockingIOError:
                    break
                if addr[2] == PACKET_OUTGOING or len(frame) < VNET_HDR_LEN + 14:
                    continue
                eth = frame[VNET_HDR_LEN:]
                dst, src = eth[0:6], eth[6:12]
                if not src[0] & 1:
                    port_of_mac[src] = port
                out = -1 if dst[0] & 1 else port_of_mac.get(dst, -1)
                pending.append((now + delay, out, port, frame))
        now = time.monotonic()
        while pending and pending[0][0] <= now:
            _, out, port, frame = pending.popleft()
            targets = [out] if out >= 0 else [i for i in range(len(socks)) if i != port]
            for i in targets:
                if i == port:
                    continue
                # a full send buffer: wait for room rather than drop (a drop would only cost a TCP
                # retransmit, but the rehearsal emulates delay, not loss)
                while True:
                    try:
                        socks[i].send(frame)
                        break
                    except BlockingIOError:
                        select.select([], [socks[i]], [], 1.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
