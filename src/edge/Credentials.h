// Finds the service token a request carries, in the reference order (X-Heyo-Authorization, Authorization: Bearer,
// Basic auth with the token as password, the __heyo_token cookie), and removes the one that was used.
#pragma once

#include "net/Http.h"

#include <string>
#include <vector>

namespace heyo::edge {

enum class CredentialSource { HeyoAuthorization, Bearer, Basic, Cookie };

struct Credential {
    CredentialSource source;
    std::string token;
};

inline constexpr std::string_view kTokenCookie = "__heyo_token";

class Credentials {
public:
    // Every candidate the headers carry, in precedence order.
    static std::vector<Credential> find(const net::Headers &headers);
    // Only the API's forms: X-Heyo-Authorization or Authorization: Bearer.
    static std::string bearer(const net::Headers &headers);
    // Removes the header (or the single cookie) that carried `source`, leaving everything else untouched.
    static void remove(net::Headers &headers, CredentialSource source);
};

} // namespace heyo::edge
