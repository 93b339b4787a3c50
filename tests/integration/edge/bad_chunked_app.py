#!/usr/bin/python3
"""An HTTP/1.1 app for heyo-edge's bad-input test that breaks chunked framing in its responses: /bad-at-once and
/bad-split answer a 5-byte chunk not followed by CRLF ("5\r\nhelloXX0\r\n\r\n"), then on the same connection a
complete response that must never reach anyone ("spilled"); /bad-split sends "hello" first and the rest 300 ms later.
Any other path is answered "good <path>". Keeps connections open; prints its port on the first line of stdout."""
import socket
import threading
import time


def serve(conn):
    try:
        answer(conn)
    except OSError:
        pass  # the edge closed a connection it could no longer trust


def answer(conn):
    buf = b""
    with conn:
        while True:
            while b"\r\n\r\n" not in buf:
                data = conn.recv(65536)
                if not data:
                    return
                buf += data
            head, buf = buf.split(b"\r\n\r\n", 1)  # GET requests only: no bodies
            path = head.split(b" ")[1]
            if path in (b"/bad-at-once", b"/bad-split"):
                start = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello"
                rest = b"XX0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 7\r\n\r\nspilled"
                if path == b"/bad-split":
                    conn.sendall(start)
                    time.sleep(0.3)
                    conn.sendall(rest)
                else:
                    conn.sendall(start + rest)
            else:
                body = b"good " + path
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % len(body)
                             + body)


def main():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    print(listener.getsockname()[1], flush=True)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
