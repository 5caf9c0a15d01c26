#pragma once

#include "core/util/error.h"

namespace TokenTray {

// tokentray-cli's documented exit codes (DESIGN §8, docs/cli.md).
enum class ExitCode : int {
    Ok = 0,
    Failure = 1,
    Usage = 2,
    NotFound = 3,
    Rejected = 4,
    Network = 5,
    Keychain = 6,
    Config = 7,
};

ExitCode exitCodeFor(const Error &error);

} // namespace TokenTray
