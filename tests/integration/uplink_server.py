#!/usr/bin/env python3
"""The cloud API's data endpoint as the HTTPS uplink's tests need it (https_uplink_test.cpp).

A reference for a cloud team, too: it checks each request as docs/cloud-protocol.md says
(the signature with the edge's public key, the body's batches, their counts and sequences)
and stores each observation once per (journal, sequence): what is sent again is dropped, and
a request that brought nothing new is answered 200 with Spindle-Duplicate: true.

Listens on 127.0.0.1 only (TLS). Paths:
  POST /v1/edges/<edge>/data  a batch request
  POST /faults                JSON {"plan": [fault, ...], "rate": 0.0-1.0, "seed": n,
                              "mix": [fault, ...], "refuse_keys": [key, ...]}: the next
                              requests meet the planned faults in order, then each meets one
                              of `mix` with probability `rate`; a request whose key starts
                              with one of `refuse_keys` is answered 400
  GET  /received              JSON: sequences (every stored observation's seq, in arrival
                              order), by_machine, requests, duplicates (observations
                              dropped as already stored), faults, rejected (why requests
                              were refused)
Faults: "503"; "429" (Retry-After: 1); "reset" (reads half the body, then a TCP reset);
"slow" (stores, then answers one byte every 50 ms); "lost" (stores, then resets before
answering: the edge must send it again, and it is stored once); "401".
Usage: uplink_server.py PORT CERT KEY [EDGE_PUBLIC_KEY_BASE64 | -]
"""

import base64
import calendar
import hashlib
import json
import random
import socket
import ssl
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import zstandard
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

LOCK = threading.Lock()
STATE = {"plan": [], "rate": 0.0, "mix": [], "rng": random.Random(1), "refuse": set(),
         "stored": {}, "sequences": [], "by_machine": {}, "requests": 0, "duplicates": 0,
         "faults": 0, "rejected": []}
PUBLIC_KEY = None
MAX_SKEW_S = 300


def next_fault():
    with LOCK:
        if STATE["plan"]:
            return STATE["plan"].pop(0)
        if STATE["mix"] and STATE["rng"].random() < STATE["rate"]:
            return STATE["rng"].choice(STATE["mix"])
    return None


def reset(sock):
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def check_signature(method, path, headers, body):
    """None when the request is signed by the edge's key, else why not."""
    if PUBLIC_KEY is None:
        return None
    date = headers.get("Spindle-Date", "")
    value = headers.get("Spindle-Signature", "")
    fields = dict(p.split("=", 1) for p in value.split(",") if "=" in p)
    if "sig" not in fields:
        return "no Spindle-Signature"
    try:
        when = calendar.timegm(time.strptime(date[:19], "%Y-%m-%dT%H:%M:%S"))
    except ValueError:
        return "bad Spindle-Date"
    if abs(when - time.time()) > MAX_SKEW_S:
        return "Spindle-Date too far from now"
    text = "\n".join(["spindle-request-v1", method, path, date,
                      headers.get("Idempotency-Key", ""), hashlib.sha256(body).hexdigest()]) + "\n"
    try:
        PUBLIC_KEY.verify(base64.b64decode(fields["sig"]), text.encode())
    except Exception:  # noqa: BLE001 - any failure means the signature does not verify
        return "the signature does not verify"
    return None


