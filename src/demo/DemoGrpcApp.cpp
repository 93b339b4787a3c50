// The demo gRPC app: gRPC's wire format (length-prefixed messages, status in trailers) on the engine's HTTP/2.
#include "DemoGrpcApp.h"

#include <chrono>
#include <functional>
#include <thread>

namespace heyo::demo {

namespace {
constexpr size_t MaxRequestBytes = 1024 * 1024;
constexpr uint32_t MaxCount = 1000;
constexpr uint32_t MaxIntervalMs = 10000;
// gRPC status codes (grpc/status.h).
constexpr int InvalidArgument = 3;
constexpr int Unimplemented = 12;

bool readVarint(std::string_view &in, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
        const auto b = static_cast<uint8_t>(in.front());
        in.remove_prefix(1);
        *v |= uint64_t(b & 0x7f) << shift;
        if (!(b & 0x80))
            return true;
    }
    return false;
}

void writeVarint(std::string &out, uint64_t v)
{
    while (v >= 0x80) {
        out += static_cast<char>((v & 0x7f) | 0x80);
        v >>= 7;
    }
    out += static_cast<char>(v);
}

// Calls f(field, wireType, varint, bytes) for each field; false on malformed input.
template <typename F> bool forEachField(std::string_view in, F f)
{
    while (!in.empty()) {
        uint64_t key = 0;
        if (!readVarint(in, &key))
            return false;
        const uint64_t field = key >> 3, type = key & 7;
        uint64_t v = 0;
        std::string_view bytes;
        if (type == 0) {
            if (!readVarint(in, &v))
                return false;
        } else if (type == 2) {
            if (!readVarint(in, &v) || v > in.size())
                return false;
            bytes = in.substr(0, v);
            in.remove_prefix(v);
        } else {
            return false; // the demo's messages have no other wire types
        }
        f(field, type, v, bytes);
    }
    return true;
}

net::Headers grpcStatus(int code, const std::string &message = {})
{
    net::Headers t;
    t.add("grpc-status", std::to_string(code));
    if (!message.empty())
        t.add("grpc-message", message); // plain ASCII here, so no percent-encoding is needed
    return t;
}

void startGrpcResponse(const net::ExchangePtr &ex)
{
    net::ResponseHead head;
    head.headers.add("content-type", "application/grpc");
    ex->startResponse(head);
}

void fail(const net::ExchangePtr &ex, int code, const std::string &message)
{
    startGrpcResponse(ex);
    ex->endResponse(grpcStatus(code, message));
}
} // namespace

DemoGrpcApp::DemoGrpcApp() = default;

DemoGrpcApp::~DemoGrpcApp()
{
    close();
}

bool DemoGrpcApp::listen(quint16 port, QString *error)
{
    close();
    m_open = std::make_shared<Open>(); // no engine runs now, so no handler reads it meanwhile
    m_engine = std::make_unique<net::Engine>(1);
    net::ListenerConfig cfg;
    cfg.port = port;
    cfg.http2 = true;
    const net::ListenResult r = m_engine->listen(cfg, [this](const net::ExchangePtr &ex) { handle(ex); });
    if (!r.ok) {
        m_engine.reset();
        if (error)
            *error = QString::fromStdString(r.error);
        return false;
    }
    m_port = r.port;
    return true;
}

void DemoGrpcApp::close()
{
    {
        std::lock_guard lock(m_open->mutex);
        m_open->yes = false;
    }
    if (m_engine)
        m_engine->stop(std::chrono::milliseconds(0));
    m_engine.reset();
    m_port = 0;
}

std::string DemoGrpcApp::frame(const std::string &message)
{
    std::string out(5, '\0');
    const auto n = static_cast<uint32_t>(message.size());
    out[1] = static_cast<char>(n >> 24);
    out[2] = static_cast<char>(n >> 16);
    out[3] = static_cast<char>(n >> 8);
    out[4] = static_cast<char>(n);
    return out + message;
}

bool DemoGrpcApp::unframe(std::string_view body, std::vector<std::string> *messages)
{
    while (!body.empty()) {
        if (body.size() < 5 || body[0] != 0) // compressed messages are not accepted (no grpc-encoding offered)
            return false;
        const uint32_t n = (uint32_t(uint8_t(body[1])) << 24) | (uint32_t(uint8_t(body[2])) << 16) |
                           (uint32_t(uint8_t(body[3])) << 8) | uint32_t(uint8_t(body[4]));
        if (body.size() - 5 < n)
            return false;
        messages->emplace_back(body.substr(5, n));
        body.remove_prefix(5 + n);
    }
    return true;
}

