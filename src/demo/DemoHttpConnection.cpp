// One HTTP/1.x server connection of a demo app: llhttp parses requests, bodies stream, responses stream out.
#include "DemoHttpConnection.h"

#include "DemoLog.h"
#include "net/HeaderUtil.h"

#include <QTcpSocket>
#include <QTimer>

namespace heyo::demo {

namespace {
DemoHttpConnection *self(llhttp_t *p)
{
    return static_cast<DemoHttpConnection *>(p->data);
}

bool bodyForbidden(int status)
{
    return (status >= 100 && status < 200) || status == 204 || status == 304;
}
} // namespace

DemoHttpConnection::DemoHttpConnection(QTcpSocket *socket, Handler handler, Timeouts timeouts, QObject *parent)
    : QObject(parent), m_socket(socket), m_handler(std::move(handler)), m_timeouts(timeouts)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &DemoHttpConnection::onTimeout);
    m_timer.start(m_timeouts.idleMs);
    socket->setParent(this);
    // A bounded socket buffer is what turns "stop reading" into TCP back-pressure on the client.
    socket->setReadBufferSize(256 << 10);
    llhttp_settings_init(&m_settings);
    m_settings.on_message_begin = &DemoHttpConnection::onMessageBegin;
    m_settings.on_url = &DemoHttpConnection::onUrl;
    m_settings.on_header_field = &DemoHttpConnection::onHeaderField;
    m_settings.on_header_value = &DemoHttpConnection::onHeaderValue;
    m_settings.on_headers_complete = &DemoHttpConnection::onHeadersComplete;
    m_settings.on_body = &DemoHttpConnection::onBody;
    m_settings.on_message_complete = &DemoHttpConnection::onMessageComplete;
    llhttp_init(&m_parser, HTTP_REQUEST, &m_settings);
    m_parser.data = this;

    connect(socket, &QTcpSocket::readyRead, this, &DemoHttpConnection::onReadyRead);
    connect(socket, &QTcpSocket::bytesWritten, this, [this] {
        if (m_exchange && !m_responseDone && bufferedOutput() < LowWater)
            m_exchange->onDrained();
    });
    connect(socket, &QTcpSocket::disconnected, this, [this] {
        m_closing = true;
        m_exchange.reset();
        emit closed();
        deleteLater();
    });
    if (socket->bytesAvailable() > 0)
        QTimer::singleShot(0, this, &DemoHttpConnection::onReadyRead);
}

DemoHttpConnection::~DemoHttpConnection()
{
    // The exchange may hold a process or timers that refer back to this connection: end it first.
    m_exchange.reset();
}

QByteArray DemoHttpConnection::reasonPhrase(int status)
{
    const std::string_view phrase = net::reasonPhrase(status);
    return QByteArray(phrase.data(), static_cast<qsizetype>(phrase.size()));
}

int DemoHttpConnection::onMessageBegin(llhttp_t *p)
{
    auto *c = self(p);
    c->m_request = DemoHttpRequest{};
    c->m_request.peer = c->m_socket ? c->m_socket->peerAddress() : QHostAddress();
    c->m_field.clear();
    c->m_value.clear();
    c->m_inValue = false;
    c->m_headBytes = 0;
    c->m_requestDone = false;
    c->m_responseStarted = false;
    c->m_responseDone = false;
    c->m_chunkedOut = false;
    c->m_bodylessOut = false;
    c->m_inHead = true;
    c->m_timer.start(c->m_timeouts.headMs);
    return 0;
}

bool DemoHttpConnection::countHead(size_t len)
{
    m_headBytes += qsizetype(len);
    if (m_headBytes > MaxHeadBytes) {
        m_failStatus = 431;
        return false;
    }
    return true;
}

int DemoHttpConnection::onUrl(llhttp_t *p, const char *at, size_t len)
{
    auto *c = self(p);
    if (!c->countHead(len))
        return -1;
    c->m_request.target.append(at, qsizetype(len));
    return 0;
}

bool DemoHttpConnection::storeHeader()
{
    // llhttp 8 lets spaces into field names; RFC 9110 §5.1 wants a token, and a proxy behind which we are tested
    // must not see us accept what it would refuse.
    static constexpr QByteArrayView tokenSpecials = "!#$%&'*+-.^_`|~";
    for (char ch : std::as_const(m_field)) {
        if (!QChar::isLetterOrNumber(uchar(ch)) || uchar(ch) > 0x7f) {
            if (!tokenSpecials.contains(ch)) {
                llhttp_set_error_reason(&m_parser, "Invalid character in header name");
                return false;
            }
        }
    }
    if (!m_field.isEmpty())
        m_request.headers.append({m_field, m_value.trimmed()});
    m_field.clear();
    m_value.clear();
    return true;
}

