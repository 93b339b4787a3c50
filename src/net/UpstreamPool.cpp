// Idle upstream connections and TLS sessions per key.
#include "net/UpstreamPool.h"

#include "net/Http2UpstreamConnection.h"

#include <charconv>
#include <cstdint>

#include <algorithm>

namespace heyo::net {

UpstreamPool::~UpstreamPool()
{
    for (auto &[k, s] : m_sessions)
        SSL_SESSION_free(s);
}

void UpstreamPool::writeKey(const UpstreamTarget &t, std::string &k)
{
    // Runs for every proxied request: to_chars, not snprintf (which was 0.5 % of the forwarder's CPU).
    char num[24];
    k.assign(t.host);
    k += '\n';
    k.append(num, static_cast<size_t>(std::to_chars(num, num + sizeof num, t.port).ptr - num));
    k += '\n';
    k.append(num, static_cast<size_t>(std::to_chars(num, num + sizeof num, reinterpret_cast<uintptr_t>(t.tls), 16).ptr -
                                      num));
    k += '\n';
    k += t.sni.empty() ? t.host : t.sni;
    k += '\n';
    k += static_cast<char>('0' + static_cast<int>(t.protocol));
}

UpstreamConnection *UpstreamPool::take(const std::string &key)
{
    auto it = m_idle.find(key);
    if (it == m_idle.end() || it->second.empty())
        return nullptr;
    UpstreamConnection *c = it->second.back();
    it->second.pop_back();
    return c;
}

bool UpstreamPool::put(const std::string &key, UpstreamConnection *c)
{
    auto &v = m_idle[key];
    if (v.size() >= m_maxIdlePerKey)
        return false;
    v.push_back(c);
    return true;
}

void UpstreamPool::drop(const std::string &key, UpstreamConnection *c)
{
    auto it = m_idle.find(key);
    if (it != m_idle.end())
        std::erase(it->second, c);
}

size_t UpstreamPool::idleCount() const
{
    size_t n = 0;
    for (auto &[k, v] : m_idle)
        n += v.size();
    return n;
}

Http2UpstreamConnection *UpstreamPool::http2(const std::string &key) const
{
    auto it = m_http2.find(key);
    if (it == m_http2.end())
        return nullptr;
    for (Http2UpstreamConnection *c : it->second)
        if (c->available())
            return c;
    return nullptr;
}

void UpstreamPool::addHttp2(const std::string &key, Http2UpstreamConnection *c)
{
    m_http2[key].push_back(c);
}

void UpstreamPool::dropHttp2(const std::string &key, Http2UpstreamConnection *c)
{
    auto it = m_http2.find(key);
    if (it == m_http2.end())
        return;
    std::erase(it->second, c);
    if (it->second.empty())
        m_http2.erase(it);
}

SSL_SESSION *UpstreamPool::session(const std::string &key) const
{
    auto it = m_sessions.find(key);
    return it == m_sessions.end() ? nullptr : it->second;
}

void UpstreamPool::storeSession(const std::string &key, SSL_SESSION *s)
{
    auto &slot = m_sessions[key];
    if (slot)
        SSL_SESSION_free(slot);
    slot = s;
}

} // namespace heyo::net
