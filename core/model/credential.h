#pragma once

#include "core/util/result.h"
#include "core/util/secret.h"

#include <QDateTime>
#include <QJsonObject>
#include <QStringList>

namespace TokenTray {

// An immutable snapshot handed to consumers: a bearer token (or, for AWS kinds, a key triple)
// with its absolute lifetime. Never mutated in place; a refresh produces a new one.
struct Credential
{
    Secret accessToken; // bearer token, or the AWS session token's access key pair below
    QString tokenType; // "Bearer", "DPoP", … as the server said
    QStringList scopes;
    QDateTime issuedAt; // UTC
    QDateTime expiresAt; // UTC; invalid = never expires (static tokens)
    // AWS kinds
    QString accessKeyId;
    Secret secretAccessKey;
    Secret sessionToken;

    [[nodiscard]] bool isEmpty() const { return accessToken.isEmpty() && accessKeyId.isEmpty(); }
    [[nodiscard]] bool expires() const { return expiresAt.isValid(); }
    [[nodiscard]] bool isExpired(const QDateTime &now) const
    {
        return expires() && now >= expiresAt;
    }
    [[nodiscard]] qint64 secondsLeft(const QDateTime &now) const;
    [[nodiscard]] qint64 lifetimeMs() const;

    // The keychain's token_cache item. Holds the token itself, so it only ever goes to the
    // keychain.
    [[nodiscard]] QByteArray toCacheBytes() const;
    static Result<Credential> fromCacheBytes(const QByteArray &bytes);
};

} // namespace TokenTray
