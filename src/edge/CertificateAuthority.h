// The local-mode TLS material: on first start a CA and a server certificate for localhost, <domain> and *.<domain>
// (plus 127.0.0.1 and ::1) are created under DIR/tls; private keys 0600. Later starts reuse them, renewing the
// server certificate when it is near expiry or the domain changed.
#pragma once

#include <string>

namespace heyo::edge {

struct TlsFiles {
    std::string caCert;     // DIR/tls/ca.pem — what clients are pointed at
    std::string serverCert; // DIR/tls/server.pem (server cert + CA chain)
    std::string serverKey;  // DIR/tls/server-key.pem
};

// false and `*error` when the directory cannot be written or existing files are unreadable.
bool ensureLocalTls(const std::string &dataDir, const std::string &domain, TlsFiles *files, std::string *error);

} // namespace heyo::edge
