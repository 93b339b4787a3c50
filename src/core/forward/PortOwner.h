// Names the process holding a local TCP port, so "port in use" can say by whom (Linux: /proc; empty elsewhere or
// when the owner belongs to another user and cannot be seen).
#pragma once

#include <QString>

namespace heyo::forward {

class PortOwner {
public:
    // e.g. "nginx (pid 1234)", or empty when unknown.
    static QString describe(quint16 port);
};

} // namespace heyo::forward
