#include "core/util/error.h"

namespace TokenTray {

bool Error::transient() const
{
    // AWS throttling arrives as HTTP 400 with one of these codes: wait and retry.
    if (reason == QLatin1String("Throttling") || reason == QLatin1String("ThrottlingException")
        || reason == QLatin1String("RequestLimitExceeded"))
        return true;
    switch (code) {
    case ErrorCode::Network:
    case ErrorCode::Timeout:
    case ErrorCode::KeychainTimeout:
    case ErrorCode::Parse: // a garbled reply may be a proxy's hiccup; retries are bounded
        return true;
    case ErrorCode::HttpStatus:
        return httpStatus == 429 || httpStatus >= 500;
    default:
        return false;
    }
}

bool Error::isKeychainError() const
{
    switch (code) {
    case ErrorCode::KeychainLocked:
    case ErrorCode::NoKeychain:
    case ErrorCode::KeychainTimeout:
    case ErrorCode::KeychainFailure:
        return true;
    default:
        return false;
    }
}

bool Error::isConfigError() const
{
    switch (code) {
    case ErrorCode::ConfigIo:
    case ErrorCode::ConfigCorrupt:
    case ErrorCode::ConfigTooNew:
    case ErrorCode::ConfigReadOnly:
        return true;
    default:
        return false;
    }
}

QString errorCodeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::Usage:
        return QStringLiteral("usage");
    case ErrorCode::NotFound:
        return QStringLiteral("not-found");
    case ErrorCode::AlreadyExists:
        return QStringLiteral("already-exists");
    case ErrorCode::Invalid:
        return QStringLiteral("invalid");
    case ErrorCode::ConfigIo:
        return QStringLiteral("config-io");
    case ErrorCode::ConfigCorrupt:
        return QStringLiteral("config-corrupt");
    case ErrorCode::ConfigTooNew:
        return QStringLiteral("config-too-new");
    case ErrorCode::ConfigReadOnly:
        return QStringLiteral("config-read-only");
    case ErrorCode::SecretNotFound:
        return QStringLiteral("secret-not-found");
    case ErrorCode::KeychainLocked:
        return QStringLiteral("keychain-locked");
    case ErrorCode::NoKeychain:
        return QStringLiteral("no-keychain");
    case ErrorCode::KeychainTimeout:
        return QStringLiteral("keychain-timeout");
    case ErrorCode::KeychainFailure:
        return QStringLiteral("keychain-failure");
    case ErrorCode::Network:
        return QStringLiteral("network");
    case ErrorCode::Timeout:
        return QStringLiteral("timeout");
    case ErrorCode::HttpStatus:
        return QStringLiteral("http-status");
    case ErrorCode::OAuth:
        return QStringLiteral("oauth");
    case ErrorCode::InvalidGrant:
        return QStringLiteral("invalid-grant");
    case ErrorCode::Rejected:
        return QStringLiteral("rejected");
    case ErrorCode::Parse:
        return QStringLiteral("parse");
    case ErrorCode::Cancelled:
        return QStringLiteral("cancelled");
    case ErrorCode::Internal:
        return QStringLiteral("internal");
    }
    return QStringLiteral("internal");
}

ErrorCode errorCodeFromName(const QString &name)
{
    for (int i = 0; i <= int(ErrorCode::Internal); ++i) {
        if (errorCodeName(ErrorCode(i)) == name)
            return ErrorCode(i);
    }
    return ErrorCode::Internal;
}

} // namespace TokenTray
