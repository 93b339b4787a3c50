#!/usr/bin/python3
"""A gRPC app (python3-grpcio, h2c) for the HTTP/2 endpoint tests: /heyo.test.Echo/Echo answers the request
message's bytes prefixed with "echo: " (raw bytes, no protobuf); /heyo.test.Echo/Chat, bidirectional, answers each
message as it arrives with "echo <n>: " and its bytes. Prints its port on the first line of stdout."""
import sys
from concurrent import futures

import grpc


def echo(request, context):
    context.set_trailing_metadata((("x-echo-trailer", "yes"),))
    return b"echo: " + request


def chat(requests, context):
    # One answer per message, sent before the next is read: a client may wait for it before it sends the next.
    for n, request in enumerate(requests, 1):
        yield b"echo %d: " % n + request


def main():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    handler = grpc.method_handlers_generic_handler(
        "heyo.test.Echo", {"Echo": grpc.unary_unary_rpc_method_handler(echo),
                           "Chat": grpc.stream_stream_rpc_method_handler(chat)})
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    main()
