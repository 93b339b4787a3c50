// What a loop thread knows of every accepted client connection, whatever protocol it speaks (HTTP/1.1:
// ClientConnection; HTTP/2: Http2Connection), so that closing a listener can drain or close them alike.
#pragma once

#include "net/Http.h"
#include "net/IoHandler.h"

namespace heyo::net {

class ServerConnection : public IoHandler {
public:
    using IoHandler::IoHandler;

    virtual ListenerId listenerId() const = 0;
    virtual bool idle() const = 0;    // no request in progress: closing it loses nothing
    virtual void beginShutdown() = 0; // finish what is in progress, take nothing new
    virtual void close() = 0;
};

} // namespace heyo::net
