#include "core/oauth/jwt.h"

#include <QJsonDocument>

#include <cmath>

namespace TokenTray {
namespace {

constexpr qsizetype kMaxJwtBytes = 64 * 1024;

std::optional<QJsonObject> decodePart(const QByteArray &part)
{
    const auto decoded = QByteArray::fromBase64Encoding(
        part,
        QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals
            | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(*decoded, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    return doc.object();
}

std::optional<QDateTime> numericDate(const QJsonObject &claims, const char *name)
{
    const QJsonValue v = claims.value(QLatin1String(name));
    if (!v.isDouble())
        return std::nullopt;
    const double seconds = v.toDouble();
    // 0 .. year 9999
    if (!std::isfinite(seconds) || seconds < 0 || seconds > 253402300799.0)
        return std::nullopt;
    return QDateTime::fromSecsSinceEpoch(static_cast<qint64>(seconds), Qt::UTC);
}

} // namespace

std::optional<QDateTime> UnverifiedJwt::expiresAt() const
{
    return numericDate(claims, "exp");
}

std::optional<QDateTime> UnverifiedJwt::issuedAt() const
{
    return numericDate(claims, "iat");
}

Result<UnverifiedJwt> decodeJwtUnverified(const QByteArray &token)
{
    Error notJwt {ErrorCode::Parse, QStringLiteral("the token is not a JWT")};
    if (token.isEmpty() || token.size() > kMaxJwtBytes)
        return notJwt;
    const QList<QByteArray> parts = token.split('.');
    if (parts.size() != 3 || parts.at(0).isEmpty() || parts.at(1).isEmpty())
        return notJwt;
    const auto header = decodePart(parts.at(0));
    const auto claims = decodePart(parts.at(1));
    if (!header || !claims)
        return notJwt;
    return UnverifiedJwt {*header, *claims};
}

} // namespace TokenTray
