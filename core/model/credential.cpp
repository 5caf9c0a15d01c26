#include "core/model/credential.h"

#include "core/util/knownsecrets.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace TokenTray {

qint64 Credential::secondsLeft(const QDateTime &now) const
{
    if (!expires())
        return std::numeric_limits<qint64>::max();
    return now.secsTo(expiresAt);
}

qint64 Credential::lifetimeMs() const
{
    if (!expires() || !issuedAt.isValid())
        return 0;
    return issuedAt.msecsTo(expiresAt);
}

QByteArray Credential::toCacheBytes() const
{
    QJsonObject o;
    o.insert(QLatin1String("v"), 1);
    if (!accessToken.isEmpty())
        o.insert(QLatin1String("access_token"), accessToken.exposeUtf8());
    if (!tokenType.isEmpty())
        o.insert(QLatin1String("token_type"), tokenType);
    if (!scopes.isEmpty())
        o.insert(QLatin1String("scopes"), QJsonArray::fromStringList(scopes));
    if (issuedAt.isValid())
        o.insert(QLatin1String("issued_at"), issuedAt.toUTC().toString(Qt::ISODateWithMs));
    if (expiresAt.isValid())
        o.insert(QLatin1String("expires_at"), expiresAt.toUTC().toString(Qt::ISODateWithMs));
    if (!accessKeyId.isEmpty()) {
        o.insert(QLatin1String("access_key_id"), accessKeyId);
        o.insert(QLatin1String("secret_access_key"), secretAccessKey.exposeUtf8());
        if (!sessionToken.isEmpty())
            o.insert(QLatin1String("session_token"), sessionToken.exposeUtf8());
    }
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

Result<Credential> Credential::fromCacheBytes(const QByteArray &bytes)
{
    const QJsonDocument doc = QJsonDocument::fromJson(bytes);
    if (!doc.isObject() || doc.object().value(QLatin1String("v")).toInt() != 1)
        return Error {ErrorCode::Parse,
                      QStringLiteral("the cached token is not in a known format")};
    const QJsonObject o = doc.object();
    Credential c;
    c.accessToken = Secret::fromUtf8(o.value(QLatin1String("access_token")).toString());
    c.tokenType = o.value(QLatin1String("token_type")).toString();
    for (const auto &v : o.value(QLatin1String("scopes")).toArray())
        c.scopes << v.toString();
    c.issuedAt
        = QDateTime::fromString(o.value(QLatin1String("issued_at")).toString(), Qt::ISODateWithMs);
    c.expiresAt
        = QDateTime::fromString(o.value(QLatin1String("expires_at")).toString(), Qt::ISODateWithMs);
    c.accessKeyId = o.value(QLatin1String("access_key_id")).toString();
    c.secretAccessKey = Secret::fromUtf8(o.value(QLatin1String("secret_access_key")).toString());
    c.sessionToken = Secret::fromUtf8(o.value(QLatin1String("session_token")).toString());
    if (c.isEmpty())
        return Error {ErrorCode::Parse, QStringLiteral("the cached token is empty")};
    for (const Secret *s : {&c.accessToken, &c.secretAccessKey, &c.sessionToken})
        KnownSecrets::remember(s->expose()); // for the redactor
    return c;
}

} // namespace TokenTray
