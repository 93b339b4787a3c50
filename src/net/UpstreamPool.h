// A loop's keep-alive pool of idle HTTP/1.1 upstream connections, its HTTP/2 connections (shared by many exchanges
// at once), what it learnt of Negotiate targets (an http/1.1 ALPN answer) and its cache of TLS sessions, keyed by
// (host, port, tls context, sni, protocol).
#pragma once

#include "net/Http.h"

#include <openssl/ssl.h>

#include <string>
#include <unordered_map>
#include <vector>

namespace heyo::net {

class Http2UpstreamConnection;
class UpstreamConnection;

class UpstreamPool {
public:
    static constexpr size_t MaxIdlePerKey = 512; // the most, whatever the descriptor limit
    UpstreamPool() = default;
    ~UpstreamPool();
    UpstreamPool(const UpstreamPool &) = delete;
    UpstreamPool &operator=(const UpstreamPool &) = delete;

    // The pool key of a target, written into `key` reusing its buffer (no allocation on a keep-alive connection's
    // next request).
    static void writeKey(const UpstreamTarget &t, std::string &key);

    UpstreamConnection *take(const std::string &key);        // most recently used idle connection, or nullptr
    bool put(const std::string &key, UpstreamConnection *c); // false → pool full, caller closes
    void drop(const std::string &key, UpstreamConnection *c);
    size_t idleCount() const;

    // An HTTP/2 connection of `key` that takes another stream now (below the peer's MAX_CONCURRENT_STREAMS, no
    // GOAWAY), or nullptr.
    Http2UpstreamConnection *http2(const std::string &key) const;
    void addHttp2(const std::string &key, Http2UpstreamConnection *c);
    void dropHttp2(const std::string &key, Http2UpstreamConnection *c);
    // The SETTINGS_MAX_CONCURRENT_STREAMS the latest HTTP/2 connection of `key` was given (what a new one assumes).
    uint32_t http2MaxStreams(const std::string &key, uint32_t otherwise) const
    {
        auto it = m_http2MaxStreams.find(key);
        return it == m_http2MaxStreams.end() ? otherwise : it->second;
    }
    void setHttp2MaxStreams(const std::string &key, uint32_t n) { m_http2MaxStreams[key] = n; }
    // A Negotiate target whose server answered ALPN with http/1.1: its next connections are HTTP/1.1 from the start.
    void rememberHttp1(const std::string &key) { m_http1Keys[key] = true; }
    bool speaksHttp1(const std::string &key) const { return m_http1Keys.count(key) != 0; }
    // At most this many idle connections per key (the engine sizes it from the descriptor limit).
    void setMaxIdlePerKey(size_t n) { m_maxIdlePerKey = n; }
    size_t maxIdlePerKey() const { return m_maxIdlePerKey; }

    SSL_SESSION *session(const std::string &key) const;        // borrowed
    void storeSession(const std::string &key, SSL_SESSION *s); // takes ownership

private:
    size_t m_maxIdlePerKey = MaxIdlePerKey;
    std::unordered_map<std::string, std::vector<UpstreamConnection *>> m_idle;
    std::unordered_map<std::string, std::vector<Http2UpstreamConnection *>> m_http2;
    std::unordered_map<std::string, bool> m_http1Keys;
    std::unordered_map<std::string, uint32_t> m_http2MaxStreams;
    std::unordered_map<std::string, SSL_SESSION *> m_sessions;
};

} // namespace heyo::net
