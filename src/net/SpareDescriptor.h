// One descriptor the process keeps in reserve, so that a listener that has run out of descriptors can still take a
// waiting connection off its backlog, answer it and close it, instead of leaving the client to wait in the dark.
#pragma once

#include <functional>

namespace heyo::net {

class SpareDescriptor {
public:
    // Opens the spare if it is not open yet (it may have been lost to another thread while it was lent out).
    static void reserve();
    // Lends the spare to accept one connection from `listenFd`, hands it to `answer` (which must close it), and takes
    // the spare back. False when there is no spare or nothing to accept. Thread-safe.
    static bool acceptWith(int listenFd, const std::function<void(int fd)> &answer);
};

} // namespace heyo::net
