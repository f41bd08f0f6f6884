#!/usr/bin/env python3
"""The reference cloud API for provisioning (docs/cloud-protocol.md "Provisioning"), as the test
harness runs it: Python's http.server with TLS on 127.0.0.1, its certificate from the test's own
CA. Written to be read by a cloud team: it is the whole server side of claiming an edge.

POST /v1/edges/claim  {"schema": "spindle.claim.v1", "token", "key_type": "ed25519",
                       "public_key" (base64 of the raw 32-byte key), "hostname", "version"}
  200  {"schema", "edge_id", "nats": {"servers", "credentials"}, "config_bucket", "api"}
       also for the same token and key again (a claim is repeatable: the answer got lost)
  400  a malformed claim; 401 an unknown token; 409 a token already claimed by another key
GET /v1/ping
  200  {"schema": "spindle.ping.v1"}: the API answers (what `spindle netcheck` asks)

Usage: cloud_api_server.py PORT CERT KEY TOKENS_JSON CLAIMS_JSON
  TOKENS_JSON  {"TOKEN": {"edge_id": ..., "nats_servers": [...], "credentials": ...,
                          "config_bucket": ...}}
  CLAIMS_JSON  written after every claim: {"TOKEN": {"public_key", "hostname", "version"}}
"""

import base64
import json
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SCHEMA = "spindle.claim.v1"
LOCK = threading.Lock()
CLAIMS = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, status, document):
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def refuse(self, status, error, message):
        self.answer(status, {"error": error, "message": message})

    def do_GET(self):
        if self.path.split("?", 1)[0] != "/v1/ping":
            return self.refuse(404, "not_found", "no such endpoint")
        return self.answer(200, {"schema": "spindle.ping.v1"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length) if 0 < length <= 65536 else b""
        if self.path != "/v1/edges/claim":
            return self.refuse(404, "not_found", "no such endpoint")
        try:
            claim = json.loads(raw)
            key = base64.b64decode(claim["public_key"], validate=True)
        except (ValueError, KeyError, TypeError):
            return self.refuse(400, "bad_request", "the claim is not the JSON this API takes")
        if claim.get("schema") != SCHEMA or claim.get("key_type") != "ed25519" or len(key) != 32:
            return self.refuse(400, "bad_request", "schema, key_type or public_key is wrong")
        token = claim.get("token", "")
        grant = TOKENS.get(token)
        if grant is None:
            return self.refuse(401, "unknown_token", "no such token, or it expired")
        with LOCK:
            earlier = CLAIMS.get(token)
            if earlier is not None and earlier["public_key"] != claim["public_key"]:
                return self.refuse(409, "token_used", "this token already claimed an edge")
            CLAIMS[token] = {"public_key": claim["public_key"],
                             "hostname": claim.get("hostname", ""),
                             "version": claim.get("version", "")}
            with open(CLAIMS_FILE, "w") as out:
                json.dump(CLAIMS, out)
        self.answer(200, {"schema": SCHEMA,
                          "edge_id": grant["edge_id"],
                          "nats": {"servers": grant["nats_servers"],
                                   "credentials": grant["credentials"]},
                          "config_bucket": grant.get("config_bucket", ""),
                          "api": grant.get("api", "")})

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    port, cert, key, tokens_file, CLAIMS_FILE = sys.argv[1:6]
    with open(tokens_file) as f:
        TOKENS = json.load(f)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = ThreadingHTTPServer(("127.0.0.1", int(port)), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print("ready", flush=True)
    server.serve_forever()