int DemoHttpConnection::onHeaderField(llhttp_t *p, const char *at, size_t len)
{
    auto *c = self(p);
    if (!c->countHead(len))
        return -1;
    if (c->m_inValue) {
        c->m_inValue = false;
        if (!c->storeHeader())
            return -1;
    }
    c->m_field.append(at, qsizetype(len));
    return 0;
}

int DemoHttpConnection::onHeaderValue(llhttp_t *p, const char *at, size_t len)
{
    auto *c = self(p);
    if (!c->countHead(len))
        return -1;
    c->m_inValue = true;
    c->m_value.append(at, qsizetype(len));
    return 0;
}

int DemoHttpConnection::onHeadersComplete(llhttp_t *p)
{
    auto *c = self(p);
    if (!c->storeHeader())
        return -1;
    c->headersComplete();
    return 0;
}

void DemoHttpConnection::headersComplete()
{
    m_inHead = false;
    m_timer.stop(); // from here the exchange decides how long it takes (event streams last for ever)
    DemoHttpRequest &r = m_request;
    r.method = llhttp_method_name(llhttp_method_t(m_parser.method));
    r.httpMajor = m_parser.http_major;
    r.httpMinor = m_parser.http_minor;
    r.keepAlive = llhttp_should_keep_alive(&m_parser) != 0;
    r.chunked = (m_parser.flags & F_CHUNKED) != 0;
    r.contentLength = (m_parser.flags & F_CONTENT_LENGTH) ? qint64(m_parser.content_length) : -1;
    const qsizetype q = r.target.indexOf('?');
    r.path = q < 0 ? r.target : r.target.left(q);
    r.query = q < 0 ? QByteArray() : r.target.mid(q + 1);
    m_upgrade = m_parser.upgrade != 0;
    if (!r.keepAlive || m_upgrade)
        m_closeAfter = true;

    m_exchange = m_handler ? m_handler(*this) : nullptr;
    const bool hasBody = r.chunked || r.contentLength > 0;
    if (hasBody && r.header("expect").compare("100-continue", Qt::CaseInsensitive) == 0) {
        if (!m_responseStarted)
            writeRaw("HTTP/1.1 100 Continue\r\n\r\n");
        else
            m_closeAfter = true; // the client may never send the body it was not asked for
    }
    if (!m_exchange && !m_responseStarted)
        respondText(500, "text/plain; charset=utf-8", "the demo app gave no answer\n");
}

int DemoHttpConnection::onBody(llhttp_t *p, const char *at, size_t len)
{
    auto *c = self(p);
    if (c->m_exchange)
        c->m_exchange->onBody(QByteArrayView(at, qsizetype(len)));
    return 0;
}

int DemoHttpConnection::onMessageComplete(llhttp_t *p)
{
    auto *c = self(p);
    c->m_requestDone = true;
    if (c->m_exchange)
        c->m_exchange->onEnd();
    c->scheduleAdvance();
    // One request at a time: pipelined requests wait until this response is out.
    return HPE_PAUSED;
}

void DemoHttpConnection::onReadyRead()
{
    if (!m_socket || m_closing || m_readPaused || m_parserPaused)
        return;
    m_input.append(m_socket->readAll());
    parse();
}

void DemoHttpConnection::parse()
{
    while (!m_input.isEmpty() && !m_closing && !m_parserPaused) {
        const llhttp_errno_t err = llhttp_execute(&m_parser, m_input.constData(), size_t(m_input.size()));
        if (err == HPE_OK) {
            m_input.clear();
            return;
        }
        if (err == HPE_PAUSED) {
            const qsizetype used = llhttp_get_error_pos(&m_parser) - m_input.constData();
            m_input.remove(0, qBound<qsizetype>(0, used, m_input.size()));
            m_parserPaused = true;
            return;
        }
        if (err == HPE_PAUSED_UPGRADE) {
            // The demo HTTP apps speak no upgraded protocol: answer the request, then close.
            m_input.clear();
            m_parserPaused = true;
            m_closeAfter = true;
            return;
        }
        fail(m_failStatus, llhttp_get_error_reason(&m_parser));
        return;
    }
}

void DemoHttpConnection::scheduleAdvance()
{
    if (m_advanceQueued)
        return;
    m_advanceQueued = true;
    // Queued, so an exchange that ends its response from its own callback is not destroyed under itself.
    QMetaObject::invokeMethod(this, &DemoHttpConnection::advance, Qt::QueuedConnection);
}

