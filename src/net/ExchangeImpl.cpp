// Exchange calls forwarded to the connection; no-ops once the client is gone.
#include "net/ExchangeImpl.h"

#include "net/ClientConnection.h"
#include "net/EventLoop.h"

namespace heyo::net {

ExchangeImpl::ExchangeImpl(ClientConnection *conn, EventLoop *loop, RequestHead head,
                           std::shared_ptr<const PeerInfo> peer)
    : m_conn(conn), m_loop(loop), m_head(std::move(head)), m_peer(std::move(peer))
{
}

void ExchangeImpl::respond(int status, Headers headers, std::string body)
{
    if (!m_conn || (m_answered && !m_held))
        return;
    m_answered = true;
    if (m_held) {
        m_held = false;
        m_conn->respondHeld(status, std::move(headers), std::move(body));
        return;
    }
    m_conn->respond(status, std::move(headers), std::move(body));
}

void ExchangeImpl::readBody(size_t limit, std::function<void(std::string body)> done)
{
    if (!m_conn || m_answered || m_reading)
        return;
    m_reading = true;
    m_conn->readBody(limit, std::move(done));
}

void ExchangeImpl::proxy(const UpstreamTarget &target, const RequestHead &head, ProxyHooks hooks)
{
    if (!m_conn || m_answered)
        return;
    m_answered = true;
    m_conn->proxy(target, head, std::move(hooks));
}

void ExchangeImpl::retry(const RequestHead &head)
{
    if (!m_conn || !m_held)
        return;
    m_held = false;
    m_conn->retryProxy(head);
}

void ExchangeImpl::post(std::function<void()> fn)
{
    m_loop->post([self = shared_from_this(), fn = std::move(fn)] { fn(); });
}

void ExchangeImpl::noteError(const std::string &line)
{
    if (m_conn)
        m_conn->noteError(line);
}

} // namespace heyo::net
