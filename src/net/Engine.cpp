// Engine: loop threads, listener sockets, graceful close and counters.
#include "net/Http.h"

#include "net/FdLimit.h"
#include "net/Resolver.h"
#include "net/Worker.h"

#include <algorithm>
#include <arpa/inet.h>
#include <csignal>
#include <cstring>
#include <future>
#include <map>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace heyo::net {

struct Engine::Impl {
    int threads = 1;
    bool started = false;
    bool stopped = false;
    std::unique_ptr<Resolver> resolver;
    std::vector<std::unique_ptr<Worker>> workers;
    mutable std::mutex mutex;
    std::map<ListenerId, std::shared_ptr<ListenerState>> listeners;
    ListenerId nextId = 1;

    bool onLoopThread() const
    {
        for (auto &w : workers)
            if (w->loop().inLoopThread())
                return true;
        return false;
    }
};

Engine::Engine(int threads) : d(std::make_unique<Impl>())
{
    d->threads = std::max(1, threads);
}

Engine::~Engine()
{
    stop(std::chrono::milliseconds(0));
}

void Engine::start()
{
    std::lock_guard lock(d->mutex);
    if (d->started || d->stopped)
        return;
    std::signal(SIGPIPE, SIG_IGN); // OpenSSL writes with write(2); a vanished peer must never kill the process
    d->resolver = std::make_unique<Resolver>();
    // Idle pooled connections may hold at most a quarter of the descriptors, so they never starve live ones: with the
    // common limit of 1,024 and two threads that is 128 per thread and upstream; from 4,096 descriptors on, the cap.
    const size_t idleCap =
        std::clamp<size_t>(fdLimit() / 4 / static_cast<size_t>(d->threads), 16, UpstreamPool::MaxIdlePerKey);
    for (int i = 0; i < d->threads; ++i) {
        d->workers.push_back(std::make_unique<Worker>(i, d->resolver.get()));
        d->workers.back()->pool().setMaxIdlePerKey(idleCap);
    }
    for (auto &w : d->workers)
        w->start();
    d->started = true;
}

ListenResult Engine::listen(ListenerConfig config, Handler handler, ListenerId *id)
{
    start();
    ListenResult res;
    std::string host = config.address;
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    const std::string where =
        (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(config.port);
    sockaddr_storage ss{};
    socklen_t len = 0;
    auto *v4 = reinterpret_cast<sockaddr_in *>(&ss);
    auto *v6 = reinterpret_cast<sockaddr_in6 *>(&ss);
    if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(config.port);
        len = sizeof *v4;
    } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(config.port);
        len = sizeof *v6;
    } else {
        res.error = "invalid listen address " + config.address;
        return res;
    }
    int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        res.error = std::string("socket: ") + std::strerror(errno);
        return res;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one); // TIME_WAIT only; no SO_REUSEPORT sharing
    if (ss.ss_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (::bind(fd, reinterpret_cast<sockaddr *>(&ss), len) != 0) {
        int e = errno;
        ::close(fd);
        res.error = where + (e == EADDRINUSE ? " is already in use" : std::string(": ") + std::strerror(e));
        return res;
    }
    if (::listen(fd, 1024) != 0) {
        int e = errno;
        ::close(fd);
        res.error = where + ": " + std::strerror(e);
        return res;
    }
    sockaddr_storage bound{};
    socklen_t bl = sizeof bound;
    getsockname(fd, reinterpret_cast<sockaddr *>(&bound), &bl);
    res.port = ntohs(bound.ss_family == AF_INET ? reinterpret_cast<sockaddr_in &>(bound).sin_port
                                                : reinterpret_cast<sockaddr_in6 &>(bound).sin6_port);
    auto state = std::make_shared<ListenerState>();
    state->config = std::move(config);
    state->handler = std::move(handler);
    state->fd = fd;
    {
        std::lock_guard lock(d->mutex);
        state->id = d->nextId++;
        d->listeners[state->id] = state;
    }
    for (auto &w : d->workers) {
        Worker *wp = w.get();
        wp->loop().post([wp, state] { wp->addListener(state); });
    }
    if (id)
        *id = state->id;
    res.ok = true;
    return res;
}

void Engine::closeListener(ListenerId id, std::chrono::milliseconds grace)
{
    std::shared_ptr<ListenerState> state;
    {
        std::lock_guard lock(d->mutex);
        auto it = d->listeners.find(id);
        if (it == d->listeners.end() || !d->started)
            return;
        state = it->second;
    }
    if (state->closing.exchange(true))
        return;
    auto remaining = std::make_shared<std::atomic<int>>(static_cast<int>(d->workers.size()));
    auto done = std::make_shared<std::promise<void>>();
    auto fut = done->get_future();
    for (auto &w : d->workers) {
        Worker *wp = w.get();
        wp->loop().post([wp, state, grace, remaining, done] {
            wp->removeListener(state->id, grace);
            if (remaining->fetch_sub(1) == 1) {
                // Every loop has stopped watching it. shutdown() stops the listening at once, even while another
                // thread still holds a reference to the socket for a moment (close() alone could let a connect
                // through right after closeListener returned).
                ::shutdown(state->fd, SHUT_RDWR);
                ::close(state->fd);
                state->fd = -1;
                done->set_value();
            }
        });
    }
    if (!d->onLoopThread())
        fut.wait();
}

int Engine::activeExchanges() const
{
    int active = 0;
    for (auto &w : d->workers)
        active += w->activeExchanges.load(std::memory_order_relaxed);
    return active;
}

Counters Engine::counters(ListenerId id) const
{
    std::lock_guard lock(d->mutex);
    auto it = d->listeners.find(id);
    return it == d->listeners.end() ? Counters{} : it->second->snapshot();
}

void Engine::stop(std::chrono::milliseconds grace)
{
    std::vector<ListenerId> ids;
    {
        std::lock_guard lock(d->mutex);
        if (!d->started)
            return;
        for (auto &[id, s] : d->listeners)
            ids.push_back(id);
    }
    for (ListenerId id : ids)
        closeListener(id, grace);
    // Let in-flight requests finish, up to the grace period.
    const auto until = std::chrono::steady_clock::now() + grace;
    for (;;) {
        if (activeExchanges() == 0 || std::chrono::steady_clock::now() >= until)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    d->resolver->stop();
    for (auto &w : d->workers)
        w->quitAndJoin();
    d->workers.clear();
    std::lock_guard lock(d->mutex);
    d->started = false;
    d->stopped = true;
}

} // namespace heyo::net
