// Raising and reading RLIMIT_NOFILE.
#include "net/FdLimit.h"

#include <algorithm>
#include <cstdio>
#include <sys/resource.h>

namespace heyo::net {

namespace {
// The most descriptors a process may be given (setrlimit above it fails); 1 Mi, the kernel's default, if unreadable.
rlim_t kernelMaximum()
{
    unsigned long n = 0;
    if (FILE *f = std::fopen("/proc/sys/fs/nr_open", "re")) {
        if (std::fscanf(f, "%lu", &n) != 1)
            n = 0;
        std::fclose(f);
    }
    return n ? static_cast<rlim_t>(n) : static_cast<rlim_t>(1) << 20;
}
} // namespace

size_t fdLimit()
{
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 1024;
    return rl.rlim_cur == RLIM_INFINITY ? kernelMaximum() : static_cast<size_t>(rl.rlim_cur);
}

size_t raiseFdLimit()
{
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != rl.rlim_max) {
        rlimit want = rl;
        want.rlim_cur = rl.rlim_max;
        // An unlimited hard limit cannot be the soft one: RLIMIT_NOFILE may not exceed fs.nr_open.
        if (setrlimit(RLIMIT_NOFILE, &want) != 0) {
            want.rlim_cur = std::min(rl.rlim_max, kernelMaximum());
            if (want.rlim_cur > rl.rlim_cur)
                setrlimit(RLIMIT_NOFILE, &want);
        }
    }
    return fdLimit();
}

} // namespace heyo::net
