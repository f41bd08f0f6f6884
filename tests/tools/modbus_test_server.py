#!/usr/bin/python3
"""A Modbus TCP server for Spindle's tests, built on pymodbus (Debian's python3-pymodbus), so
the modbus_tcp collector is checked against an implementation that shares nothing with it.

  modbus_test_server.py PORT STATE_DIR [--delay SECONDS] [--silent]

Writes STATE_DIR/manifest.txt (one line per known value: name address type order value,
registers encoded here with struct, independently of Spindle) and keeps STATE_DIR/requests.txt
current (function code and count per line). Holding registers 500-509 answer "illegal data
address". Holding register 900 counts up every 50 ms. --delay answers every request late;
--silent accepts connections and never answers.
"""
import asyncio
import logging
import os
import struct
import sys

ORDERS = ["ABCD", "CDAB", "BADC", "DCBA"]
TYPES = {  # name: (struct format, test value)
    "int16": (">h", -12345),
    "uint16": (">H", 54321),
    "int32": (">i", -123456789),
    "uint32": (">I", 3456789012),
    "float32": (">f", 123456.0),
    "int64": (">q", -1234567890123456),
    "uint64": (">Q", 12345678901234567890),
    "float64": (">d", -2.5e-3),
}
ILLEGAL = range(500, 510)
TICK_ADDRESS = 900


def registers(fmt, value, order):
    raw = struct.pack(fmt, value)
    words = [raw[i:i + 2] for i in range(0, len(raw), 2)]
    if order in ("CDAB", "DCBA"):
        words.reverse()
    if order in ("BADC", "DCBA"):
        words = [w[::-1] for w in words]
    return [struct.unpack(">H", w)[0] for w in words]


def build_map():
    hr = [0] * 1000
    manifest = []
    at = 0
    for type_name, (fmt, value) in TYPES.items():
        for order in ORDERS:
            regs = registers(fmt, value, order)
            hr[at:at + len(regs)] = regs
            manifest.append(f"{type_name}_{order.lower()} {at} {type_name} {order} {value}")
            at += len(regs)
    text = b"O1234\x00\x00\x00"
    hr[200:204] = [struct.unpack(">H", text[i:i + 2])[0] for i in range(0, 8, 2)]
    manifest.append("program 200 string ABCD O1234")
    hr[210] = 0b101
    manifest.append("bit2 210 bit2 ABCD true")
    manifest.append("bit1 210 bit1 ABCD false")
    for a in (498, 499, 505, 511):
        hr[a] = a
    return hr, manifest


def main():
    port = int(sys.argv[1])
    state = sys.argv[2]
    delay = float(sys.argv[sys.argv.index("--delay") + 1]) if "--delay" in sys.argv else 0.0
    silent = "--silent" in sys.argv
    os.makedirs(state, exist_ok=True)
    logging.basicConfig(level=logging.CRITICAL)  # pymodbus logs every client that leaves
    if silent:
        asyncio.run(serve_silent(port))
        return

    from pymodbus.datastore import (ModbusSequentialDataBlock, ModbusServerContext,
                                    ModbusSlaveContext)
    from pymodbus.server import StartAsyncTcpServer
    import time

    counts = {}

    class Holding(ModbusSequentialDataBlock):
        def validate(self, address, count=1):
            if any(a in ILLEGAL for a in range(address, address + count)):
                return False
            return super().validate(address, count)

    class Counting(ModbusSlaveContext):
        def validate(self, fc_as_hex, address, count=1):
            counts[fc_as_hex] = counts.get(fc_as_hex, 0) + 1
            if delay:
                time.sleep(delay)
            return super().validate(fc_as_hex, address, count)

    hr, manifest = build_map()
    with open(os.path.join(state, "manifest.txt"), "w") as f:
        f.write("\n".join(manifest) + "\n")
    store = Counting(
        di=ModbusSequentialDataBlock(0, [1, 0, 1, 1] + [0] * 96),
        co=ModbusSequentialDataBlock(0, [0, 1, 1, 0] + [0] * 96),
        hr=Holding(0, hr),
        ir=ModbusSequentialDataBlock(0, [650] + [0] * 99),
        zero_mode=True,  # request address N is block index N (the default shifts by one)
    )
    context = ModbusServerContext(slaves=store, single=True)

    async def tick():
        n = 0
        while True:
            await asyncio.sleep(0.05)
            n = (n + 1) & 0xFFFF
            context[0].setValues(3, TICK_ADDRESS, [n])
            tmp = os.path.join(state, "requests.tmp")
            with open(tmp, "w") as f:
                for fc, c in sorted(counts.items()):
                    f.write(f"{fc} {c}\n")
            os.replace(tmp, os.path.join(state, "requests.txt"))

    async def run():
        asyncio.create_task(tick())
        print(f"listening on 127.0.0.1:{port}", flush=True)
        # Reuse the address: a restarted server must bind while the killed one's connections
        # are still in TIME_WAIT.
        await StartAsyncTcpServer(context=context, address=("127.0.0.1", port),
                                  allow_reuse_address=True)

    asyncio.run(run())


async def serve_silent(port):
    async def swallow(reader, writer):
        while await reader.read(4096):
            pass

    server = await asyncio.start_server(swallow, "127.0.0.1", port)
    print(f"silent on 127.0.0.1:{port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    main()
