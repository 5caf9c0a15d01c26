#pragma once

#include "core/util/result.h"

#include <QDateTime>
#include <QJsonObject>

#include <optional>

namespace TokenTray {

// A JWT's header and claims, decoded WITHOUT verifying the signature: used only to read `exp`
// when a token response has no expires_in, and to show claims (marked unverified) in the UI.
struct UnverifiedJwt
{
    QJsonObject header;
    QJsonObject claims;
    [[nodiscard]] std::optional<QDateTime> expiresAt() const;
    [[nodiscard]] std::optional<QDateTime> issuedAt() const;
};

// Fails (Parse) unless `token` is three base64url parts whose first two are JSON objects.
// Pure; fuzzed.
Result<UnverifiedJwt> decodeJwtUnverified(const QByteArray &token);

} // namespace TokenTray
