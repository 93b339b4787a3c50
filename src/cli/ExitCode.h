// `heyo`'s exit codes, documented in `heyo --help`.
#pragma once

namespace heyo::cli {

enum ExitCode : int {
    ExitOk = 0,
    ExitFailure = 1,     // the service refused, the network or the keychain failed
    ExitUsage = 2,       // bad command line
    ExitNotSignedIn = 3, // not signed in, or the session expired: run `heyo login`
};

} // namespace heyo::cli
