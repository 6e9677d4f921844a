#!/usr/bin/env python3
"""The frames examples/net's test sends, and the feeder that sends them to QEMU.

  frames.py input OUT.pcap       (examples/net/input.pcap)
      writes the test's input frames (ARP requests, UDP datagrams of several sizes, a frame for
      another MAC, a datagram with a bad UDP checksum, ...), 1 ms of virtual time apart from 10 ms.
  frames.py echo N OUT.pcap
      N datagrams to the echo port of 64..1472 bytes and the closing one to port 9, all at 10 ms
      (the network echo bench).
  frames.py feed IN.pcap OUT.pcap CONSOLE READY QEMU_PORT MY_PORT [WINDOW]
      waits until READY appears in the file CONSOLE (the guest is up), then sends IN.pcap's
      frames to QEMU's `-netdev socket,udp=127.0.0.1:MY_PORT,localaddr=127.0.0.1:QEMU_PORT`
      (one Ethernet frame a UDP datagram) and writes the frames QEMU sends back to OUT.pcap.
      Without WINDOW: one frame at a time, 0.3 s apart (deterministic order). With WINDOW: up to
      WINDOW frames unanswered at a time (the bench); prints the seconds from the first frame
      sent to the last reply.

Written from the RFCs (826 ARP, 791 IPv4, 768 UDP, 1071 checksum) without sel4ts's code, so
that the frames and the checks are independent of the simulator.
"""
import socket
import struct
import sys
import time

GUEST_MAC = bytes.fromhex("525400123456")
PEER_MAC = bytes.fromhex("52550a000202")  # QEMU user networking's gateway
OTHER_MAC = bytes.fromhex("525400aabbcc")
GUEST_IP = bytes([10, 0, 2, 15])
PEER_IP = bytes([10, 0, 2, 2])
BROADCAST = b"\xff" * 6


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def pad(frame: bytes) -> bytes:
    """Ethernet's minimum frame (60 bytes without the FCS), as a real sender pads."""
    return frame + b"\0" * max(0, 60 - len(frame))


def arp_request(target_ip: bytes) -> bytes:
    arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + PEER_MAC + PEER_IP + b"\0" * 6 + target_ip
    return pad(BROADCAST + PEER_MAC + b"\x08\x06" + arp)


def udp_frame(payload: bytes, sport: int, dport: int, *, dst_mac=GUEST_MAC, udp_sum="good", ip_sum="good", ident=1) -> bytes:
    length = 8 + len(payload)
    pseudo = PEER_IP + GUEST_IP + struct.pack("!BBH", 0, 17, length)
    c = checksum(pseudo + struct.pack("!HHHH", sport, dport, length, 0) + payload) or 0xFFFF
    if udp_sum == "bad":
        c ^= 0x0101
    elif udp_sum == "none":
        c = 0
    udp = struct.pack("!HHHH", sport, dport, length, c) + payload
    header = struct.pack("!BBHHHBBH", 0x45, 0, 20 + len(udp), ident, 0x4000, 64, 17, 0) + PEER_IP + GUEST_IP
    h = checksum(header)
    if ip_sum == "bad":
        h ^= 0x0001
    header = header[:10] + struct.pack("!H", h) + header[12:]
    return pad(dst_mac + PEER_MAC + b"\x08\x00" + header + udp)


def payload(n: int, seed: int) -> bytes:
    return bytes((seed + 7 * i + (i >> 8)) & 0xFF for i in range(n))


