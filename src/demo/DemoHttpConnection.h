// One HTTP/1.x server connection of a demo app: llhttp parses requests, bodies stream, responses stream out.
#pragma once

#include "DemoExchange.h"
#include "DemoHttpRequest.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <memory>

#include <llhttp.h>

class QTcpSocket;

namespace heyo::demo {

class DemoHttpConnection : public QObject {
    Q_OBJECT
public:
    // Called when a request head is complete. Either answers at once (respond()) and returns nullptr, in which case
    // any body is discarded, or returns an exchange that gets the body and answers when it likes.
    using Handler = std::function<std::unique_ptr<DemoExchange>(DemoHttpConnection &)>;

    static constexpr qint64 HighWater = 1 << 20;  // stop producing output above this many buffered bytes
    static constexpr qint64 LowWater = 256 << 10; // onDrained() once the buffer falls below this
    static constexpr qsizetype MaxHeadBytes = 64 << 10;

    // Slow or silent clients are dropped: a request head must be complete within headTimeoutMs of its first byte
    // (else 408), and a kept-alive connection closes after idleTimeoutMs without a new request.
    struct Timeouts {
        int headMs = 30000;
        int idleMs = 120000;
    };

    DemoHttpConnection(QTcpSocket *socket, Handler handler, Timeouts timeouts, QObject *parent = nullptr);
    ~DemoHttpConnection() override;

    const DemoHttpRequest &request() const { return m_request; }

    // A whole response with a known body; adds Content-Length and Connection.
    void respond(int status, const DemoHttpHeaders &headers, const QByteArray &body);
    // A JSON or text shortcut for respond().
    void respondText(int status, const QByteArray &contentType, const QByteArray &body);
    // Streams a response: contentLength < 0 means chunked (HTTP/1.1) or close-delimited (HTTP/1.0).
    void beginResponse(int status, const DemoHttpHeaders &headers, qint64 contentLength = -1);
    void writeBody(QByteArrayView data);
    void endResponse();
    // Sends what is buffered without waiting for the event loop (for event streams).
    void flush();

    bool responseStarted() const { return m_responseStarted; }
    qint64 bufferedOutput() const;
    // Stops (true) or restarts feeding request body to the exchange, so a slow consumer pushes back on the client.
    void setReadPaused(bool paused);

    static QByteArray reasonPhrase(int status);

signals:
    void closed();

private:
    static int onMessageBegin(llhttp_t *p);
    static int onUrl(llhttp_t *p, const char *at, size_t len);
    static int onHeaderField(llhttp_t *p, const char *at, size_t len);
    static int onHeaderValue(llhttp_t *p, const char *at, size_t len);
    static int onHeadersComplete(llhttp_t *p);
    static int onBody(llhttp_t *p, const char *at, size_t len);
    static int onMessageComplete(llhttp_t *p);

    bool countHead(size_t len);
    bool storeHeader();
    void headersComplete();
    void onReadyRead();
    void parse();
    void scheduleAdvance();
    void advance();
    void fail(int status, const QByteArray &why);
    void writeRaw(QByteArrayView data);
    void onTimeout();

    QPointer<QTcpSocket> m_socket;
    Handler m_handler;
    llhttp_t m_parser{};
    llhttp_settings_t m_settings{};
    DemoHttpRequest m_request;
    std::unique_ptr<DemoExchange> m_exchange;
    QByteArray m_input; // received but not yet parsed (while paused between requests)
    QByteArray m_field;
    QByteArray m_value;
    bool m_inValue = false;
    qsizetype m_headBytes = 0;
    int m_failStatus = 400;
    bool m_requestDone = false;
    bool m_responseStarted = false;
    bool m_responseDone = false;
    bool m_chunkedOut = false;
    bool m_bodylessOut = false; // HEAD request or a status without body
    bool m_closeAfter = false;
    bool m_parserPaused = false;
    bool m_readPaused = false;
    bool m_advanceQueued = false;
    bool m_closing = false;
    bool m_upgrade = false;
    Timeouts m_timeouts;
    QTimer m_timer; // head or idle timeout, whichever applies now
    bool m_inHead = false;
};

} // namespace heyo::demo
