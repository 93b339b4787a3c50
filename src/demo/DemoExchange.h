// One request/response exchange of a demo app that needs the request body or answers over time.
#pragma once

#include <QByteArrayView>

namespace heyo::demo {

// Owned by its DemoHttpConnection, which outlives it. A handler that answers at once needs no exchange.
class DemoExchange {
public:
    virtual ~DemoExchange() = default;
    // A piece of the request body, as it arrives.
    virtual void onBody(QByteArrayView data) { Q_UNUSED(data); }
    // The request body is complete.
    virtual void onEnd() {}
    // The connection's output buffer fell below its low-water mark: write more if there is more.
    virtual void onDrained() {}
};

} // namespace heyo::demo
