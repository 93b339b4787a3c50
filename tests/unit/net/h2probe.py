#!/usr/bin/env python3
"""A hostile HTTP/2 client for the engine's tests: it writes frames by hand (HPACK from python3-hpack) so that it can
send what well-behaved libraries refuse to, and prints what the server answered, one fact per line:
    status <stream> <code> <body-bytes>   a response (complete, END_STREAM seen)
    rst <stream> <error-code>             the server reset a stream
    goaway <error-code> <debug text>      the server sent GOAWAY
    closed                                the server closed the connection
Usage: h2probe.py PORT CASE [N]"""
import socket
import struct
import sys
import time

from hpack import Decoder, Encoder

DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = 0, 1, 3, 4, 6, 7, 8, 9
END_STREAM, ACK, END_HEADERS = 0x1, 0x1, 0x4
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def frame(ftype, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", stream) + payload


class Probe:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.enc = Encoder()
        self.dec = Decoder()
        self.dec.max_allowed_table_size = 65536
        self.buf = b""
        self.responses = {}  # stream -> [status, body bytes, ended]
        self.closed = False
        self.out = []

    def send(self, data):
        try:
            self.sock.sendall(data)
        except OSError:
            self.closed = True

    def handshake(self, early=b""):
        # A big connection window so large responses are not held back by the probe. `early` frames go out before the
        # server's SETTINGS is acknowledged (as clients that do not wait for it send their first requests).
        self.send(PREFACE + frame(SETTINGS, 0, 0) + frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", 1 << 30)) + early)
        deadline = time.time() + 5
        while time.time() < deadline and not self.closed:
            f = self.read_frame()
            if f is None:
                break
            if f[0] == SETTINGS and not (f[1] & ACK):
                self.send(frame(SETTINGS, ACK, 0))
                return

    def headers(self, stream, fields, end_stream=True, end_headers=True):
        block = self.enc.encode(fields)
        flags = (END_STREAM if end_stream else 0) | (END_HEADERS if end_headers else 0)
        return frame(HEADERS, flags, stream, block)

    def read_frame(self):
        while len(self.buf) < 9 or len(self.buf) < 9 + int.from_bytes(self.buf[:3], "big"):
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                self.closed = True
                return None
            self.buf += chunk
        length = int.from_bytes(self.buf[:3], "big")
        ftype, flags = self.buf[3], self.buf[4]
        stream = struct.unpack(">I", self.buf[5:9])[0] & 0x7FFFFFFF
        payload = self.buf[9:9 + length]
        self.buf = self.buf[9 + length:]
        self.note(ftype, flags, stream, payload)
        return ftype, flags, stream, payload

    def note(self, ftype, flags, stream, payload):
        if ftype == HEADERS:
            fields = self.dec.decode(payload)
            r = self.responses.setdefault(stream, [0, 0, False])
            for name, value in fields:
                if name == ":status":
                    r[0] = int(value)
            if flags & END_STREAM:
                r[2] = True
                self.out.append(f"status {stream} {r[0]} {r[1]}")
        elif ftype == DATA:
            r = self.responses.setdefault(stream, [0, 0, False])
            r[1] += len(payload)
            if payload:  # give the window back at once
                self.send(frame(WINDOW_UPDATE, 0, stream, struct.pack(">I", len(payload))))
            if flags & END_STREAM:
                r[2] = True
                self.out.append(f"status {stream} {r[0]} {r[1]}")
        elif ftype == RST_STREAM:
            self.out.append(f"rst {stream} {struct.unpack('>I', payload)[0]}")
        elif ftype == GOAWAY:
            code = struct.unpack(">I", payload[4:8])[0]
            self.out.append(f"goaway {code} {payload[8:].decode(errors='replace')}")
        elif ftype == PING and not (flags & ACK):
            self.send(frame(PING, ACK, 0, payload))

    def run_until(self, done, seconds=8):
        deadline = time.time() + seconds
        while not done() and not self.closed and time.time() < deadline:
            self.sock.settimeout(max(0.05, deadline - time.time()))
            if self.read_frame() is None:
                break

    def finish(self):
        if self.closed:
            self.out.append("closed")
        print("\n".join(self.out), flush=True)


def request(port, path="/", method="GET", extra=()):
    return [(":method", method), (":scheme", "http"), (":authority", f"127.0.0.1:{port}"), (":path", path)] + list(extra)


def main():
    port, case = int(sys.argv[1]), sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    p = Probe(port)
    early = b""
    if case == "early-streams":  # n requests sent with the preface, before the server's SETTINGS is acknowledged
        early = b"".join(p.headers(1 + 2 * i, request(port, f"/e{i}")) for i in range(n))
    p.handshake(early)
    ended = lambda count: (lambda: sum(1 for r in p.responses.values() if r[2]) + sum(
        1 for line in p.out if line.startswith("rst")) >= count)
    goaway = lambda: any(line.startswith("goaway") for line in p.out)

    if case == "get":
        p.send(p.headers(1, request(port)))
        p.run_until(ended(1))
    elif case == "concurrent":  # n requests at once on one connection
        p.send(b"".join(p.headers(1 + 2 * i, request(port, f"/c{i}")) for i in range(n)))
        p.run_until(ended(n), 20)
    elif case == "early-streams":
        p.run_until(ended(n), 20)
    elif case == "held-streams":  # n-1 endless responses (Server-Sent Events) under way, then one stream more
        events = "/events?interval_ms=60000"
        p.send(b"".join(p.headers(1 + 2 * i, request(port, events)) for i in range(n - 1)))
        answered = lambda: sum(1 for r in p.responses.values() if r[0])
        p.run_until(lambda: answered() >= n - 1, 20)
        p.out.append(f"answered {answered()}")
        p.send(p.headers(2 * n - 1, request(port, events)))
        p.run_until(lambda: goaway() or p.closed, 10)
    elif case == "open-streams":  # n requests whose bodies never end: they stay open
        p.send(b"".join(p.headers(1 + 2 * i, request(port, "/wait", "POST"), end_stream=False) for i in range(n)))
        p.run_until(lambda: sum(1 for line in p.out if line.startswith("rst")) >= n - 1, 3)
    elif case == "rapid-reset":  # open and cancel n streams, as fast as the socket takes them
        burst = b"".join(p.headers(1 + 2 * i, request(port)) + frame(RST_STREAM, 0, 1 + 2 * i, struct.pack(">I", 8))
                         for i in range(n))
        p.send(burst)
        p.run_until(goaway)
    elif case == "continuation":  # one header block in n CONTINUATION frames that carry nothing
        p.send(p.headers(1, request(port), end_headers=False))
        p.send(b"".join(frame(CONTINUATION, 0, 1) for _ in range(n)) + frame(CONTINUATION, END_HEADERS, 1))
        p.run_until(goaway)
    elif case == "hpack-bomb":  # one 4000-byte field, then n one-byte references to it
        p.send(p.headers(1, request(port, extra=[("x-big", "a" * 4000)] * n)))
        p.run_until(ended(1))
    elif case == "bad-pseudo":
        p.send(p.headers(1, request(port, extra=[(":foo", "bar")])))
        p.run_until(ended(1))
    elif case == "no-path":
        p.send(p.headers(1, [(":method", "GET"), (":scheme", "http"), (":authority", "x")]))
        p.run_until(ended(1))
    elif case == "connection-header":
        p.send(p.headers(1, request(port, extra=[("connection", "keep-alive")])))
        p.run_until(ended(1))
    elif case == "te-gzip":
        p.send(p.headers(1, request(port, extra=[("te", "gzip")])))
        p.run_until(ended(1))
    elif case == "upper-case":
        p.send(p.headers(1, request(port, extra=[("X-Upper", "1")])))
        p.run_until(ended(1))
    elif case == "connect":
        p.send(p.headers(1, [(":method", "CONNECT"), (":authority", "example.com:443")], end_stream=False))
        p.run_until(ended(1))
    elif case == "host-conflict":
        p.send(p.headers(1, request(port, extra=[("host", "evil.example")])))
        p.run_until(ended(1))
    elif case == "long-path":
        p.send(p.headers(1, request(port, "/" + "a" * n)))
        p.run_until(ended(1))
    elif case == "length-mismatch":  # content-length says 10, the body is 5 bytes
        p.send(p.headers(1, request(port, "/echo", "POST", [("content-length", "10")]), end_stream=False) +
               frame(DATA, END_STREAM, 1, b"hello"))
        p.run_until(ended(1))
    elif case == "extended-connect":  # RFC 8441 WebSocket bootstrapping, which we never enable
        p.send(p.headers(1, [(":method", "CONNECT"), (":protocol", "websocket"), (":scheme", "http"),
                             (":path", "/chat"), (":authority", f"127.0.0.1:{port}")], end_stream=False))
        p.run_until(ended(1))
    elif case == "slow-headers":  # a header block that is never finished
        p.send(p.headers(1, request(port), end_headers=False))
        p.run_until(lambda: goaway() or p.closed, 10)
    else:
        print("unknown case", case, file=sys.stderr)
        sys.exit(2)
    p.finish()


if __name__ == "__main__":
    main()
