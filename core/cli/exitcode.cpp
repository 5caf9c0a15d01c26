#include "core/cli/exitcode.h"

#include "core/util/redact.h"

#include <QStringList>

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

QString serverDiagnosis(const Error &error)
{
    QStringList parts;
    if (!error.reason.isEmpty())
        parts << QStringLiteral("server error code ") + withoutControlCharacters(error.reason);
    if (error.httpStatus > 0 && !parts.isEmpty())
        parts << QStringLiteral("HTTP %1").arg(error.httpStatus);
    if (!error.requestId.isEmpty())
        parts << QStringLiteral("request id ") + withoutControlCharacters(error.requestId);
    return parts.join(QStringLiteral(", "));
}

} // namespace TokenTray
