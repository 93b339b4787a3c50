// Builds the OpenSSL contexts the engine uses: a server context from PEM files, a client context that verifies
// peers against the system CAs plus an optional extra CA, with TLS session resumption on.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>

namespace heyo::net {

struct SslCtxDeleter {
    void operator()(SSL_CTX *ctx) const { SSL_CTX_free(ctx); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxDeleter>;

// nullptr and `*error` set when a file is missing, unreadable, or the key does not match the certificate.
SslCtxPtr makeServerTlsContext(const std::string &certChainFile, const std::string &keyFile, std::string *error);
// `extraCaFile` may be empty. Verification is always on; there is deliberately no way to turn it off.
SslCtxPtr makeClientTlsContext(const std::string &extraCaFile, std::string *error);

// Server side ALPN (contexts from makeServerTlsContext): a connection marked here may select "h2"; every other one
// selects "http/1.1" (or nothing, when the client offered neither).
void offerHttp2(SSL *ssl);
// The connection's handshake selected "h2".
bool selectedHttp2(SSL *ssl);

} // namespace heyo::net
