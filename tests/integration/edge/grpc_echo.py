#!/usr/bin/python3
"""A gRPC app (python3-grpcio, h2c) for the edge's HTTP/2 endpoint test: /heyo.test.Echo/Echo answers the request
message's bytes prefixed with "echo: " (raw bytes, no protobuf). Prints its port on the first line of stdout."""
import sys
from concurrent import futures

import grpc


def echo(request, context):
    context.set_trailing_metadata((("x-echo-trailer", "yes"),))
    return b"echo: " + request


def main():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    handler = grpc.method_handlers_generic_handler(
        "heyo.test.Echo", {"Echo": grpc.unary_unary_rpc_method_handler(echo)})
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    main()
