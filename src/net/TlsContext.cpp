// OpenSSL context construction for the engine's server and client sides.
#include "net/TlsContext.h"

#include "net/UpstreamConnection.h"

#include <openssl/err.h>

namespace heyo::net {

namespace {
std::string lastSslError()
{
    unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (!code)
        return "unknown error";
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    return buf;
}

void setError(std::string *error, std::string text)
{
    if (error)
        *error = std::move(text);
}

int http2ExIndex()
{
    static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

// The server's preference order: h2 first where the listener serves it, then HTTP/1.1.
int selectAlpn(SSL *ssl, const unsigned char **out, unsigned char *outlen, const unsigned char *in, unsigned inlen,
               void *)
{
    static const unsigned char both[] = "\x02h2\x08http/1.1";
    static const unsigned char http1[] = "\x08http/1.1";
    const bool h2 = SSL_get_ex_data(ssl, http2ExIndex()) != nullptr;
    const unsigned char *mine = h2 ? both : http1;
    const unsigned mineLen = static_cast<unsigned>(h2 ? sizeof both - 1 : sizeof http1 - 1);
    unsigned char *selected = nullptr;
    if (SSL_select_next_proto(&selected, outlen, mine, mineLen, in, inlen) != OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}
} // namespace

void offerHttp2(SSL *ssl)
{
    static int marker = 1;
    SSL_set_ex_data(ssl, http2ExIndex(), &marker);
}

bool selectedHttp2(SSL *ssl)
{
    const unsigned char *p = nullptr;
    unsigned len = 0;
    SSL_get0_alpn_selected(ssl, &p, &len);
    return len == 2 && p[0] == 'h' && p[1] == '2';
}

SslCtxPtr makeServerTlsContext(const std::string &certChainFile, const std::string &keyFile, std::string *error)
{
    ERR_clear_error();
    SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
    if (!ctx) {
        setError(error, "SSL_CTX_new: " + lastSslError());
        return nullptr;
    }
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
    SSL_CTX_set_options(ctx.get(), SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), certChainFile.c_str()) != 1) {
        setError(error, "cannot use certificate chain " + certChainFile + ": " + lastSslError());
        return nullptr;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx.get(), keyFile.c_str(), SSL_FILETYPE_PEM) != 1) {
        setError(error, "cannot use private key " + keyFile + ": " + lastSslError());
        return nullptr;
    }
    if (SSL_CTX_check_private_key(ctx.get()) != 1) {
        setError(error, "the private key " + keyFile + " does not match the certificate " + certChainFile);
        return nullptr;
    }
    static const unsigned char sid[] = "heyo";
    SSL_CTX_set_session_id_context(ctx.get(), sid, sizeof sid - 1);
    SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_SERVER);
    SSL_CTX_set_alpn_select_cb(ctx.get(), selectAlpn, nullptr);
    SSL_CTX_set_read_ahead(ctx.get(), 1);
    return ctx;
}

SslCtxPtr makeClientTlsContext(const std::string &extraCaFile, std::string *error)
{
    ERR_clear_error();
    SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
    if (!ctx) {
        setError(error, "SSL_CTX_new: " + lastSslError());
        return nullptr;
    }
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
    if (SSL_CTX_set_default_verify_paths(ctx.get()) != 1) {
        setError(error, "cannot load the system CA certificates: " + lastSslError());
        return nullptr;
    }
    if (!extraCaFile.empty() && SSL_CTX_load_verify_locations(ctx.get(), extraCaFile.c_str(), nullptr) != 1) {
        setError(error, "cannot load CA file " + extraCaFile + ": " + lastSslError());
        return nullptr;
    }
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    // Sessions are kept per upstream by the engine's pool, not in OpenSSL's internal cache; the callback hands
    // each one over as it arrives (with TLS 1.3 that is after the handshake, when the first bytes are read).
    SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx.get(), upstreamNewSession);
    SSL_CTX_set_read_ahead(ctx.get(), 1);
    return ctx;
}

} // namespace heyo::net
