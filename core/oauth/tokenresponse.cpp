#include "core/oauth/tokenresponse.h"

#include "core/net/httpjob.h"
#include "core/util/knownsecrets.h"
#include "core/util/redact.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>

namespace TokenTray {
namespace {

constexpr qint64 kMaxExpiresIn = 10LL * 365 * 24 * 3600; // ten years: anything beyond is nonsense

// Printable ASCII without quotes or backslashes, as RFC 6749 allows for error codes; anything
// else is not echoed into messages.
QString safeCode(const QString &code)
{
    static const QRegularExpression re(QRegularExpression::anchoredPattern(
        QStringLiteral("[\\x20-\\x21\\x23-\\x5B\\x5D-\\x7E]{1,64}")));
    return re.match(code).hasMatch() ? code : QStringLiteral("(unreadable)");
}

Error parseError(const QString &detail)
{
    return Error {ErrorCode::Parse, QStringLiteral("the token endpoint's answer ") + detail};
}

// RFC 6749 §11.1 type-name: what goes before the token in an Authorization header.
bool isTokenTypeName(const QString &type)
{
    static const QRegularExpression re(
        QRegularExpression::anchoredPattern(QStringLiteral("[A-Za-z0-9._-]{1,64}")));
    return re.match(type).hasMatch();
}

// RFC 6749 §A.12 access_token (VSCHAR) without the space: visible ASCII. Control characters,
// white space and anything beyond ASCII would let a server inject headers or terminal escapes
// wherever the token is printed or sent. Stricter RFC 6750 b64token would refuse tokens real
// providers issue (Salesforce session ids hold a "!").
bool isAccessTokenText(const QString &token)
{
    return std::all_of(token.begin(), token.end(),
                       [](QChar c) { return c.unicode() > 0x20 && c.unicode() < 0x7F; });
}

// Refresh and ID tokens are only stored and sent back in a form body; they must still not
// carry control characters or white space (RFC 6749 VSCHAR).
bool isVisibleText(const QString &token)
{
    return !hasControlCharacters(token)
        && std::none_of(token.begin(), token.end(), [](QChar c) { return c.isSpace(); });
}

// RFC 6749 §A.7 scope-token: %x21 / %x23-5B / %x5D-7E.
bool isScopeToken(const QString &scope)
{
    static const QRegularExpression re(
        QRegularExpression::anchoredPattern(QStringLiteral("[\\x21\\x23-\\x5B\\x5D-\\x7E]+")));
    return re.match(scope).hasMatch();
}

} // namespace

std::optional<OAuthError> parseOAuthError(const QByteArray &body)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    const QJsonValue error = doc.object().value(QLatin1String("error"));
    if (!error.isString() || error.toString().isEmpty())
        return std::nullopt;
    OAuthError out;
    out.error = safeCode(error.toString());
    const QJsonValue description = doc.object().value(QLatin1String("error_description"));
    if (description.isString())
        out.description = withoutControlCharacters(description.toString()).left(300);
    return out;
}

QString requestIdOf(const HttpResponse &response)
{
    static const QRegularExpression idShape(
        QRegularExpression::anchoredPattern(QStringLiteral("[A-Za-z0-9_.:/+=-]{1,128}")));
    for (const char *name :
         {"x-request-id", "request-id", "x-amzn-requestid", "x-amz-request-id", "x-ms-request-id",
          "x-okta-request-id", "x-correlation-id", "x-trace-id"}) {
        QString value = QString::fromLatin1(response.header(name).trimmed());
        if (idShape.match(value).hasMatch())
            return value;
    }
    return QString();
}

