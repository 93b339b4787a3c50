#!/usr/bin/python3
"""A scripted HTTP/2 origin (h2c, prior knowledge) for the engine's HTTP/2 upstream tests, on python3-h2.

Prints its port on the first line of stdout. Paths:
  /refuse   the first such request gets RST_STREAM(REFUSED_STREAM), later ones 200
  /goaway   the first such request gets GOAWAY(last_stream_id=0) and the connection closes; later ones 200
  /204      204 without a body
  /trailers a body, then trailers (grpc-status: 0)
  /auth     401 unless x-token: good
  /bighead  200 with 100 KiB of header fields
  /slow     never answered
  /stall    never answered, and its request body never acknowledged (the window stays shut after 64 KiB)
  anything  200 with "conn=<n> method=<m> path=<p> authority=<a> te=<te> body=<bytes>"
"""
import socket
import sys
import threading

import h2.config
import h2.connection
import h2.errors
import h2.events

lock = threading.Lock()
state = {"conns": 0, "refused": 0, "goaway": 0}


def serve(sock, cid):
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False, header_encoding="utf-8"))
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())
    heads, bodies = {}, {}

    def send(sid, status, body, extra=(), trailers=None):
        conn.send_headers(sid, [(":status", str(status)), ("content-length", str(len(body)))] + list(extra),
                          end_stream=not body and trailers is None)
        if body:
            conn.send_data(sid, body, end_stream=trailers is None)
        if trailers is not None:
            conn.send_headers(sid, trailers, end_stream=True)

    def respond(sid):
        h = heads.pop(sid)
        body = bodies.pop(sid, b"")
        path = h.get(":path", "")
        if path == "/refuse":
            with lock:
                first = state["refused"] == 0
                state["refused"] += 1
            if first:
                conn.reset_stream(sid, error_code=h2.errors.ErrorCodes.REFUSED_STREAM)
                return True
        elif path == "/goaway":
            with lock:
                first = state["goaway"] == 0
                state["goaway"] += 1
            if first:
                conn.close_connection(error_code=h2.errors.ErrorCodes.NO_ERROR, last_stream_id=0)
                return False
        elif path == "/204":
            conn.send_headers(sid, [(":status", "204")], end_stream=True)
            return True
        elif path == "/trailers":
            send(sid, 200, b"trailered body\n", [("content-type", "text/plain")], [("grpc-status", "0")])
            return True
        elif path == "/bighead":
            send(sid, 200, b"big\n", [("x-big-%d" % i, "v" * 1000) for i in range(100)])
            return True
        elif path == "/auth" and h.get("x-token") != "good":
            send(sid, 401, b"no\n", [("www-authenticate", "Bearer")])
            return True
        elif path in ("/slow", "/stall"):
            return True
        text = "conn=%d method=%s path=%s authority=%s te=%s body=%d\n" % (
            cid, h.get(":method"), path, h.get(":authority"), h.get("te", "-"), len(body))
        send(sid, 200, text.encode(), [("content-type", "text/plain")])
        return True

    try:
        while True:
            data = sock.recv(65536)
            if not data:
                break
            going = True
            for ev in conn.receive_data(data):
                if isinstance(ev, h2.events.RequestReceived):
                    heads[ev.stream_id] = dict(ev.headers)
                    bodies[ev.stream_id] = b""
                    if ev.stream_ended:
                        going = respond(ev.stream_id) and going
                elif isinstance(ev, h2.events.DataReceived):
                    if heads.get(ev.stream_id, {}).get(":path") == "/stall":
                        continue
                    bodies[ev.stream_id] = bodies.get(ev.stream_id, b"") + ev.data
                    conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
                elif isinstance(ev, h2.events.StreamEnded):
                    if ev.stream_id in heads:
                        going = respond(ev.stream_id) and going
                elif isinstance(ev, h2.events.ConnectionTerminated):
                    going = False
            sock.sendall(conn.data_to_send())
            if not going:
                break
    except (OSError, h2.exceptions.ProtocolError):
        pass
    finally:
        sock.close()


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(128)
    print(ls.getsockname()[1], flush=True)
    while True:
        s, _ = ls.accept()
        with lock:
            state["conns"] += 1
            cid = state["conns"]
        threading.Thread(target=serve, args=(s, cid), daemon=True).start()


if __name__ == "__main__":
    main()
