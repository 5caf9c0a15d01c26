#include "core/aws/stsresponse.h"

#include "core/net/httpjob.h"
#include "core/oauth/tokenresponse.h"
#include "core/util/knownsecrets.h"
#include "core/util/redact.h"

#include <QHash>
#include <QRegularExpression>
#include <QTimeZone>
#include <QXmlStreamReader>

#include <algorithm>

namespace TokenTray {
namespace {

constexpr int kMaxDepth = 16;
constexpr qint64 kSkewToleranceSeconds = 5 * 60; // what STS itself allows
// STS sessions last 12 hours at most; the rest is room for a skewed clock.
constexpr qint64 kMaxCredentialLifetimeSeconds = 36 * 3600;

Error parseError(const QString &what, const QString &detail)
{
    return Error {ErrorCode::Parse, QStringLiteral("the STS ") + what + QLatin1Char(' ') + detail};
}

// The text of the wanted leaf elements (paths below the root, local names joined with '/').
// Namespaces are not checked: STS-compatible servers differ in whether they send one. A DTD is
// refused outright (no entity games); a wanted element that appears twice is ambiguous.
Result<QHash<QString, QString>> readXml(const QByteArray &body, const QString &what,
                                        QLatin1String root, const QList<QLatin1String> &wanted)
{
    QXmlStreamReader xml(body);
    QStringList stack;
    QString text;
    QHash<QString, QString> values;
    bool sawRoot = false;
    while (!xml.atEnd()) {
        switch (xml.readNext()) {
        case QXmlStreamReader::DTD:
        case QXmlStreamReader::EntityReference:
            return parseError(what, QStringLiteral("answer declares a DTD or entities"));
        case QXmlStreamReader::StartElement:
            if (stack.isEmpty() && xml.name() != root)
                return parseError(what,
                                  QStringLiteral("answer is not a <") + root
                                      + QStringLiteral("> document"));
            if (stack.size() >= kMaxDepth)
                return parseError(what, QStringLiteral("answer is nested too deeply"));
            sawRoot = true;
            stack.append(xml.name().toString());
            text.clear();
            break;
        case QXmlStreamReader::Characters:
            text += xml.text();
            break;
        case QXmlStreamReader::EndElement: {
            const QString path = QStringList(stack.mid(1)).join(QLatin1Char('/'));
            if (std::find(wanted.begin(), wanted.end(), path) != wanted.end()) {
                if (values.contains(path))
                    return parseError(what, QStringLiteral("answer has more than one ") + path);
                values.insert(path, text.trimmed());
            }
            stack.removeLast();
            text.clear();
            break;
        }
        default:
            break;
        }
    }
    if (xml.hasError())
        return parseError(what,
                          QStringLiteral("answer is not well-formed XML (line %1: %2)")
                              .arg(xml.lineNumber())
                              .arg(xml.errorString()));
    if (!sawRoot || !stack.isEmpty())
        return parseError(what, QStringLiteral("answer is incomplete"));
    return values;
}

// Printable ASCII without spaces: everything that ends up in an HTTP header or an HMAC key.
bool isHeaderSafe(const QString &value)
{
    if (value.isEmpty())
        return false;
    for (QChar c : value) {
        if (c.unicode() < 0x21 || c.unicode() > 0x7e)
            return false;
    }
    return true;
}

QDateTime parseIsoUtc(const QString &text)
{
    static const QRegularExpression shape(QRegularExpression::anchoredPattern(
        QStringLiteral(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?)")));
    if (!shape.match(text).hasMatch())
        return {};
    QString iso = text;
    // Qt reads at most milliseconds; STS sends none or three digits, others may send more.
    static const QRegularExpression longFraction(QStringLiteral(R"((\.\d{3})\d+)"));
    iso.replace(longFraction, QStringLiteral("\\1"));
    QDateTime t = QDateTime::fromString(iso, Qt::ISODateWithMs);
    if (!t.isValid())
        return {};
    if (t.timeSpec() == Qt::LocalTime) // no zone designator: AWS timestamps are UTC
        t.setTimeZone(QTimeZone::utc());
    return t.toUTC();
}

// Error codes are echoed into messages only when they look like codes.
QString safeToken(const QString &value, int maxLength = 64)
{
    static const QRegularExpression re(
        QRegularExpression::anchoredPattern(QStringLiteral("[A-Za-z0-9_.:-]+")));
    if (value.isEmpty() || value.size() > maxLength || !re.match(value).hasMatch())
        return QString();
    return value;
}

// An STS message, made safe for logs: some services echo the canonical request and string to
// sign (which hold the session token) after a SignatureDoesNotMatch; anything long and
// base64-like (a secret key or a token) is removed as well.
QString cleanMessage(const QString &message)
{
    QString out = message;
    for (const QLatin1String marker :
         {QLatin1String("The Canonical String"), QLatin1String("The String-to-Sign"),
          QLatin1String("Canonical Request")}) {
        const qsizetype at = out.indexOf(marker, 0, Qt::CaseInsensitive);
        if (at >= 0)
            out.truncate(at);
    }
    out = redactSecrets(withoutControlCharacters(out));
    static const QRegularExpression longRun(QStringLiteral("[A-Za-z0-9+/=]{40,}"));
    out.replace(longRun, QStringLiteral("<redacted>"));
    static const QRegularExpression mfaCode(
        QStringLiteral(R"(\b(TokenCode\s*[=:]\s*)[^\s&;,"'<>]+)"),
        QRegularExpression::CaseInsensitiveOption);
    out.replace(mfaCode, QStringLiteral("\\1<redacted>"));
    if (out.size() > 300)
        out = out.left(300) + QStringLiteral("…");
    return out;
}

// An HTTP-date (RFC 9110 §5.6.7), as STS sends in Date.
QDateTime parseHttpDate(const QByteArray &value)
{
    QByteArray date = value.trimmed();
    if (date.endsWith(" GMT"))
        date.replace(date.size() - 3, 3, "+0000");
    const QDateTime at = QDateTime::fromString(QString::fromLatin1(date), Qt::RFC2822Date);
    return at.isValid() ? at.toUTC() : QDateTime();
}

QString clockHint(const HttpResponse &response, const QDateTime &now)
{
    const QDateTime serverTime = parseHttpDate(response.header("Date"));
    if (serverTime.isValid() && now.isValid()) {
        const qint64 skew = now.secsTo(serverTime); // > 0: this computer is behind
        if (qAbs(skew) > kSkewToleranceSeconds) {
            return QStringLiteral("this computer's clock is %1 minutes %2 AWS's time (%3); "
                                  "requests are only accepted within 5 minutes: correct the "
                                  "clock")
                .arg(qAbs(skew) / 60)
                .arg(skew > 0 ? QStringLiteral("behind") : QStringLiteral("ahead of"))
                .arg(serverTime.toString(Qt::ISODate));
        }
    }
    return QStringLiteral("check the secret access key; the cause is often the computer's clock "
                          "being more than 5 minutes off");
}

bool isThrottling(const QString &code)
{
    return code == QLatin1String("Throttling") || code == QLatin1String("ThrottlingException")
        || code == QLatin1String("RequestLimitExceeded");
}

} // namespace

Result<StsCredentials> parseAssumeRoleResponse(const QByteArray &body)
{
    static const QLatin1String accessKeyId("AssumeRoleResult/Credentials/AccessKeyId");
    static const QLatin1String secretKey("AssumeRoleResult/Credentials/SecretAccessKey");
    static const QLatin1String sessionToken("AssumeRoleResult/Credentials/SessionToken");
    static const QLatin1String expiration("AssumeRoleResult/Credentials/Expiration");
    static const QLatin1String arn("AssumeRoleResult/AssumedRoleUser/Arn");
    static const QLatin1String roleId("AssumeRoleResult/AssumedRoleUser/AssumedRoleId");
    const QString what = QStringLiteral("AssumeRole");
    auto fields = readXml(body, what, QLatin1String("AssumeRoleResponse"),
                          {accessKeyId, secretKey, sessionToken, expiration, arn, roleId});
    if (!fields)
        return fields.error();
    for (const QLatin1String name :
         {accessKeyId, secretKey, sessionToken, expiration, arn, roleId}) {
        if (fields->value(name).isEmpty())
            return parseError(what, QStringLiteral("answer has no ") + name);
        if (hasControlCharacters(fields->value(name)))
            return parseError(what, QStringLiteral("answer has control characters in ") + name);
    }
    if (!isHeaderSafe(fields->value(accessKeyId)) || !isHeaderSafe(fields->value(secretKey))
        || !isHeaderSafe(fields->value(sessionToken)))
        return parseError(what,
                          QStringLiteral("answer has credentials with characters keys "
                                         "cannot have"));
    StsCredentials c;
    c.expiration = parseIsoUtc(fields->value(expiration));
    if (!c.expiration.isValid())
        return parseError(what,
                          QStringLiteral("answer has an Expiration that is not an ISO 8601 "
                                         "time"));
    c.keys.accessKeyId = fields->value(accessKeyId);
    c.keys.secretAccessKey = Secret::fromUtf8(fields->value(secretKey));
    c.keys.sessionToken = Secret::fromUtf8(fields->value(sessionToken));
    KnownSecrets::remember(c.keys.secretAccessKey.expose()); // for the redactor
    KnownSecrets::remember(c.keys.sessionToken.expose());
    c.assumedRoleArn = fields->value(arn);
    c.assumedRoleId = fields->value(roleId);
    // The parsed copies of the secrets in `fields` go away with it; QString cannot be wiped,
    // but nothing else keeps them.
    return c;
}

Result<StsCredentials> parseAssumeRoleResponse(const QByteArray &body, const QDateTime &requestedAt)
{
    auto parsed = parseAssumeRoleResponse(body);
    if (!parsed)
        return parsed;
    const QString what = QStringLiteral("AssumeRole");
    const QString expiration = parsed->expiration.toString(Qt::ISODate);
    if (parsed->expiration <= requestedAt)
        return parseError(what,
                          QStringLiteral("answer has credentials that had expired (Expiration ")
                              + expiration + QStringLiteral(") when they were asked for"));
    if (requestedAt.secsTo(parsed->expiration) > kMaxCredentialLifetimeSeconds)
        return parseError(what,
                          QStringLiteral("answer has credentials valid for more than 36 hours "
                                         "(Expiration ")
                              + expiration + QStringLiteral("), more than STS ever grants"));
    return parsed;
}

Result<CallerIdentity> parseCallerIdentityResponse(const QByteArray &body)
{
    static const QLatin1String account("GetCallerIdentityResult/Account");
    static const QLatin1String arn("GetCallerIdentityResult/Arn");
    static const QLatin1String userId("GetCallerIdentityResult/UserId");
    const QString what = QStringLiteral("GetCallerIdentity");
    auto fields
        = readXml(body, what, QLatin1String("GetCallerIdentityResponse"), {account, arn, userId});
    if (!fields)
        return fields.error();
    for (const QLatin1String name : {account, arn, userId}) {
        if (fields->value(name).isEmpty())
            return parseError(what, QStringLiteral("answer has no ") + name);
        // Printed by `verify` and the tray: no terminal escapes.
        if (hasControlCharacters(fields->value(name)))
            return parseError(what, QStringLiteral("answer has control characters in ") + name);
    }
    return CallerIdentity {fields->value(account), fields->value(arn), fields->value(userId)};
}

std::optional<StsErrorBody> parseStsErrorBody(const QByteArray &body)
{
    static const QLatin1String type("Error/Type");
    static const QLatin1String code("Error/Code");
    static const QLatin1String message("Error/Message");
    static const QLatin1String requestId("RequestId");
    auto fields = readXml(body, QStringLiteral("error"), QLatin1String("ErrorResponse"),
                          {type, code, message, requestId});
    if (!fields || fields->value(code).isEmpty())
        return std::nullopt;
    return StsErrorBody {fields->value(type), fields->value(code), fields->value(message),
                         fields->value(requestId)};
}

Error stsError(const HttpResponse &response, const QDateTime &now)
{
    const int status = response.status;
    Error e;
    e.httpStatus = status;
    e.retryAfterSeconds = response.retryAfterSeconds(now);
    e.requestId = requestIdOf(response); // x-amzn-RequestId; the body's, when there is one, wins
    const auto body = parseStsErrorBody(response.body);
    if (!body) {
        e.code = ErrorCode::HttpStatus;
        if (status >= 300 && status < 400)
            e.detail = QStringLiteral("STS answered with a redirect (HTTP %1), which TokenTray "
                                      "does not follow")
                           .arg(status);
        else if (status >= 500)
            e.detail = QStringLiteral("STS answered HTTP %1").arg(status);
        else
            e.detail = QStringLiteral("STS answered HTTP %1 without an STS error").arg(status);
        return e;
    }

    const QString code = safeToken(body->code);
    const QString message = cleanMessage(body->message);
    const QString requestId = safeToken(body->requestId);
    if (!requestId.isEmpty())
        e.requestId = requestId;
    e.reason = code.isEmpty() ? QStringLiteral("(unreadable)") : code;
    const QString said = message.isEmpty() ? QString() : QStringLiteral(": ") + message;

    if (isThrottling(code)) {
        e.code = ErrorCode::HttpStatus;
        e.detail = QStringLiteral("STS is throttling requests (%1)").arg(code) + said;
    } else if (status >= 500) {
        e.code = ErrorCode::HttpStatus;
        e.detail = QStringLiteral("STS failed (HTTP %1, %2)").arg(status).arg(e.reason) + said;
    } else {
        e.code = ErrorCode::Rejected;
        if (code == QLatin1String("SignatureDoesNotMatch")) {
            // STS's own sentence stays whole; the hint follows as a sentence or a clause.
            const QString hint = clockHint(response, now);
            const QString joined = said.endsWith(QLatin1Char('.'))
                ? QString(QLatin1Char(' ') + hint.at(0).toUpper() + hint.mid(1))
                : QString(QStringLiteral("; ") + hint);
            e.detail = QStringLiteral("STS did not accept the request's signature") + said + joined;
        } else if (code == QLatin1String("InvalidClientTokenId")) {
            e.detail = QStringLiteral("STS does not know the access key or session token") + said;
        } else if (code == QLatin1String("ExpiredToken")) {
            e.detail = QStringLiteral("the source credentials have expired") + said;
        } else if (code == QLatin1String("AccessDenied")
                   && body->message.contains(QLatin1String("MultiFactorAuthentication"))) {
            e.detail = QStringLiteral("STS did not accept the MFA code") + said;
        } else if (code == QLatin1String("AccessDenied")) {
            e.detail = QStringLiteral("STS denied access") + said;
        } else {
            e.detail = QStringLiteral("STS refused the request (%1)").arg(e.reason) + said;
        }
    }
    if (!requestId.isEmpty())
        e.detail += QStringLiteral(" [request id ") + requestId + QLatin1Char(']');
    return e;
}

} // namespace TokenTray
