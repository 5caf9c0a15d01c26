#pragma once

#include "core/util/result.h"
#include "core/util/secret.h"

#include <QByteArray>
#include <QStringList>

#include <optional>

namespace TokenTray {

struct HttpResponse;

// A token endpoint's successful answer (RFC 6749 §5.1).
struct TokenResponse
{
    Secret accessToken;
    QString tokenType;
    std::optional<qint64> expiresIn; // seconds
    Secret refreshToken; // empty unless the server issued (or rotated) one
    QStringList scopes; // empty = as requested
    Secret idToken;
};

// Parses a token endpoint's reply. A 200 must be a JSON object with a non-empty string
// access_token; a 400/401 with a JSON "error" becomes the matching ErrorCode (invalid_grant →
// InvalidGrant, invalid_client and other refusals → Rejected) with `reason` set; 429 and 5xx are
// transient HttpStatus errors; anything else is Parse or HttpStatus. Pure; fuzzed.
Result<TokenResponse> parseTokenResponse(int httpStatus, const QByteArray &body);

// The OAuth error object of a 4xx reply (RFC 6749 §5.2), or nullopt when there is none.
struct OAuthError
{
    QString error;
    QString description;
};
std::optional<OAuthError> parseOAuthError(const QByteArray &body);

// The id a server gave the request in a response header (x-request-id, request-id,
// x-amzn-RequestId, x-ms-request-id, ...), or "" when it sent none that looks like an id.
QString requestIdOf(const HttpResponse &response);

} // namespace TokenTray
