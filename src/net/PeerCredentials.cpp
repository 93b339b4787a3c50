// The peer socket is ours in reverse: its source is our peer address and its destination our local address.
#include "net/PeerCredentials.h"

#include <arpa/inet.h>
#include <cstdio>
#include <cstring>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

namespace heyo::net {

namespace {

int64_t viaNetlink(const sockaddr_storage &local, const sockaddr_storage &peer)
{
    int nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (nl < 0)
        return -1;
    struct {
        nlmsghdr nlh;
        inet_diag_req_v2 req;
    } msg{};
    msg.nlh.nlmsg_len = sizeof msg;
    msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    msg.nlh.nlmsg_flags = NLM_F_REQUEST;
    msg.req.sdiag_family = static_cast<uint8_t>(peer.ss_family);
    msg.req.sdiag_protocol = IPPROTO_TCP;
    msg.req.idiag_states = ~0u;
    msg.req.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
    msg.req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
    if (peer.ss_family == AF_INET) {
        auto &p = reinterpret_cast<const sockaddr_in &>(peer);
        auto &l = reinterpret_cast<const sockaddr_in &>(local);
        msg.req.id.idiag_sport = p.sin_port;
        msg.req.id.idiag_dport = l.sin_port;
        std::memcpy(msg.req.id.idiag_src, &p.sin_addr, 4);
        std::memcpy(msg.req.id.idiag_dst, &l.sin_addr, 4);
    } else {
        auto &p = reinterpret_cast<const sockaddr_in6 &>(peer);
        auto &l = reinterpret_cast<const sockaddr_in6 &>(local);
        msg.req.id.idiag_sport = p.sin6_port;
        msg.req.id.idiag_dport = l.sin6_port;
        std::memcpy(msg.req.id.idiag_src, &p.sin6_addr, 16);
        std::memcpy(msg.req.id.idiag_dst, &l.sin6_addr, 16);
    }
    sockaddr_nl sa{};
    sa.nl_family = AF_NETLINK;
    int64_t uid = -1;
    timeval tv{1, 0};
    setsockopt(nl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (sendto(nl, &msg, sizeof msg, 0, reinterpret_cast<sockaddr *>(&sa), sizeof sa) == sizeof msg) {
        alignas(nlmsghdr) char buf[8192];
        ssize_t n = recv(nl, buf, sizeof buf, 0);
        for (auto *h = reinterpret_cast<nlmsghdr *>(buf); n > 0 && NLMSG_OK(h, static_cast<unsigned>(n));
             h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
                break;
            if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY) {
                auto *m = static_cast<inet_diag_msg *>(NLMSG_DATA(h));
                uid = m->idiag_uid;
                break;
            }
        }
    }
    ::close(nl);
    return uid;
}

// /proc/net/tcp{,6} lists local and remote address:port in kernel hex; the peer socket's "local" is our peer.
int64_t viaProc(const sockaddr_storage &local, const sockaddr_storage &peer)
{
    const bool v6 = peer.ss_family == AF_INET6;
    FILE *f = std::fopen(v6 ? "/proc/net/tcp6" : "/proc/net/tcp", "r");
    if (!f)
        return -1;
    auto hexAddr = [&](const sockaddr_storage &ss) {
        char out[40] = {0};
        if (!v6) {
            uint32_t a;
            std::memcpy(&a, &reinterpret_cast<const sockaddr_in &>(ss).sin_addr, 4);
            std::snprintf(out, sizeof out, "%08X:%04X", a, ntohs(reinterpret_cast<const sockaddr_in &>(ss).sin_port));
        } else {
            uint32_t w[4];
            std::memcpy(w, &reinterpret_cast<const sockaddr_in6 &>(ss).sin6_addr, 16);
            std::snprintf(out, sizeof out, "%08X%08X%08X%08X:%04X", w[0], w[1], w[2], w[3],
                          ntohs(reinterpret_cast<const sockaddr_in6 &>(ss).sin6_port));
        }
        return std::string(out);
    };
    const std::string want = hexAddr(peer) + " " + hexAddr(local);
    char line[512];
    int64_t uid = -1;
    while (std::fgets(line, sizeof line, f)) {
        char la[64], ra[64];
        unsigned st;
        long u;
        if (std::sscanf(line, " %*d: %63s %63s %x %*s %*s %*s %ld", la, ra, &st, &u) != 4)
            continue;
        if (want == std::string(la) + " " + ra) {
            uid = u;
            break;
        }
    }
    std::fclose(f);
    return uid;
}

} // namespace

int64_t lookupPeerUid(int fd)
{
    sockaddr_storage local{}, peer{};
    socklen_t ll = sizeof local, pl = sizeof peer;
    if (getsockname(fd, reinterpret_cast<sockaddr *>(&local), &ll) != 0 ||
        getpeername(fd, reinterpret_cast<sockaddr *>(&peer), &pl) != 0)
        return -1;
    if (peer.ss_family != AF_INET && peer.ss_family != AF_INET6)
        return -1;
    int64_t uid = viaNetlink(local, peer);
    return uid >= 0 ? uid : viaProc(local, peer);
}

} // namespace heyo::net
