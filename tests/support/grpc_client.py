#!/usr/bin/env python3
"""A real gRPC client (Debian's python3-grpcio) for the demo's heyo.demo.Echo service (docs/demo-grpc.proto), with
the one-field messages encoded by hand so no generated code is needed. Prints one line per received message and the
call's final status:  say: …  /  count: …  /  chat: …  /  status: OK | status: <CODE> <details>
`converse` calls a bidirectional METHOD of raw-bytes messages (tests/integration/edge/grpc_echo.py's
/heyo.test.Echo/Chat) one message at a time: it sends the next only once the reply to the last has arrived, and
prints  sent: …  /  reply: …  in the order they happened (or "no reply to … within 5 s", and ends its side).
Usage: grpc_client.py TARGET [--ca FILE --authority HOST] [--token-stdin] say TEXT | count N INTERVAL_MS |
       chat TEXT... | converse METHOD TEXT... | unknown"""
import argparse
import queue
import sys

import grpc


def varint(v):
    out = b""
    while v >= 0x80:
        out += bytes([(v & 0x7F) | 0x80])
        v >>= 7
    return out + bytes([v])


def text(t):
    b = t.encode()
    return b"\x0a" + varint(len(b)) + b if b else b""


def parse_text(m):
    # field 1, wire type 2: tag, length varint, bytes
    if not m:
        return ""
    assert m[0] == 0x0A, m
    n, shift, i = 0, 0, 1
    while True:
        b = m[i]
        n |= (b & 0x7F) << shift
        i += 1
        shift += 7
        if not b & 0x80:
            break
    return m[i:i + n].decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("target")
    ap.add_argument("--ca")
    ap.add_argument("--authority")
    ap.add_argument("--token-stdin", action="store_true", help="a bearer token on the first line of stdin")
    ap.add_argument("call")
    ap.add_argument("args", nargs="*")
    a = ap.parse_args()
    if a.ca:
        creds = grpc.ssl_channel_credentials(open(a.ca, "rb").read())
        opts = [("grpc.ssl_target_name_override", a.authority.rsplit(":", 1)[0]),
                ("grpc.default_authority", a.authority)] \
            if a.authority else []
        channel = grpc.secure_channel(a.target, creds, options=opts)
    else:
        channel = grpc.insecure_channel(a.target)
    token = sys.stdin.readline().strip() if a.token_stdin else ""
    meta = [("authorization", "Bearer " + token)] if token else []
    ident = lambda b: b
    try:
        if a.call == "say":
            call = channel.unary_unary("/heyo.demo.Echo/Say", request_serializer=ident, response_deserializer=ident)
            print("say:", parse_text(call(text(a.args[0]), metadata=meta, timeout=20)))
        elif a.call == "count":
            call = channel.unary_stream("/heyo.demo.Echo/Count", request_serializer=ident,
                                        response_deserializer=ident)
            req = b"\x08" + varint(int(a.args[0])) + b"\x10" + varint(int(a.args[1]))
            for m in call(req, metadata=meta, timeout=60):
                print("count:", parse_text(m), flush=True)
        elif a.call == "chat":
            call = channel.stream_stream("/heyo.demo.Echo/Chat", request_serializer=ident,
                                         response_deserializer=ident)
            for m in call(iter([text(t) for t in a.args]), metadata=meta, timeout=20):
                print("chat:", parse_text(m))
        elif a.call == "converse":
            call = channel.stream_stream(a.args[0], request_serializer=ident, response_deserializer=ident)
            replies = queue.Queue()

            def one_at_a_time():
                for t in a.args[1:]:
                    print("sent:", t, flush=True)
                    yield t.encode()
                    try:
                        replies.get(timeout=5)
                    except queue.Empty:
                        print("no reply to", t, "within 5 s", flush=True)
                        return

            for m in call(one_at_a_time(), metadata=meta, timeout=30):
                print("reply:", m.decode(), flush=True)
                replies.put(m)
        elif a.call == "unknown":
            call = channel.unary_unary("/heyo.demo.Echo/Nope", request_serializer=ident, response_deserializer=ident)
            call(b"", metadata=meta, timeout=20)
        else:
            print("unknown call", a.call, file=sys.stderr)
            return 2
        print("status: OK")
    except grpc.RpcError as e:
        print("status:", e.code().name, e.details())
    return 0


if __name__ == "__main__":
    sys.exit(main())