def test_frames() -> list[bytes]:
    return [
        arp_request(GUEST_IP),
        arp_request(bytes([10, 0, 2, 99])),
        udp_frame(b"x", 40001, 7, ident=1),
        udp_frame(b"hello, echo server", 40002, 7, ident=2),
        udp_frame(payload(333, 3), 40003, 7, ident=3),
        udp_frame(payload(1472, 4), 40004, 7, ident=4),
        udp_frame(b"not for this MAC", 40005, 7, dst_mac=OTHER_MAC, ident=5),
        udp_frame(b"a bad UDP checksum", 40006, 7, udp_sum="bad", ident=6),
        udp_frame(payload(64, 7), 40007, 7, udp_sum="none", ident=7),
        udp_frame(b"a bad IPv4 header checksum", 40008, 7, ip_sum="bad", ident=8),
        udp_frame(b"no service", 40009, 13, ident=9),
        udp_frame(b"end", 40010, 9, ident=10),
    ]


def echo_frames(n: int) -> list[bytes]:
    sizes = [64, 200, 512, 1472]
    out = [udp_frame(payload(sizes[i % 4], i), 40000 + i % 1000, 7, ident=i & 0xFFFF) for i in range(n)]
    return out + [udp_frame(b"end", 40999, 9, ident=0)]


def write_pcap(path: str, frames: list[tuple[float, bytes]]) -> None:
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for t, b in frames:
            us = round(t * 1e6)
            f.write(struct.pack("<IIII", us // 1_000_000, us % 1_000_000, len(b), len(b)) + b)


def read_pcap(path: str) -> list[bytes]:
    data = open(path, "rb").read()
    assert struct.unpack("<I", data[:4])[0] == 0xA1B2C3D4, "a little-endian microsecond pcap"
    out, at = [], 24
    while at < len(data):
        n = struct.unpack("<I", data[at + 8 : at + 12])[0]
        out.append(data[at + 16 : at + 16 + n])
        at += 16 + n
    return out


def feed(inp: str, outp: str, console: str, ready: str, qemu_port: int, my_port: int, window: int | None) -> None:
    frames = read_pcap(inp)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", my_port))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    deadline = time.time() + 120
    while ready not in _read(console):
        if time.time() > deadline:
            sys.exit(f"frames.py: '{ready}' did not appear in {console}")
        time.sleep(0.05)
    replies: list[tuple[float, bytes]] = []
    start = time.time()

    def collect(until: float) -> None:
        while True:
            left = until - time.time()
            if left <= 0:
                return
            s.settimeout(left)
            try:
                replies.append((time.time() - start, s.recv(65536)))
            except socket.timeout:
                return

    if window is None:
        for f in frames:
            s.sendto(f, ("127.0.0.1", qemu_port))
            collect(time.time() + 0.3)
    else:
        # Every frame but the last (to the discard port) is answered.
        sent = 0
        last_reply = start
        while sent < len(frames):
            while sent < len(frames) and sent - len(replies) < window:
                s.sendto(frames[sent], ("127.0.0.1", qemu_port))
                sent += 1
            s.settimeout(10)
            try:
                replies.append((time.time() - start, s.recv(65536)))
                last_reply = time.time()
            except socket.timeout:
                sys.exit(f"frames.py: no reply for 10 s after {len(replies)} replies to {sent} frames")
            if len(replies) == len(frames) - 1:
                # the discard frame
                while sent < len(frames):
                    s.sendto(frames[sent], ("127.0.0.1", qemu_port))
                    sent += 1
        print(f"{last_reply - start:.3f}")
    write_pcap(outp, replies)


def _read(path: str) -> str:
    """The console so far ('' before qemu-run.sh has made the file)."""
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "input" and len(sys.argv) == 3:
        write_pcap(sys.argv[2], [(0.010 + 0.001 * i, f) for i, f in enumerate(test_frames())])
    elif cmd == "echo" and len(sys.argv) == 4:
        write_pcap(sys.argv[3], [(0.010, f) for f in echo_frames(int(sys.argv[2]))])
    elif cmd == "feed" and len(sys.argv) in (8, 9):
        a = sys.argv
        feed(a[2], a[3], a[4], a[5], int(a[6]), int(a[7]), int(a[8]) if len(a) == 9 else None)
    else:
        sys.exit(__doc__)