def parse_batches(body, headers):
    """The observations' (machine, seq) in body order; raises ValueError on a bad body."""
    encoding = headers.get("Spindle-Encoding", "identity")
    if encoding == "zstd":
        body = zstandard.ZstdDecompressor().decompress(body, max_output_size=256 << 20)
    elif encoding != "identity":
        raise ValueError("unknown Spindle-Encoding " + encoding)
    out, expect, machine, last = [], 0, None, 0
    for line in body.decode("utf-8").splitlines():
        obj = json.loads(line)
        if "schema" in obj:
            if expect:
                raise ValueError("a batch ended early")
            if obj["schema"] != "spindle.batch.v1":
                raise ValueError("unknown schema " + obj["schema"])
            expect, machine, last = obj["count"], obj["machine"], 0
            continue
        if not expect or obj["machine"] != machine or obj["seq"] <= last:
            raise ValueError("observation outside its batch: " + line[:80])
        out.append((machine, obj["seq"]))
        expect, last = expect - 1, obj["seq"]
    if expect:
        raise ValueError("a batch ended early")
    if str(len(out)) != headers.get("Spindle-Count", ""):
        raise ValueError("Spindle-Count does not match the body")
    return out


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", headers=(), slow=False):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if slow:
            for i in range(len(body)):
                self.wfile.write(body[i:i + 1])
                self.wfile.flush()
                time.sleep(0.05)
        else:
            self.wfile.write(body)

    def do_GET(self):
        if self.path != "/received":
            return self.answer(404, b"{}")
        with LOCK:
            doc = {k: STATE[k] for k in ("sequences", "by_machine", "requests", "duplicates",
                                         "faults", "rejected")}
            body = json.dumps(doc).encode()
        self.answer(200, body, [("Content-Type", "application/json")])

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        if self.path == "/faults":
            spec = json.loads(self.rfile.read(length))
            with LOCK:
                STATE["plan"] = list(spec.get("plan", []))
                STATE["rate"] = spec.get("rate", 0.0)
                STATE["mix"] = list(spec.get("mix", []))
                STATE["rng"] = random.Random(spec.get("seed", 1))
                STATE["refuse"] = set(spec.get("refuse_keys", []))
            return self.answer(200, b"{}")
        if not (self.path.startswith("/v1/edges/") and self.path.endswith("/data")):
            return self.answer(404, b'{"error":"not_found"}')
        with LOCK:
            STATE["requests"] += 1
        fault = next_fault()
        if fault:
            with LOCK:
                STATE["faults"] += 1
        if fault == "reset":
            self.rfile.read(length // 2)
            reset(self.connection)
            self.close_connection = True
            return None
        body = self.rfile.read(length)
        if fault in ("503", "429", "401"):
            extra = [("Retry-After", "1")] if fault == "429" else []
            return self.answer(int(fault), b'{"error":"injected"}', extra)
        why = check_signature("POST", self.path, self.headers, body)
        if why:
            with LOCK:
                STATE["rejected"].append(why)
            return self.answer(401, json.dumps({"error": "unauthorized", "message": why}).encode())
        key = self.headers.get("Idempotency-Key", "")
        if any(key.startswith(prefix) for prefix in STATE["refuse"]):
            with LOCK:
                STATE["rejected"].append("refused " + key)
            return self.answer(400, b'{"error":"refused","message":"refused by the test"}')
        try:
            observations = parse_batches(body, self.headers)
        except (ValueError, KeyError, json.JSONDecodeError, zstandard.ZstdError) as e:
            with LOCK:
                STATE["rejected"].append(str(e))
            return self.answer(400, json.dumps({"error": "bad_batch", "message": str(e)}).encode())
        journal = self.headers.get("Spindle-Journal", "")
        with LOCK:
            # Stored once per (journal, sequence): a resend may group records differently.
            stored = STATE["stored"].setdefault(journal, set())
            fresh = [(m, q) for m, q in observations if q not in stored]
            STATE["duplicates"] += len(observations) - len(fresh)
            duplicate = not fresh
            for machine, seq in fresh:
                stored.add(seq)
                STATE["sequences"].append(seq)
                STATE["by_machine"].setdefault(machine, []).append(seq)
        if fault == "lost":
            reset(self.connection)
            self.close_connection = True
            return None
        headers = [("Content-Type", "application/json")]
        if duplicate:
            headers.append(("Spindle-Duplicate", "true"))
        self.answer(200, json.dumps({"accepted": len(observations)}).encode(), headers,
                    slow=fault == "slow")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64


def main():
    global PUBLIC_KEY
    port, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    if len(sys.argv) > 4 and sys.argv[4] != "-":
        PUBLIC_KEY = Ed25519PublicKey.from_public_bytes(base64.b64decode(sys.argv[4]))
    server = Server(("127.0.0.1", port), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
