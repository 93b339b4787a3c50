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

void ExchangeImpl::startResponse(const ResponseHead &head)
{
    if (!m_carrier || m_answered)
        return;
    m_answered = true;
    m_streaming = true;
    const bool bodiless = m_head.method == "HEAD" || head.status < 200 || head.status == 204 || head.status == 304;
    m_carrier->downstream().responseHead(head, bodiless ? ProxyDownstream::Body::None : ProxyDownstream::Body::Unknown,
                                         0);
}

bool ExchangeImpl::sendBody(std::string_view data)
{
    if (!m_carrier || !m_streaming || data.empty())
        return false;
    return m_carrier->downstream().responseBody(data.data(), data.size());
}

void ExchangeImpl::endResponse(Headers trailers)
{
    if (!m_carrier || !m_streaming)
        return;
    m_streaming = false;
    ProxyDownstream &down = m_carrier->downstream();
    if (!trailers.empty())
        down.responseTrailers(std::move(trailers));
    down.responseEnd();
    down.proxyFinished(); // as after a proxied response: the carrier may take the next request
}

void ExchangeImpl::run(std::shared_ptr<ExchangeImpl> ex, const Handler &handler)
{
    auto fail = [&ex](const std::string &line) {
        if (ex->answered() || ex->closed())
            return;
        ex->markAnswered();
        if (!line.empty())
            ex->m_carrier->noteError(line);
        ex->m_carrier->respond(500, Headers{}, "internal error\n");
    };
    try {
        handler(ex);
    } catch (const std::exception &e) {
        fail(std::string("handler failed: ") + e.what());
    } catch (...) {
        fail({});
    }
    if (!ex->answered() && !ex->reading() && !ex->closed() && ex.use_count() <= 2) {
        ex->markAnswered();
        ex->m_carrier->respond(500, Headers{}, "the request was not answered\n");
    }
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
