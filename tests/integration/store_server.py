#!/usr/bin/env python3
"""A read-only adapter store for the store's integration tests (store_test.cpp): serves the
files of a folder over TLS on 127.0.0.1, like an S3 bucket behind HTTPS.

  GET /<path>   200 with the file's bytes, 404 when there is none (no listings, no '..')

While the file SWITCH exists, every connection is closed as soon as it is accepted (before
any answer): the edge sees the store as unreachable, as when it is offline. Each request's
path is printed to stdout as "GET /<path>" (after the line "ready").
Usage: store_server.py PORT CERT KEY ROOT SWITCH
"""

import os
import ssl
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = ""
SWITCH = ""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s\n" % (fmt % args))

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        print("GET " + path, flush=True)
        relative = path.lstrip("/")
        parts = relative.split("/")
        full = os.path.join(ROOT, *parts)
        if not relative or ".." in parts or not os.path.isfile(full):
            body = b"no such key"
            self.send_response(404)
        else:
            with open(full, "rb") as f:
                body = f.read()
            self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def verify_request(self, request, client_address):
        return not os.path.exists(SWITCH)  # False: the connection is closed unanswered


def main():
    global ROOT, SWITCH
    port, cert, key, ROOT, SWITCH = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], \
        sys.argv[5]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = Server(("127.0.0.1", port), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True,
                                        do_handshake_on_connect=False)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
