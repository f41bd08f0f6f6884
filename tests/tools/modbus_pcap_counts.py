#!/usr/bin/env python3
"""Counts the Modbus/TCP frames in a pcap, independently of Spindle's code: the reference the
modbus_tcp golden test compares its codec with.

Reads classic pcap files (Ethernet, IPv4, TCP). Payloads of each TCP flow are joined in capture
order; traffic to port 502 is requests, from port 502 responses. Each flow is split into MBAP
frames (7-byte header: transaction, protocol, length, unit); a header with protocol id != 0 or a
length outside 2..254 ends that flow (counted as "broken"). Prints one line per count:
  request <fc> <n> / response <fc> <n> / exception <fc> <n> / broken <n> / frames <n>
"""
import struct
import sys
from collections import Counter


def packets(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    endian = "<" if magic == b"\xd4\xc3\xb2\xa1" else ">"
    link = struct.unpack(endian + "I", data[20:24])[0]
    if link != 1:
        raise SystemExit(f"{path}: link type {link} is not Ethernet")
    at = 24
    while at + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[at + 8:at + 12])[0]
        yield data[at + 16:at + 16 + incl]
        at += 16 + incl


def tcp_payload(frame):
    ether_type = struct.unpack(">H", frame[12:14])[0]
    at = 14
    while ether_type == 0x8100 and len(frame) >= at + 4:  # VLAN tags
        ether_type = struct.unpack(">H", frame[at + 2:at + 4])[0]
        at += 4
    if ether_type != 0x0800 or len(frame) < at + 20:
        return None
    ip = frame[at:]
    ihl = (ip[0] & 0x0F) * 4
    total = struct.unpack(">H", ip[2:4])[0]
    if ip[9] != 6:
        return None
    src, dst = ip[12:16], ip[16:20]
    tcp = ip[ihl:total]
    if len(tcp) < 20:
        return None
    sport, dport = struct.unpack(">HH", tcp[0:4])
    offset = (tcp[12] >> 4) * 4
    return (src, sport, dst, dport), tcp[offset:]


def main(path):
    counts = Counter()
    flows = {}
    broken = set()
    for frame in packets(path):
        parsed = tcp_payload(frame)
        if parsed is None:
            continue
        flow, payload = parsed
        if not payload or flow in broken:
            continue
        (_, sport, _, dport) = flow
        if dport == 502:
            direction = "request"
        elif sport == 502:
            direction = "response"
        else:
            continue
        buf = flows.get(flow, b"") + payload
        while len(buf) >= 7:
            protocol, length = struct.unpack(">HH", buf[2:6])
            if protocol != 0 or length < 2 or length > 254:
                counts["broken"] += 1
                broken.add(flow)
                buf = b""
                break
            if len(buf) < 6 + length:
                break
            fc = buf[7]
            counts["frames"] += 1
            if direction == "response" and fc & 0x80:
                counts[("exception", fc & 0x7F)] += 1
            else:
                counts[(direction, fc)] += 1
            buf = buf[6 + length:]
        flows[flow] = buf
    for key in sorted(counts, key=str):
        if isinstance(key, tuple):
            print(f"{key[0]} {key[1]} {counts[key]}")
        else:
            print(f"{key} {counts[key]}")


if __name__ == "__main__":
    main(sys.argv[1])
