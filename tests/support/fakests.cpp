#include "fakests.h"

#include "core/aws/awskeys.h"
#include "core/aws/sigv4.h"
#include "core/util/clock.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QUrlQuery>
#include <QUuid>

namespace TokenTray {
namespace {

const QString kXmlns = QStringLiteral("https://sts.amazonaws.com/doc/2011-06-15/");

QString randomString(const char *alphabet, int length)
{
    const auto size = static_cast<quint32>(qstrlen(alphabet));
    QString out;
    out.reserve(length);
    for (int i = 0; i < length; ++i)
        out += QLatin1Char(alphabet[QRandomGenerator::global()->bounded(size)]);
    return out;
}

const char kUpperDigits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

QString esc(const QString &text)
{
    return text.toHtmlEscaped();
}

QString requestId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

QByteArray httpDate(const QDateTime &t)
{
    return QLocale::c()
        .toString(t.toUTC(), QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'"))
        .toLatin1();
}

// "role/path/Name" -> "Name"; the account is the ARN's fifth field.
QString roleName(const QString &arn)
{
    return arn.section(QLatin1Char('/'), -1);
}

QString accountOf(const QString &arn, const QString &fallback)
{
    const QString account = arn.section(QLatin1Char(':'), 4, 4);
    return account.isEmpty() ? fallback : account;
}

QHash<QString, QString> decodeForm(const QByteArray &encoded)
{
    RecordedRequest r;
    r.body = encoded;
    return r.form();
}

struct ParsedAuthorization
{
    QString accessKeyId;
    QByteArray date;
    QString region;
    QString service;
    QList<QByteArray> signedHeaders;
    QByteArray signature;
};

std::optional<ParsedAuthorization> parseAuthorization(const QByteArray &value)
{
    static const QByteArray algorithm = "AWS4-HMAC-SHA256 ";
    if (!value.startsWith(algorithm))
        return std::nullopt;
    QHash<QByteArray, QByteArray> parts;
    for (const QByteArray &part : value.mid(algorithm.size()).split(',')) {
        const QByteArray trimmed = part.trimmed();
        const qsizetype eq = trimmed.indexOf('=');
        if (eq <= 0)
            return std::nullopt;
        parts.insert(trimmed.left(eq), trimmed.mid(eq + 1));
    }
    const QList<QByteArray> scope = parts.value("Credential").split('/');
    if (scope.size() != 5 || scope.at(4) != "aws4_request" || !parts.contains("SignedHeaders")
        || parts.value("Signature").isEmpty())
        return std::nullopt;
    ParsedAuthorization a;
    a.accessKeyId = QString::fromUtf8(scope.at(0));
    a.date = scope.at(1);
    a.region = QString::fromUtf8(scope.at(2));
    a.service = QString::fromUtf8(scope.at(3));
    a.signedHeaders = parts.value("SignedHeaders").split(';');
    a.signature = parts.value("Signature");
    return a;
}

} // namespace

FakeSts::FakeSts(const Options &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
{
    if (!m_options.clock) {
        m_ownClock = std::make_unique<SystemClock>();
        m_options.clock = m_ownClock.get();
    }
    m_server.setHandler("/", [this](const RecordedRequest &r) { return handle(r); });
    m_server.setHandler("/_demo/fault", [this](const RecordedRequest &r) { return control(r); });
    m_server.setHandler("/_demo/stats", [this](const RecordedRequest &) { return stats(); });
}

FakeSts::~FakeSts() = default;

bool FakeSts::listen()
{
    return m_server.listen();
}

void FakeSts::addAccessKey(const QString &accessKeyId, const QString &secretAccessKey,
                           const QString &userArn)
{
    const QString arn = userArn.isEmpty()
        ? QStringLiteral("arn:aws:iam::%1:user/%2").arg(m_options.accountId, accessKeyId)
        : userArn;
    m_longTerm.insert(accessKeyId, {secretAccessKey, arn});
}

void FakeSts::addRole(const Role &role)
{
    m_roles.insert(role.arn, role);
}

void FakeSts::injectFault(Fault fault, int delayMs, int retryAfterSeconds)
{
    m_faults.push_back({fault, delayMs, retryAfterSeconds});
}

std::optional<FakeSts::Fault> FakeSts::faultFromName(const QString &name)
{
    static const QHash<QString, Fault> names {
        {QStringLiteral("throttling"), Fault::Throttling},
        {QStringLiteral("server-error"), Fault::ServerError},
        {QStringLiteral("malformed"), Fault::MalformedXml},
        {QStringLiteral("slow"), Fault::Slow},
        {QStringLiteral("access-denied"), Fault::AccessDenied},
        {QStringLiteral("expired-token"), Fault::ExpiredToken},
    };
    const auto it = names.constFind(name);
    if (it == names.constEnd())
        return std::nullopt;
    return *it;
}

int FakeSts::requestCount(const QString &action) const
{
    return action.isEmpty() ? m_requests : m_actionCounts.value(action);
}

QDateTime FakeSts::expiryOf(const QString &accessKeyId) const
{
    return m_temporary.value(accessKeyId).expiry;
}

QDateTime FakeSts::now() const
{
    return m_options.clock->nowUtc();
}

ScriptedReply FakeSts::xmlReply(int status, const QByteArray &body) const
{
    ScriptedReply r;
    r.status = status;
    r.body = body;
    r.headers = {{"Content-Type", "text/xml"},
                 {"x-amzn-RequestId", requestId().toLatin1()},
                 {"Date", httpDate(now())}};
    return r;
}

ScriptedReply FakeSts::error(int status, const QString &code, const QString &message,
                             const QString &type)
{
    ++m_rejected;
    m_lastErrorCode = code;
    const QString xml = QStringLiteral("<ErrorResponse xmlns=\"") + kXmlns
        + QStringLiteral("\">\n  <Error>\n    <Type>") + esc(type)
        + QStringLiteral("</Type>\n    <Code>") + esc(code)
        + QStringLiteral("</Code>\n    <Message>") + esc(message)
        + QStringLiteral("</Message>\n  </Error>\n  <RequestId>") + requestId()
        + QStringLiteral("</RequestId>\n</ErrorResponse>\n");
    return xmlReply(status, xml.toUtf8());
}

ScriptedReply FakeSts::handle(const RecordedRequest &request)
{
    ++m_requests;
    m_lastErrorCode.clear();
    m_lastRegion.clear();
    const QHash<QString, QString> form
        = decodeForm(request.method == "POST" ? request.body : request.query);
    m_lastForm = form;
    const QString action = form.value(QStringLiteral("Action"));
    if (!action.isEmpty())
        ++m_actionCounts[action];

    int delayMs = 0;
    if (!m_faults.empty()) {
        const PendingFault f = m_faults.front();
        m_faults.pop_front();
        switch (f.fault) {
        case Fault::Throttling: {
            ScriptedReply r
                = error(400, QStringLiteral("Throttling"), QStringLiteral("Rate exceeded"));
            r.withHeader("Retry-After", QByteArray::number(f.retryAfterSeconds));
            return r.withDelay(f.delayMs);
        }
        case Fault::ServerError:
            return error(500, QStringLiteral("InternalFailure"),
                         QStringLiteral("The request processing has failed because of an unknown "
                                        "error, exception or failure."),
                         QStringLiteral("Receiver"))
                .withDelay(f.delayMs);
        case Fault::MalformedXml:
            m_lastErrorCode = QStringLiteral("(malformed)");
            return xmlReply(200,
                            "<AssumeRoleResponse xmlns=\"" + kXmlns.toLatin1()
                                + "\">\n  <AssumeRoleResult>\n    <Credentials>\n      "
                                  "<AccessKeyId>ASIA")
                .withDelay(f.delayMs);
        case Fault::AccessDenied:
            return error(403, QStringLiteral("AccessDenied"),
                         QStringLiteral("User: arn:aws:iam::%1:user/demo is not authorized to "
                                        "perform: sts:AssumeRole")
                             .arg(m_options.accountId))
                .withDelay(f.delayMs);
        case Fault::ExpiredToken:
            return error(400, QStringLiteral("ExpiredToken"),
                         QStringLiteral("The security token included in the request is expired"))
                .withDelay(f.delayMs);
        case Fault::Slow:
            delayMs = f.delayMs;
            break;
        }
    }

    auto caller = authenticate(request);
    if (auto *rejected = std::get_if<ScriptedReply>(&caller))
        return rejected->withDelay(delayMs);
    const Caller &who = std::get<Caller>(caller);

    if (form.value(QStringLiteral("Version")) != QLatin1String("2011-06-15"))
        return error(400, QStringLiteral("InvalidAction"),
                     QStringLiteral("Could not find operation %1 for version %2")
                         .arg(action, form.value(QStringLiteral("Version"))))
            .withDelay(delayMs);
    if (action == QLatin1String("AssumeRole"))
        return assumeRole(who, form).withDelay(delayMs);
    if (action == QLatin1String("GetCallerIdentity"))
        return callerIdentity(who).withDelay(delayMs);
    return error(400, QStringLiteral("InvalidAction"),
                 QStringLiteral("Could not find operation %1 for version 2011-06-15").arg(action))
        .withDelay(delayMs);
}

std::variant<FakeSts::Caller, ScriptedReply> FakeSts::authenticate(const RecordedRequest &request)
{
    const QByteArray authorization = request.header("authorization");
    if (authorization.isEmpty())
        return error(403, QStringLiteral("MissingAuthenticationToken"),
                     QStringLiteral("Request is missing Authentication Token"));
    const auto auth = parseAuthorization(authorization);
    if (!auth)
        return error(400, QStringLiteral("IncompleteSignature"),
                     QStringLiteral("Authorization header requires 'Credential', "
                                    "'SignedHeaders' and 'Signature' parameters."));
    m_lastRegion = auth->region;
    const QString signatureMismatch = QStringLiteral(
        "The request signature we calculated does not match the signature you provided. Check "
        "your AWS Secret Access Key and signing method. Consult the service documentation for "
        "details.");
    if (auth->service != QLatin1String("sts"))
        return error(403, QStringLiteral("SignatureDoesNotMatch"),
                     QStringLiteral("Credential should be scoped to correct service: 'sts'. "));
    if (!m_options.region.isEmpty() && auth->region != m_options.region)
        return error(403, QStringLiteral("SignatureDoesNotMatch"),
                     QStringLiteral("Credential should be scoped to a valid region. "));
    if (!auth->signedHeaders.contains("host") || !auth->signedHeaders.contains("x-amz-date"))
        return error(403, QStringLiteral("SignatureDoesNotMatch"), signatureMismatch);

    const QByteArray amzDate = request.header("x-amz-date");
    const QDateTime signedAt = parseSigV4AmzDate(amzDate);
    if (!signedAt.isValid() || amzDate.left(8) != auth->date)
        return error(400, QStringLiteral("IncompleteSignature"),
                     QStringLiteral("Date must be in ISO-8601 'basic format'."));
    const QDateTime serverNow = now();
    const qint64 skew = serverNow.secsTo(signedAt);
    if (qAbs(skew) > m_options.maxSkewSeconds) {
        const bool early = skew < 0;
        const QDateTime bound
            = serverNow.addSecs(early ? -m_options.maxSkewSeconds : m_options.maxSkewSeconds);
        return error(
            403, QStringLiteral("SignatureDoesNotMatch"),
            (early ? QStringLiteral("Signature expired: %1 is now earlier than %2 (%3 - %4 min.)")
                   : QStringLiteral(
                       "Signature not yet current: %1 is still later than %2 (%3 + %4 min.)"))
                .arg(QString::fromLatin1(amzDate), QString::fromLatin1(sigV4AmzDate(bound)),
                     QString::fromLatin1(sigV4AmzDate(serverNow)))
                .arg(m_options.maxSkewSeconds / 60));
    }

    const QString invalidToken
        = QStringLiteral("The security token included in the request is invalid.");
    const QByteArray presentedToken = request.header("x-amz-security-token");
    Caller caller;
    caller.accessKeyId = auth->accessKeyId;
    AwsKeys keys;
    keys.accessKeyId = auth->accessKeyId;
    if (const auto longTerm = m_longTerm.constFind(auth->accessKeyId);
        longTerm != m_longTerm.constEnd()) {
        if (!presentedToken.isEmpty())
            return error(403, QStringLiteral("InvalidClientTokenId"), invalidToken);
        keys.secretAccessKey = Secret::fromUtf8(longTerm->first);
        caller.arn = longTerm->second;
        caller.userId = QStringLiteral("AIDA") + auth->accessKeyId.right(12);
    } else if (const auto temp = m_temporary.constFind(auth->accessKeyId);
               temp != m_temporary.constEnd()) {
        if (presentedToken != temp->sessionToken.toLatin1()
            || !auth->signedHeaders.contains("x-amz-security-token"))
            return error(403, QStringLiteral("InvalidClientTokenId"), invalidToken);
        if (serverNow >= temp->expiry)
            return error(400, QStringLiteral("ExpiredToken"),
                         QStringLiteral("The security token included in the request is expired"));
        keys.secretAccessKey = Secret::fromUtf8(temp->secret);
        keys.sessionToken = Secret::fromUtf8(temp->sessionToken);
        caller.arn = temp->arn;
        caller.userId = temp->roleId;
        caller.temporary = true;
    } else {
        return error(403, QStringLiteral("InvalidClientTokenId"), invalidToken);
    }

    // Recompute the signature over what arrived: the received Host (so a client that signs one
    // Host and sends another fails here), the other signed headers, the body.
    SigV4Request signedRequest;
    signedRequest.method = request.method;
    signedRequest.url
        = QUrl(QStringLiteral("http://") + QString::fromLatin1(request.header("host"))
               + QString::fromLatin1(request.path)
               + (request.query.isEmpty()
                      ? QString()
                      : QString(QLatin1Char('?') + QString::fromLatin1(request.query))));
    for (const QByteArray &name : auth->signedHeaders)
        signedRequest.headers.append({name, request.header(name)});
    signedRequest.body = request.body;
    signedRequest.region = auth->region;
    signedRequest.service = auth->service;
    signedRequest.time = signedAt;
    const SigV4Signature expected = signSigV4(signedRequest, keys);
    if (!Secret(expected.signature).constantTimeEquals(Secret(auth->signature))
        || !expected.authorization.endsWith(auth->signature)
        || !expected.authorization.contains(
            QByteArray("SignedHeaders=" + auth->signedHeaders.join(';') + ',')))
        return error(403, QStringLiteral("SignatureDoesNotMatch"), signatureMismatch);
    return caller;
}

ScriptedReply FakeSts::assumeRole(const Caller &caller, const QHash<QString, QString> &form)
{
    const QString roleArn = form.value(QStringLiteral("RoleArn"));
    const QString sessionName = form.value(QStringLiteral("RoleSessionName"));
    static const QRegularExpression sessionNameRe(
        QRegularExpression::anchoredPattern(QStringLiteral("[\\w+=,.@-]{2,64}")));
    if (roleArn.size() < 20)
        return error(400, QStringLiteral("ValidationError"),
                     QStringLiteral("1 validation error detected: Value at 'roleArn' failed to "
                                    "satisfy constraint: Member must have length greater than or "
                                    "equal to 20"));
    if (!sessionNameRe.match(sessionName).hasMatch())
        return error(400, QStringLiteral("ValidationError"),
                     QStringLiteral("1 validation error detected: Value '%1' at 'roleSessionName' "
                                    "failed to satisfy constraint: Member must satisfy regular "
                                    "expression pattern: [\\w+=,.@-]*")
                         .arg(sessionName));
    int duration = 3600;
    if (form.contains(QStringLiteral("DurationSeconds"))) {
        bool ok = false;
        duration = form.value(QStringLiteral("DurationSeconds")).toInt(&ok);
        if (!ok || duration < 900 || duration > 43200)
            return error(400, QStringLiteral("ValidationError"),
                         QStringLiteral("1 validation error detected: Value '%1' at "
                                        "'durationSeconds' failed to satisfy constraint: Member "
                                        "must have value between 900 and 43200")
                             .arg(form.value(QStringLiteral("DurationSeconds"))));
    }
    const QString notAuthorized
        = QStringLiteral("User: %1 is not authorized to perform: sts:AssumeRole on resource: %2")
              .arg(caller.arn, roleArn);
    Role role;
    if (const auto it = m_roles.constFind(roleArn); it != m_roles.constEnd())
        role = *it;
    else if (m_options.acceptAnyRole)
        role.arn = roleArn;
    else
        return error(403, QStringLiteral("AccessDenied"), notAuthorized);
    if (!role.externalId.isEmpty() && form.value(QStringLiteral("ExternalId")) != role.externalId)
        return error(403, QStringLiteral("AccessDenied"), notAuthorized);
    if (!role.mfaSerial.isEmpty()) {
        const QString serial = form.value(QStringLiteral("SerialNumber"));
        const QString code = form.value(QStringLiteral("TokenCode"));
        if (serial.isEmpty() || code.isEmpty())
            return error(403, QStringLiteral("AccessDenied"), notAuthorized);
        static const QRegularExpression sixDigits(
            QRegularExpression::anchoredPattern(QStringLiteral("[0-9]{6}")));
        if (!sixDigits.match(code).hasMatch())
            return error(400, QStringLiteral("ValidationError"),
                         QStringLiteral("1 validation error detected: Value at 'tokenCode' failed "
                                        "to satisfy constraint: Member must satisfy regular "
                                        "expression pattern: [\\d]*"));
        if (serial != role.mfaSerial || code != role.mfaCode)
            return error(403, QStringLiteral("AccessDenied"),
                         QStringLiteral("MultiFactorAuthentication failed with invalid MFA one "
                                        "time pass code. "));
    }
    if (caller.temporary && duration > 3600)
        return error(400, QStringLiteral("ValidationError"),
                     QStringLiteral("The requested DurationSeconds exceeds the 1 hour session "
                                    "limit for roles assumed by role chaining."));
    if (duration > role.maxSessionSeconds)
        return error(400, QStringLiteral("ValidationError"),
                     QStringLiteral("The requested DurationSeconds exceeds the MaxSessionDuration "
                                    "set for this role."));
    if (m_options.forcedDurationSeconds > 0)
        duration = m_options.forcedDurationSeconds;

    Temporary t;
    const QString accessKeyId = QStringLiteral("ASIA") + randomString(kUpperDigits, 16);
    t.secret = randomString(kBase64, 40);
    t.sessionToken = QStringLiteral("FwoGZXIvYXdzEDemo") + randomString(kBase64, 300);
    // STS reports whole seconds; the demo does too, so the expiry clients see is the real one.
    const QDateTime issuedAt = now();
    t.expiry = issuedAt.addMSecs(-issuedAt.time().msec()).addSecs(duration);
    t.arn = QStringLiteral("arn:aws:sts::%1:assumed-role/%2/%3")
                .arg(accountOf(roleArn, m_options.accountId), roleName(roleArn), sessionName);
    t.roleId
        = QStringLiteral("AROA") + randomString(kUpperDigits, 17) + QLatin1Char(':') + sessionName;
    m_temporary.insert(accessKeyId, t);

    const QString sourceIdentity = form.value(QStringLiteral("SourceIdentity"));
    const QString xml = QStringLiteral("<AssumeRoleResponse xmlns=\"") + kXmlns
        + QStringLiteral("\">\n  <AssumeRoleResult>\n")
        + (sourceIdentity.isEmpty()
               ? QString()
               : QString(QStringLiteral("    <SourceIdentity>") + esc(sourceIdentity)
                         + QStringLiteral("</SourceIdentity>\n")))
        + QStringLiteral("    <AssumedRoleUser>\n      <Arn>") + esc(t.arn)
        + QStringLiteral("</Arn>\n      <AssumedRoleId>") + esc(t.roleId)
        + QStringLiteral("</AssumedRoleId>\n    </AssumedRoleUser>\n    <Credentials>\n"
                         "      <AccessKeyId>")
        + accessKeyId + QStringLiteral("</AccessKeyId>\n      <SecretAccessKey>") + esc(t.secret)
        + QStringLiteral("</SecretAccessKey>\n      <SessionToken>") + esc(t.sessionToken)
        + QStringLiteral("</SessionToken>\n      <Expiration>") + t.expiry.toString(Qt::ISODate)
        + QStringLiteral("</Expiration>\n    </Credentials>\n  </AssumeRoleResult>\n"
                         "  <ResponseMetadata>\n    <RequestId>")
        + requestId()
        + QStringLiteral("</RequestId>\n  </ResponseMetadata>\n</AssumeRoleResponse>\n");
    return xmlReply(200, xml.toUtf8());
}

ScriptedReply FakeSts::callerIdentity(const Caller &caller) const
{
    const QString xml = QStringLiteral("<GetCallerIdentityResponse xmlns=\"") + kXmlns
        + QStringLiteral("\">\n  <GetCallerIdentityResult>\n    <Arn>") + esc(caller.arn)
        + QStringLiteral("</Arn>\n    <UserId>") + esc(caller.userId)
        + QStringLiteral("</UserId>\n    <Account>")
        + esc(accountOf(caller.arn, m_options.accountId))
        + QStringLiteral("</Account>\n  </GetCallerIdentityResult>\n  <ResponseMetadata>\n"
                         "    <RequestId>")
        + requestId()
        + QStringLiteral("</RequestId>\n  </ResponseMetadata>\n</GetCallerIdentityResponse>\n");
    return xmlReply(200, xml.toUtf8());
}

// /_demo/fault?kind=throttling[&delay_ms=N][&retry_after=S]: queue a fault from another process.
ScriptedReply FakeSts::control(const RecordedRequest &request)
{
    const QUrlQuery q(QString::fromUtf8(request.query));
    const auto fault = faultFromName(q.queryItemValue(QStringLiteral("kind")));
    if (!fault)
        return ScriptedReply::json(400, QByteArrayLiteral(R"({"error":"unknown fault kind"})"));
    injectFault(*fault, q.queryItemValue(QStringLiteral("delay_ms")).toInt(),
                q.hasQueryItem(QStringLiteral("retry_after"))
                    ? q.queryItemValue(QStringLiteral("retry_after")).toInt()
                    : 1);
    return ScriptedReply::json(200, QByteArrayLiteral(R"({"ok":true})"));
}

// /_demo/stats: counters and the last request's form fields (the MFA code masked).
ScriptedReply FakeSts::stats() const
{
    QJsonObject actions;
    for (auto it = m_actionCounts.constBegin(); it != m_actionCounts.constEnd(); ++it)
        actions.insert(it.key(), it.value());
    QJsonObject form;
    for (auto it = m_lastForm.constBegin(); it != m_lastForm.constEnd(); ++it)
        form.insert(it.key(),
                    it.key() == QLatin1String("TokenCode") ? QStringLiteral("<set>") : it.value());
    const QJsonObject o {{QStringLiteral("requests"), m_requests},
                         {QStringLiteral("rejected"), m_rejected},
                         {QStringLiteral("actions"), actions},
                         {QStringLiteral("last_form"), form},
                         {QStringLiteral("last_error"), m_lastErrorCode},
                         {QStringLiteral("issued"), static_cast<int>(m_temporary.size())}};
    return ScriptedReply::json(200, QJsonDocument(o).toJson(QJsonDocument::Compact));
}

} // namespace TokenTray
