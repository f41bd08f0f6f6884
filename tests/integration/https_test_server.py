#!/usr/bin/env python3
"""A TLS HTTP server for the HTTP client's integration tests (https_client_test.cpp).

Listens on 127.0.0.1 only. What it answers depends on the path:
  /ok                   200 "ok"
  /fail-twice-then-ok   503, 503, then 200 "third time"
  /429-retry-after-1    429 with Retry-After: 1, then 200 "patience"
  /404                  404 with a body
  /slow-body            200, 20 bytes, one every 100 ms
  /reset-mid-body       first time: half of a 4000-byte body, then a TCP reset; then all of it
  /echo                 200 JSON: method, path, headers (lower-case names), body
  /huge                 200 with 2 MiB of body
  /stats                200 JSON: for each path, the monotonic times (seconds) it was asked
  /collect              200; keeps the request's headers and body
  /collected            200 JSON: [{"headers", "body"}] of every /collect request so far
  /v1/ping              200 {"schema": "spindle.ping.v1"}: the cloud API's ping
  /not-the-api/v1/ping  404 with a body: an https.api that names some other server
  /adapters/index.json  200 {"schema": "spindle.store.v1"}: an adapter store's index, for netcheck
Usage: https_test_server.py PORT CERT KEY
"""

import json
import socket
import ssl
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HITS = {}
COLLECTED = []  # what /collect received: headers and body of each request
LOCK = threading.Lock()


def hit(path):
    """Records a request for `path`; returns how many came before it."""
    with LOCK:
        times = HITS.setdefault(path, [])
        times.append(time.monotonic())
        return len(times) - 1


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: the test reads stdout for nothing else
        sys.stderr.write("%s %s\n" % (self.command, self.path))

    def send(self, status, body, headers=None):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def handle_any(self):
        body = self.read_body()
        path = self.path.split("?", 1)[0]
        before = hit(path)
        if path == "/ok":
            self.send(200, "ok")
        elif path == "/fail-twice-then-ok":
            if before < 2:
                self.send(503, "busy", {"Retry-After": "0"})
            else:
                self.send(200, "third time")
        elif path == "/429-retry-after-1":
            if before == 0:
                self.send(429, "slow down", {"Retry-After": "1"})
            else:
                self.send(200, "patience")
        elif path == "/404":
            self.send(404, "no such thing here")
        elif path == "/slow-body":
            self.send_response(200)
            self.send_header("Content-Length", "20")
            self.end_headers()
            for _ in range(20):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.1)
        elif path == "/reset-mid-body":
            payload = b"r" * 4000
            if before == 0:
                self.send_response(200)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload[:2000])
                self.wfile.flush()
                # SO_LINGER 0: close() sends a TCP reset instead of a clean end.
                raw = self.connection
                raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                raw.close()
            else:
                self.send(200, payload)
        elif path == "/echo":
            echo = {
                "method": self.command,
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body.decode("utf-8", "replace"),
            }
            self.send(200, json.dumps(echo), {"Content-Type": "application/json"})
        elif path == "/huge":
            self.send(200, b"h" * (2 << 20))
        elif path == "/stats":
            with LOCK:
                self.send(200, json.dumps(HITS), {"Content-Type": "application/json"})
        elif path == "/collect":
            with LOCK:
                COLLECTED.append({"headers": {k.lower(): v for k, v in self.headers.items()},
                                  "body": body.decode("utf-8", "replace")})
            self.send(200, "collected")
        elif path == "/collected":
            with LOCK:
                self.send(200, json.dumps(COLLECTED), {"Content-Type": "application/json"})
        elif path == "/v1/ping":
            self.send(200, json.dumps({"schema": "spindle.ping.v1"}),
                      {"Content-Type": "application/json"})
        elif path == "/not-the-api/v1/ping":
            self.send(404, "no such thing here")
        elif path == "/adapters/index.json":
            self.send(200, json.dumps({"schema": "spindle.store.v1"}),
                      {"Content-Type": "application/json"})
        else:
            self.send(400, "unknown test path " + path)

    do_GET = handle_any
    do_POST = handle_any
    do_PUT = handle_any
    do_DELETE = handle_any


def main():
    port, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    # The handshake runs in the request's thread, so a client that connects and never speaks
    # TLS (the test's readiness probe) does not hold up accept().
    server.socket = context.wrap_socket(server.socket, server_side=True,
                                        do_handshake_on_connect=False)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