std::string DemoGrpcApp::textMessage(const std::string &text)
{
    std::string out;
    if (text.empty())
        return out; // proto3: a default value is not written
    out += '\x0a';
    writeVarint(out, text.size());
    return out + text;
}

bool DemoGrpcApp::parseText(std::string_view message, std::string *text)
{
    text->clear();
    return forEachField(message, [&](uint64_t field, uint64_t type, uint64_t, std::string_view bytes) {
        if (field == 1 && type == 2)
            text->assign(bytes);
    });
}

bool DemoGrpcApp::parseCount(std::string_view message, uint32_t *n, uint32_t *intervalMs)
{
    *n = 0;
    *intervalMs = 0;
    return forEachField(message, [&](uint64_t field, uint64_t type, uint64_t v, std::string_view) {
        if (type != 0)
            return;
        if (field == 1)
            *n = static_cast<uint32_t>(std::min<uint64_t>(v, MaxCount));
        else if (field == 2)
            *intervalMs = static_cast<uint32_t>(std::min<uint64_t>(v, MaxIntervalMs));
    });
}

void DemoGrpcApp::handle(const net::ExchangePtr &ex)
{
    const net::RequestHead &rq = ex->request();
    const std::string *type = rq.headers.find("content-type");
    if (rq.method != "POST" || !type || type->rfind("application/grpc", 0) != 0) {
        net::Headers h;
        h.add("content-type", "text/plain; charset=utf-8");
        ex->respond(415, std::move(h), "this is a gRPC service (heyo.demo.Echo, see docs/demo-grpc.proto)\n");
        return;
    }
    const std::string method(rq.path());
    const std::string *email = rq.headers.find("x-heyo-email");
    const std::string caller = email ? *email : std::string("an anonymous caller");
    ex->readBody(MaxRequestBytes, [ex, method, caller, open = m_open](std::string body) {
        std::vector<std::string> messages;
        if (!unframe(body, &messages)) {
            fail(ex, InvalidArgument, "malformed gRPC message framing");
            return;
        }
        if (method == "/heyo.demo.Echo/Say") {
            std::string text;
            if (messages.size() != 1 || !parseText(messages[0], &text)) {
                fail(ex, InvalidArgument, "Say takes one Text message");
                return;
            }
            startGrpcResponse(ex);
            ex->sendBody(frame(textMessage("hello " + text + ", from " + caller)));
            ex->endResponse(grpcStatus(0));
        } else if (method == "/heyo.demo.Echo/Chat") {
            startGrpcResponse(ex);
            for (const std::string &m : messages) {
                std::string text;
                if (!parseText(m, &text)) {
                    ex->endResponse(grpcStatus(InvalidArgument, "Chat takes Text messages"));
                    return;
                }
                ex->sendBody(frame(textMessage("echo: " + text)));
            }
            ex->endResponse(grpcStatus(0));
        } else if (method == "/heyo.demo.Echo/Count") {
            uint32_t n = 0, interval = 0;
            if (messages.size() != 1 || !parseCount(messages[0], &n, &interval)) {
                fail(ex, InvalidArgument, "Count takes one CountRequest message");
                return;
            }
            startGrpcResponse(ex);
            // One message every interval, from a thread of its own: the loop thread is never made to wait. It posts
            // only while the app is open (close() takes the lock before the engine goes).
            std::thread([ex, n, interval, open] {
                auto post = [&](std::function<void()> fn) {
                    std::lock_guard lock(open->mutex);
                    if (!open->yes || ex->closed())
                        return false;
                    ex->post(std::move(fn));
                    return true;
                };
                for (uint32_t i = 1; i <= n; ++i) {
                    if (interval)
                        std::this_thread::sleep_for(std::chrono::milliseconds(interval));
                    if (!post([ex, i] { ex->sendBody(frame(textMessage(std::to_string(i)))); }))
                        return;
                }
                post([ex] { ex->endResponse(grpcStatus(0)); });
            }).detach();
        } else {
            fail(ex, Unimplemented, "no method " + method + " (heyo.demo.Echo has Say, Count, Chat)");
        }
    });
}

} // namespace heyo::demo
