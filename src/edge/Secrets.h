// The edge's secret handling: bcrypt password/API-key hashes (libxcrypt), API-key generation from a CSPRNG, random
// ids, constant-time comparison.
#pragma once

#include <string>
#include <string_view>

namespace heyo::edge {

// "$2b$<cost>$…" (60 chars). Empty when the secret contains a NUL byte (bcrypt would truncate it there): callers must
// refuse such a secret. Throws only when the CSPRNG or libxcrypt fails.
std::string bcryptHash(std::string_view secret, int cost = 10);
bool bcryptVerify(std::string_view secret, const std::string &hash); // constant-time compare of the result
std::string newApiKey();                                             // "heyo_" + 64 lowercase hex (256 bits)
bool isWellFormedApiKey(std::string_view key);
std::string apiKeyPrefix(std::string_view key); // first 12 characters
std::string randomHex(size_t bytes);            // CSPRNG
std::string newId(std::string_view prefix);     // prefix + "_" + 16 hex
bool constantTimeEquals(std::string_view a, std::string_view b);

} // namespace heyo::edge
