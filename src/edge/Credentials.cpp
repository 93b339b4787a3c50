// Credential extraction and removal for the edge and the API.
#include "edge/Credentials.h"

#include <QByteArray>

#include "net/Ascii.h"

namespace heyo::edge {

static std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

static std::string bearerOf(const std::string *value)
{
    if (!value || !net::startsWithIgnoreCase(*value, "Bearer "))
        return {};
    return std::string(trim(std::string_view(*value).substr(7)));
}

static std::string basicPasswordOf(const std::string *value)
{
    if (!value || !net::startsWithIgnoreCase(*value, "Basic "))
        return {};
    std::string_view encoded = trim(std::string_view(*value).substr(6));
    auto decoded = QByteArray::fromBase64Encoding(QByteArray(encoded.data(), qsizetype(encoded.size())),
                                                  QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return {};
    qsizetype colon = decoded.decoded.indexOf(':');
    return colon < 0 ? std::string() : decoded.decoded.mid(colon + 1).toStdString();
}

// Calls `fn(name, value)` for each pair of a Cookie header value.
template <typename Fn> static void forEachCookie(std::string_view header, Fn fn)
{
    while (!header.empty()) {
        size_t semi = header.find(';');
        std::string_view pair = trim(header.substr(0, semi));
        size_t eq = pair.find('=');
        if (eq != std::string_view::npos)
            fn(trim(pair.substr(0, eq)), trim(pair.substr(eq + 1)), pair);
        if (semi == std::string_view::npos)
            break;
        header.remove_prefix(semi + 1);
    }
}

std::vector<Credential> Credentials::find(const net::Headers &headers)
{
    std::vector<Credential> found;
    if (auto t = bearerOf(headers.find("X-Heyo-Authorization")); !t.empty())
        found.push_back({CredentialSource::HeyoAuthorization, std::move(t)});
    const std::string *authorization = headers.find("Authorization");
    if (auto t = bearerOf(authorization); !t.empty())
        found.push_back({CredentialSource::Bearer, std::move(t)});
    if (auto t = basicPasswordOf(authorization); !t.empty())
        found.push_back({CredentialSource::Basic, std::move(t)});
    for (std::string_view cookieHeader : headers.all("Cookie"))
        forEachCookie(cookieHeader, [&](std::string_view name, std::string_view value, std::string_view) {
            if (name == kTokenCookie && !value.empty())
                found.push_back({CredentialSource::Cookie, std::string(value)});
        });
    return found;
}

std::string Credentials::bearer(const net::Headers &headers)
{
    if (auto t = bearerOf(headers.find("X-Heyo-Authorization")); !t.empty())
        return t;
    return bearerOf(headers.find("Authorization"));
}

void Credentials::remove(net::Headers &headers, CredentialSource source)
{
    switch (source) {
    case CredentialSource::HeyoAuthorization:
        headers.remove("X-Heyo-Authorization");
        return;
    case CredentialSource::Bearer:
    case CredentialSource::Basic:
        headers.remove("Authorization");
        return;
    case CredentialSource::Cookie:
        break;
    }
    std::vector<std::string> kept;
    for (std::string_view cookieHeader : headers.all("Cookie")) {
        std::string rest;
        forEachCookie(cookieHeader, [&](std::string_view name, std::string_view, std::string_view pair) {
            if (name == kTokenCookie)
                return;
            if (!rest.empty())
                rest += "; ";
            rest += pair;
        });
        if (!rest.empty())
            kept.push_back(std::move(rest));
    }
    headers.remove("Cookie");
    for (auto &c : kept)
        headers.add("Cookie", std::move(c));
}

} // namespace heyo::edge