Result<TokenResponse> parseTokenResponse(int httpStatus, const QByteArray &body)
{
    if (httpStatus == 400 || httpStatus == 401 || httpStatus == 403) {
        const auto oauth = parseOAuthError(body);
        if (!oauth)
            return Error {
                ErrorCode::HttpStatus,
                QStringLiteral("the token endpoint answered HTTP %1 without an OAuth error")
                    .arg(httpStatus),
                httpStatus};
        Error e {ErrorCode::Rejected, QString(), httpStatus, oauth->error};
        if (oauth->error == QLatin1String("invalid_grant"))
            e.code = ErrorCode::InvalidGrant;
        else if (oauth->error == QLatin1String("authorization_pending")
                 || oauth->error == QLatin1String("slow_down"))
            e.code = ErrorCode::OAuth; // device flow: keep polling
        e.detail = QStringLiteral("the token endpoint refused: ") + oauth->error
            + (oauth->description.isEmpty()
                   ? QString()
                   : QStringLiteral(" (") + oauth->description + QLatin1Char(')'));
        return e;
    }
    if (httpStatus != 200) {
        if (httpStatus >= 300 && httpStatus < 400)
            return Error {ErrorCode::HttpStatus,
                          QStringLiteral("the token endpoint answered with a redirect (HTTP %1), "
                                         "which TokenTray does not follow")
                              .arg(httpStatus),
                          httpStatus};
        return Error {ErrorCode::HttpStatus,
                      QStringLiteral("the token endpoint answered HTTP %1").arg(httpStatus),
                      httpStatus};
    }

    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &pe);
    if (pe.error != QJsonParseError::NoError)
        return parseError(QStringLiteral("is not JSON (") + pe.errorString() + QLatin1Char(')'));
    if (!doc.isObject())
        return parseError(QStringLiteral("is not a JSON object"));
    const QJsonObject o = doc.object();

    TokenResponse r;
    const QJsonValue access = o.value(QLatin1String("access_token"));
    if (access.isUndefined())
        return parseError(QStringLiteral("has no access_token"));
    if (!access.isString() || access.toString().isEmpty())
        return parseError(QStringLiteral("has an access_token that is not a non-empty string"));
    if (!isAccessTokenText(access.toString()))
        return parseError(QStringLiteral("has an access_token with characters a token cannot "
                                         "have (control characters, white space or non-ASCII)"));
    r.accessToken = Secret::fromUtf8(access.toString());

    const QJsonValue type = o.value(QLatin1String("token_type"));
    if (type.isUndefined() || type.isNull())
        r.tokenType = QStringLiteral("Bearer"); // required by RFC 6749, omitted by some servers
    else if (type.isString() && isTokenTypeName(type.toString()))
        r.tokenType = type.toString();
    else
        return parseError(QStringLiteral("has a token_type that is not a token type name"));

    const QJsonValue expires = o.value(QLatin1String("expires_in"));
    if (!expires.isUndefined() && !expires.isNull()) {
        double seconds = -1;
        if (expires.isDouble()) {
            seconds = expires.toDouble();
        } else if (expires.isString()) { // some servers quote it
            bool ok = false;
            seconds = expires.toString().toDouble(&ok);
            if (!ok)
                seconds = -1;
        }
        if (!std::isfinite(seconds) || seconds < 0 || seconds > kMaxExpiresIn)
            return parseError(
                QStringLiteral("has an expires_in that is not a sensible number of seconds"));
        r.expiresIn = static_cast<qint64>(seconds);
    }

    const QJsonValue refresh = o.value(QLatin1String("refresh_token"));
    if (!refresh.isUndefined() && !refresh.isNull()) {
        if (!refresh.isString())
            return parseError(QStringLiteral("has a refresh_token that is not a string"));
        if (!isVisibleText(refresh.toString()))
            return parseError(QStringLiteral("has a refresh_token with control characters or "
                                             "white space"));
        r.refreshToken = Secret::fromUtf8(refresh.toString());
    }
    const QJsonValue scope = o.value(QLatin1String("scope"));
    if (!scope.isUndefined() && !scope.isNull()) {
        if (!scope.isString())
            return parseError(QStringLiteral("has a scope that is not a string"));
        static const QRegularExpression spaces(QStringLiteral("\\s+"));
        r.scopes = scope.toString().split(spaces, Qt::SkipEmptyParts);
        r.scopes.removeIf([](const QString &s) { return !isScopeToken(s); });
    }
    const QJsonValue id = o.value(QLatin1String("id_token"));
    if (id.isString()) {
        if (!isVisibleText(id.toString()))
            return parseError(QStringLiteral("has an id_token with control characters or white "
                                             "space"));
        r.idToken = Secret::fromUtf8(id.toString());
    }
    for (const Secret *s : {&r.accessToken, &r.refreshToken, &r.idToken})
        KnownSecrets::remember(s->expose()); // for the redactor, whatever the token's shape
    return r;
}

} // namespace TokenTray
