#pragma once

#include <QString>

namespace TokenTray {

// What went wrong, as a code core can reason about. User-facing text is made from it in one
// place per front end (the CLI's messages, ui/'s tr()), never in core.
enum class ErrorCode {
    Usage, // the caller asked for something malformed
    NotFound, // profile, environment or other named object
    AlreadyExists,
    Invalid, // a value failed validation
    ConfigIo, // profiles.json cannot be read or written
    ConfigCorrupt, // profiles.json is not what we wrote
    ConfigTooNew, // written by a newer schema
    ConfigReadOnly, // the store refused to write because loading failed
    SecretNotFound,
    KeychainLocked,
    NoKeychain, // no Secret Service / backend at all
    KeychainTimeout, // the backend did not answer within the deadline (e.g. a prompt is open)
    KeychainFailure, // any other backend error
    Network,
    Timeout,
    HttpStatus,
    OAuth,
    InvalidGrant,
    Rejected,
    Parse,
    Cancelled,
    Internal,
};

struct Error
{
    Error() = default;
    Error(ErrorCode errorCode, QString errorDetail = {}, int status = 0, QString errorReason = {})
        : code(errorCode)
        , detail(std::move(errorDetail))
        , httpStatus(status)
        , reason(std::move(errorReason))
    {
    }

    ErrorCode code = ErrorCode::Internal;
    // For logs and the CLI's message: never holds a secret, a request body or a header.
    QString detail;
    int httpStatus = 0;
    // The server's machine-readable reason ("invalid_grant", "AccessDenied"), when it gave one.
    QString reason;
    // The server's id for the failed request (STS RequestId, an OAuth provider's x-request-id),
    // for searching its logs or quoting to its support; shown with -v.
    QString requestId;
    // Seconds the server asked us to wait (Retry-After), or -1.
    int retryAfterSeconds = -1;

    [[nodiscard]] bool transient() const;
    [[nodiscard]] bool isKeychainError() const;
    [[nodiscard]] bool isConfigError() const;
};

QString errorCodeName(ErrorCode code);
// The inverse of errorCodeName(); Internal for a name it does not know.
ErrorCode errorCodeFromName(const QString &name);

} // namespace TokenTray
