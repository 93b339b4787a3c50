// Finds which local user owns the other end of a loopback TCP connection (Linux sock_diag, /proc/net fallback).
#pragma once

#include <cstdint>

namespace heyo::net {

// `fd` is our accepted socket. Returns the uid owning the peer's socket, or -1 when unknown.
int64_t lookupPeerUid(int fd);

} // namespace heyo::net
