#include "core/cli/exitcode.h"

namespace TokenTray {

ExitCode exitCodeFor(const Error &error)
{
    switch (error.code) {
    case ErrorCode::Usage:
    case ErrorCode::Invalid:
    case ErrorCode::AlreadyExists:
        return ExitCode::Usage;
    case ErrorCode::NotFound:
    case ErrorCode::SecretNotFound:
        return ExitCode::NotFound;
    case ErrorCode::OAuth:
    case ErrorCode::InvalidGrant:
    case ErrorCode::Rejected:
        return ExitCode::Rejected;
    case ErrorCode::Network:
    case ErrorCode::Timeout:
    case ErrorCode::HttpStatus:
    case ErrorCode::Parse:
        return ExitCode::Network;
    case ErrorCode::KeychainLocked:
    case ErrorCode::NoKeychain:
    case ErrorCode::KeychainTimeout:
    case ErrorCode::KeychainFailure:
        return ExitCode::Keychain;
    case ErrorCode::ConfigIo:
    case ErrorCode::ConfigCorrupt:
    case ErrorCode::ConfigTooNew:
    case ErrorCode::ConfigReadOnly:
        return ExitCode::Config;
    case ErrorCode::Cancelled:
    case ErrorCode::Internal:
        return ExitCode::Failure;
    }
    return ExitCode::Failure;
}

} // namespace TokenTray
