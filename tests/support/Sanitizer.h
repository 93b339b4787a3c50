// Whether this test runs in the sanitizer lane (HEYO_SANITIZE), and memory ceilings widened for that lane only.
#pragma once

namespace heyo::test {

// True in a build with HEYO_SANITIZE (tests/CMakeLists.txt defines HEYO_SANITIZED for the tests): our code, and the
// programs a test starts, run under AddressSanitizer and UBSan.
constexpr bool underSanitizer()
{
#ifdef HEYO_SANITIZED
    return true;
#else
    return false;
#endif
}

// What ASan adds to a streaming process's peak memory: it keeps freed blocks out of reuse until 256 MiB of them have
// piled up (quarantine_size_mb) and adds redzones and shadow. Peaks measured under ASan: 33 MiB (tst_demogitapp) to
// 620 MiB (the forwarder during tst_e2e_clients' 256 MiB upload); 1 GiB leaves room for a slower machine.
constexpr long long kSanitizerMemoryAllowance = 1LL << 30;

// A memory ceiling in bytes: exactly `bytes` in a normal build, `bytes` plus the allowance above under ASan, where
// the lane looks for memory errors, not for growth.
constexpr long long memoryLimit(long long bytes)
{
    return underSanitizer() ? bytes + kSanitizerMemoryAllowance : bytes;
}

} // namespace heyo::test
