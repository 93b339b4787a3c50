// The process's descriptor limit: raised to the hard limit at start by every program, read back to size what holds
// descriptors, and the test for "out of descriptors" that the accept and connect paths share.
#pragma once

#include <cerrno>
#include <cstddef>

namespace heyo::net {

// Raises the soft RLIMIT_NOFILE to the hard limit (capped at what the kernel accepts, fs.nr_open) and returns the
// soft limit now in force. The common default soft limit of 1,024 is far below what a proxy needs (two descriptors
// per proxied connection); the hard limit is what the administrator allows. Call it first thing in main().
size_t raiseFdLimit();

// The soft RLIMIT_NOFILE in force now.
size_t fdLimit();

// EMFILE (this process) or ENFILE (the whole system): answered with 503, not treated as the peer's failure.
inline bool outOfDescriptors(int err)
{
    return err == EMFILE || err == ENFILE;
}

} // namespace heyo::net
