// The demo gRPC app: the heyo.demo.Echo service (Say: unary, Count: server-streaming, Chat: bidirectional) in the
// gRPC wire format over HTTP/2 (h2c), served by the engine. Messages are hand-encoded protobuf of one field each,
// written out in docs/demo-grpc.proto; any gRPC client with that file (or raw bytes) can call it.
#pragma once

#include "net/Http.h"

#include <QString>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace heyo::demo {

class DemoGrpcApp {
public:
    DemoGrpcApp();
    ~DemoGrpcApp();
    DemoGrpcApp(const DemoGrpcApp &) = delete;
    DemoGrpcApp &operator=(const DemoGrpcApp &) = delete;

    bool listen(quint16 port, QString *error);
    quint16 port() const { return m_port; }
    void close();

    // The gRPC wire format, public for the tests: length-prefixed messages, and the one-field protobuf messages.
    static std::string frame(const std::string &message);
    // Splits a request body into its messages; false if it is not a sequence of whole, uncompressed frames.
    static bool unframe(std::string_view body, std::vector<std::string> *messages);
    static std::string textMessage(const std::string &text); // heyo.demo.Text { string text = 1; }
    static bool parseText(std::string_view message, std::string *text);
    static bool parseCount(std::string_view message, uint32_t *n, uint32_t *intervalMs); // heyo.demo.CountRequest

private:
    void handle(const net::ExchangePtr &ex);

    struct Open { // whether streams still running on their threads may post to the engine
        std::mutex mutex;
        bool yes = true;
    };
    std::shared_ptr<Open> m_open = std::make_shared<Open>();
    std::unique_ptr<net::Engine> m_engine;
    quint16 m_port = 0;
};

} // namespace heyo::demo
