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

// What -v adds under an error's one sentence: the server's own error code, the HTTP status and
// the server's request id, so the failure can be searched for or quoted to the provider, e.g.
// "server error code SignatureDoesNotMatch, HTTP 403, request id 0d2f...". Empty when the
// server said none of it.
QString serverDiagnosis(const Error &error);

} // namespace TokenTray
