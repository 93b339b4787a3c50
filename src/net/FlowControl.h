// The buffer marks that give a proxied exchange back-pressure both ways, on either protocol: a side whose output
// holds more than OutputCap bytes stops reading the other side, and lets it go on once below OutputLowMark.
#pragma once

#include <cstddef>

namespace heyo::net {

inline constexpr size_t OutputCap = 256 * 1024;
inline constexpr size_t OutputLowMark = 64 * 1024;

} // namespace heyo::net
