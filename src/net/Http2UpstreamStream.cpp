// The ProxySession's calls on one HTTP/2 upstream stream, handed to its connection.
#include "net/Http2UpstreamStream.h"

#include "net/FlowControl.h"
#include "net/Http2UpstreamConnection.h"

namespace heyo::net {

void Http2UpstreamStream::start(UpstreamListener *listener, const UpstreamRequestHead &head, bool headRequest,
                                bool upgrade, std::chrono::milliseconds responseTimeout)
{
    m_listener = listener;
    m_head = &head;
    m_headRequest = headRequest;
    m_responseTimeout = responseTimeout;
    m_conn->streamStarted(this, upgrade);
}

void Http2UpstreamStream::sendBody(const char *data, size_t len, bool chunked)
{
    m_chunked = chunked;
    if (!len || m_released)
        return;
    m_body.append(data, len);
    if (m_body.size() > OutputCap)
        m_clientWaiting = true;
    m_conn->streamBody(this);
}

void Http2UpstreamStream::endBody(bool chunked)
{
    m_chunked = chunked;
    if (m_released)
        return;
    m_bodyEnded = true;
    m_conn->streamBody(this);
}

void Http2UpstreamStream::clientGone()
{
    m_conn->streamGone(this);
}

void Http2UpstreamStream::clientDrained()
{
    m_conn->streamDrained(this);
}

} // namespace heyo::net
