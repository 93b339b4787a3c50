// Background getaddrinfo with a small cache.
#include "net/Resolver.h"

#include "net/EventLoop.h"
#include "net/HeaderUtil.h"

#include <arpa/inet.h>
#include <cstring>
#include <netdb.h>
#include <netinet/in.h>

namespace heyo::net {

namespace {
constexpr auto CacheTtl = std::chrono::seconds(30);

void setPort(sockaddr_storage &ss, uint16_t port)
{
    if (ss.ss_family == AF_INET)
        reinterpret_cast<sockaddr_in &>(ss).sin_port = htons(port);
    else if (ss.ss_family == AF_INET6)
        reinterpret_cast<sockaddr_in6 &>(ss).sin6_port = htons(port);
}

bool literal(const std::string &host, uint16_t port, Resolver::Addresses *out)
{
    std::string h = host;
    if (h.size() > 2 && h.front() == '[' && h.back() == ']')
        h = h.substr(1, h.size() - 2);
    sockaddr_storage ss{};
    auto *v4 = reinterpret_cast<sockaddr_in *>(&ss);
    auto *v6 = reinterpret_cast<sockaddr_in6 *>(&ss);
    if (inet_pton(AF_INET, h.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
    } else if (inet_pton(AF_INET6, h.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
    } else {
        return false;
    }
    setPort(ss, port);
    out->push_back(ss);
    return true;
}
} // namespace

Resolver::Resolver() : m_thread([this] { run(); }) {}

Resolver::~Resolver()
{
    stop();
}

void Resolver::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
        m_jobs.clear();
    }
    m_cv.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

bool Resolver::isLoopbackName(const std::string &host)
{
    std::string_view h = host;
    if (!h.empty() && h.back() == '.')
        h.remove_suffix(1);
    if (equalsIgnoreCase(h, "localhost"))
        return true;
    return h.size() > 10 && equalsIgnoreCase(h.substr(h.size() - 10), ".localhost");
}

bool Resolver::resolveNow(const std::string &host, uint16_t port, Addresses *out)
{
    out->clear();
    if (literal(host, port, out))
        return true;
    if (isLoopbackName(host)) { // RFC 6761: never ask DNS
        literal("127.0.0.1", port, out);
        literal("::1", port, out);
        return true;
    }
    std::lock_guard lock(m_mutex);
    auto it = m_cache.find(host);
    if (it == m_cache.end() || it->second.expires < std::chrono::steady_clock::now())
        return false;
    *out = it->second.addresses;
    for (auto &a : *out)
        setPort(a, port);
    return true;
}

void Resolver::resolveLater(const std::string &host, uint16_t port, EventLoop *loop, Callback done)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_stop)
            return;
        m_jobs.push_back({host, port, loop, std::move(done)});
    }
    m_cv.notify_one();
}

void Resolver::run()
{
    for (;;) {
        Job job;
        {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [&] { return m_stop || !m_jobs.empty(); });
            if (m_stop)
                return;
            job = std::move(m_jobs.front());
            m_jobs.pop_front();
        }
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_ADDRCONFIG;
        addrinfo *res = nullptr;
        int rc = getaddrinfo(job.host.c_str(), nullptr, &hints, &res);
        Addresses addrs;
        std::string error;
        if (rc != 0) {
            error = std::string("cannot resolve ") + job.host + ": " + gai_strerror(rc);
        } else {
            for (addrinfo *ai = res; ai; ai = ai->ai_next) {
                sockaddr_storage ss{};
                std::memcpy(&ss, ai->ai_addr, std::min<size_t>(ai->ai_addrlen, sizeof ss));
                setPort(ss, job.port);
                addrs.push_back(ss);
            }
            freeaddrinfo(res);
        }
        {
            std::lock_guard lock(m_mutex);
            if (m_stop)
                return;
            if (!addrs.empty())
                m_cache[job.host] = {addrs, std::chrono::steady_clock::now() + CacheTtl};
        }
        job.loop->post([done = std::move(job.done), addrs = std::move(addrs), error = std::move(error)]() mutable {
            done(std::move(addrs), std::move(error));
        });
    }
}

} // namespace heyo::net
