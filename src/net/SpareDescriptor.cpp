// The process-wide spare descriptor (the "EMFILE trick" of libuv and others).
#include "net/SpareDescriptor.h"

#include <fcntl.h>
#include <mutex>
#include <sys/socket.h>
#include <unistd.h>

namespace heyo::net {

namespace {
std::mutex g_mutex;
int g_spare = -1;

void reserveLocked()
{
    if (g_spare < 0)
        g_spare = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}
} // namespace

void SpareDescriptor::reserve()
{
    std::lock_guard lock(g_mutex);
    reserveLocked();
}

bool SpareDescriptor::acceptWith(int listenFd, const std::function<void(int fd)> &answer)
{
    std::lock_guard lock(g_mutex);
    reserveLocked();
    if (g_spare < 0)
        return false;
    ::close(g_spare);
    g_spare = -1;
    // Another thread may take the freed number first; then accept fails again and the caller pauses instead.
    const int fd = ::accept4(listenFd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0)
        answer(fd);
    reserveLocked();
    return fd >= 0;
}

} // namespace heyo::net