void DemoHttpConnection::advance()
{
    m_advanceQueued = false;
    if (m_closing || !m_socket || !m_requestDone || !m_responseDone)
        return;
    m_exchange.reset();
    if (m_closeAfter) {
        m_closing = true;
        m_socket->disconnectFromHost();
        return;
    }
    m_readPaused = false;
    m_parserPaused = false;
    m_requestDone = false;
    m_responseStarted = false;
    m_responseDone = false;
    m_timer.start(m_timeouts.idleMs);
    llhttp_resume(&m_parser);
    parse();
    if (!m_parserPaused && !m_closing && m_socket && m_socket->bytesAvailable() > 0)
        onReadyRead();
}

void DemoHttpConnection::onTimeout()
{
    if (m_closing || !m_socket)
        return;
    if (m_inHead) {
        fail(408, "the request head did not arrive in time");
        return;
    }
    m_closing = true;
    m_socket->disconnectFromHost();
}

void DemoHttpConnection::fail(int status, const QByteArray &why)
{
    qCDebug(lcDemo) << "bad request from" << m_request.peer << status << why;
    m_exchange.reset();
    m_closing = true;
    if (!m_socket)
        return;
    if (!m_responseStarted) {
        const QByteArray body = reasonPhrase(status) + ": " + why + "\n";
        writeRaw("HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) +
                 "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " + QByteArray::number(body.size()) +
                 "\r\nConnection: close\r\n\r\n" + body);
        m_socket->disconnectFromHost();
    } else {
        m_socket->abort();
    }
}

void DemoHttpConnection::writeRaw(QByteArrayView data)
{
    if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState)
        m_socket->write(data.constData(), data.size());
}

void DemoHttpConnection::respond(int status, const DemoHttpHeaders &headers, const QByteArray &body)
{
    beginResponse(status, headers, bodyForbidden(status) ? -2 : body.size());
    writeBody(body);
    endResponse();
}

void DemoHttpConnection::respondText(int status, const QByteArray &contentType, const QByteArray &body)
{
    respond(status, {{"Content-Type", contentType}}, body);
}

void DemoHttpConnection::beginResponse(int status, const DemoHttpHeaders &headers, qint64 contentLength)
{
    if (m_responseStarted || m_closing)
        return;
    m_responseStarted = true;
    const bool http10 = m_request.httpMajor == 1 && m_request.httpMinor == 0;
    m_bodylessOut = bodyForbidden(status) || m_request.method == "HEAD";
    QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    for (const auto &h : headers)
        head += h.first + ": " + h.second + "\r\n";
    head += "Server: heyo-demo\r\n";
    if (contentLength >= 0 && !bodyForbidden(status)) {
        head += "Content-Length: " + QByteArray::number(contentLength) + "\r\n";
    } else if (contentLength < 0 && contentLength != -2 && !bodyForbidden(status)) {
        if (http10)
            m_closeAfter = true; // HTTP/1.0 has no chunking: the end of the body is the end of the connection
        else
            m_chunkedOut = true, head += "Transfer-Encoding: chunked\r\n";
    }
    if (m_closeAfter)
        head += "Connection: close\r\n";
    else if (http10)
        head += "Connection: keep-alive\r\n";
    head += "\r\n";
    writeRaw(head);
}

void DemoHttpConnection::writeBody(QByteArrayView data)
{
    if (!m_responseStarted || m_responseDone || m_bodylessOut || data.isEmpty())
        return;
    if (m_chunkedOut) {
        writeRaw(QByteArray::number(data.size(), 16) + "\r\n");
        writeRaw(data);
        writeRaw("\r\n");
    } else {
        writeRaw(data);
    }
}

void DemoHttpConnection::endResponse()
{
    if (!m_responseStarted || m_responseDone)
        return;
    if (m_chunkedOut && !m_bodylessOut)
        writeRaw("0\r\n\r\n");
    m_responseDone = true;
    scheduleAdvance();
}

void DemoHttpConnection::flush()
{
    if (m_socket)
        m_socket->flush();
}

qint64 DemoHttpConnection::bufferedOutput() const
{
    return m_socket ? m_socket->bytesToWrite() : 0;
}

void DemoHttpConnection::setReadPaused(bool paused)
{
    if (m_readPaused == paused)
        return;
    m_readPaused = paused;
    if (!paused)
        QTimer::singleShot(0, this, &DemoHttpConnection::onReadyRead);
}

} // namespace heyo::demo
