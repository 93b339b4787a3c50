// Exchange calls forwarded to the carrier and the proxy session; no-ops once the client is gone.
#include "net/ExchangeImpl.h"

#include "net/EventLoop.h"
#include "net/ProxySession.h"

namespace heyo::net {

ExchangeImpl::ExchangeImpl(Carrier *carrier, ProxySession *session, EventLoop *loop, RequestHead head,
                           std::shared_ptr<const PeerInfo> peer, Clock::time_point began)
    : m_carrier(carrier), m_session(session), m_loop(loop), m_head(std::move(head)), m_peer(std::move(peer)),
      m_began(began)
{
}

bool ExchangeImpl::held() const
{
    return m_session && m_session->held();
}

void ExchangeImpl::respond(int status, Headers headers, std::string body)
{
    if (!m_carrier || (m_answered && !held()))
        return;
    m_answered = true;
    if (held()) {
        m_session->respondHeld(status, std::move(headers), std::move(body));
        return;
    }
    m_carrier->respond(status, std::move(headers), std::move(body));
}

void ExchangeImpl::readBody(size_t limit, std::function<void(std::string body)> done)
{
    if (!m_carrier || m_answered || m_reading)
        return;
    m_reading = true;
    m_carrier->readBody(limit, std::move(done));
}

void ExchangeImpl::proxy(const UpstreamTarget &target, const RequestHead &head, ProxyHooks hooks)
{
    if (!m_carrier || m_answered)
        return;
    m_answered = true;
    m_session->proxy(m_head, m_began, target, head, std::move(hooks));
}

void ExchangeImpl::retry(const RequestHead &head)
{
    if (!m_carrier || !held())
        return;
    m_session->retry(head);
}

void ExchangeImpl::post(std::function<void()> fn)
{
    m_loop->post([self = shared_from_this(), fn = std::move(fn)] { fn(); });
}

void ExchangeImpl::noteError(const std::string &line)
{
    if (m_carrier)
        m_carrier->noteError(line);
}

} // namespace heyo::net
