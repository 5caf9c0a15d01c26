#include "core/aws/stsjobs.h"

#include "core/aws/sigv4.h"
#include "core/util/clock.h"
#include "core/util/logging.h"

#include <QRegularExpression>

namespace TokenTray {
namespace {

const QByteArray kFormType = QByteArrayLiteral("application/x-www-form-urlencoded; charset=utf-8");
const QString kDefaultRegion = QStringLiteral("us-east-1");

QString signingRegion(const QString &region)
{
    return region.isEmpty() ? kDefaultRegion : region;
}

bool isSessionNameChar(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9')
        || u == u'_' || u == u'+' || u == u'=' || u == u',' || u == u'.' || u == u'@' || u == u'-';
}

Result<void> validate(const AssumeRoleParams &params, const AwsKeys &source)
{
    if (source.isEmpty())
        return Error {ErrorCode::Invalid, QStringLiteral("AssumeRole needs source credentials")};
    if (params.roleArn.isEmpty())
        return Error {ErrorCode::Invalid, QStringLiteral("AssumeRole needs a role ARN")};
    const QString &name = params.sessionName;
    if (name.size() < 2 || name.size() > 64
        || !std::all_of(name.begin(), name.end(), isSessionNameChar))
        return Error {ErrorCode::Invalid,
                      QStringLiteral("the role session name must be 2 to 64 letters, digits or "
                                     "any of _+=,.@-")};
    if (params.durationSeconds != 0
        && (params.durationSeconds < 900 || params.durationSeconds > 43200))
        return Error {ErrorCode::Invalid,
                      QStringLiteral("the session duration must be 900 to 43200 seconds")};
    if (!params.serialNumber.isEmpty() && params.tokenCode.isEmpty())
        return Error {
            ErrorCode::Invalid,
            QStringLiteral("the role needs an MFA code from %1").arg(params.serialNumber)};
    if (!params.tokenCode.isEmpty()) {
        static const QRegularExpression sixDigits(
            QRegularExpression::anchoredPattern(QStringLiteral("[0-9]{6}")));
        if (params.serialNumber.isEmpty())
            return Error {ErrorCode::Invalid,
                          QStringLiteral("an MFA code needs the MFA device's serial number")};
        if (!sixDigits.match(params.tokenCode.exposeUtf8()).hasMatch())
            return Error {ErrorCode::Invalid, QStringLiteral("the MFA code must be six digits")};
    }
    return {};
}

// The endpoint as requested: an explicit default port is dropped so that the Host we sign,
// the Host HTTP/1.1 sends and the :authority HTTP/2 sends are one and the same.
QUrl normalisedEndpoint(const QUrl &endpoint)
{
    QUrl url = endpoint;
    if ((url.scheme() == QLatin1String("https") && url.port() == 443)
        || (url.scheme() == QLatin1String("http") && url.port() == 80))
        url.setPort(-1);
    if (url.path().isEmpty())
        url.setPath(QStringLiteral("/"));
    return url;
}

} // namespace

QUrl stsEndpointFor(const QString &region, const QUrl &override)
{
    if (!override.isEmpty())
        return override;
    const QString r = signingRegion(region);
    const QString suffix = r.startsWith(QLatin1String("cn-")) ? QStringLiteral(".amazonaws.com.cn")
                                                              : QStringLiteral(".amazonaws.com");
    return QUrl(QStringLiteral("https://sts.") + r + suffix + QLatin1Char('/'));
}

QString roleSessionNameForUser(const QString &userName)
{
    QString user;
    for (QChar c : userName) {
        if (isSessionNameChar(c))
            user += c;
    }
    if (user.isEmpty())
        return QStringLiteral("tokentray");
    return QString(QStringLiteral("tokentray-") + user).left(64);
}

QString defaultRoleSessionName()
{
    QString user = qEnvironmentVariable("USER");
    if (user.isEmpty())
        user = qEnvironmentVariable("USERNAME");
    return roleSessionNameForUser(user);
}

QList<std::pair<QString, QString>> assumeRoleFields(const AssumeRoleParams &params)
{
    QList<std::pair<QString, QString>> fields {
        {QStringLiteral("Action"), QStringLiteral("AssumeRole")},
        {QStringLiteral("Version"), QStringLiteral("2011-06-15")},
        {QStringLiteral("RoleArn"), params.roleArn},
        {QStringLiteral("RoleSessionName"), params.sessionName},
    };
    if (params.durationSeconds > 0)
        fields.append({QStringLiteral("DurationSeconds"), QString::number(params.durationSeconds)});
    if (!params.externalId.isEmpty())
        fields.append({QStringLiteral("ExternalId"), params.externalId});
    if (!params.sourceIdentity.isEmpty())
        fields.append({QStringLiteral("SourceIdentity"), params.sourceIdentity});
    if (!params.serialNumber.isEmpty()) {
        fields.append({QStringLiteral("SerialNumber"), params.serialNumber});
        fields.append({QStringLiteral("TokenCode"), params.tokenCode.exposeUtf8()});
    }
    return fields;
}

HttpJob *makeSignedStsPost(QNetworkAccessManager *nam, const QUrl &endpoint, const QString &region,
                           const QList<std::pair<QString, QString>> &fields, const AwsKeys &source,
                           const QDateTime &time, const HttpPolicy &policy, QObject *parent)
{
    const QUrl url = normalisedEndpoint(endpoint);
    SigV4Request request;
    request.method = "POST";
    request.url = url;
    request.headers = {{"Content-Type", kFormType}};
    request.body = formEncode(fields);
    request.region = signingRegion(region);
    request.service = QStringLiteral("sts");
    request.time = time;
    const SigV4Signature signature = signSigV4(request, source);

    auto *job = new HttpJob(nam, url, "POST", policy, parent);
    // Sent exactly as signed; Qt would otherwise derive it from the URL itself.
    job->setHeader("Host", signature.host);
    // The Query API answers JSON to "Accept: application/json" (HttpJob's default).
    job->setHeader("Accept", "text/xml");
    for (const auto &[name, value] : signature.headersToAdd)
        job->setHeader(name, value);
    job->setBody(request.body, kFormType);
    return job;
}

namespace {

// An STS answer as the job's result: the parsed document for 200, else the mapped STS error.
template<typename T, typename Parse>
Result<T> stsAnswer(const Result<HttpResponse> &reply, Parse parse, const QDateTime &now)
{
    if (!reply)
        return reply.error();
    if (reply->status == 200)
        return parse(reply->body);
    return stsError(*reply, now);
}

} // namespace

// ---- AssumeRoleJob -------------------------------------------------------------------------

AssumeRoleJob::AssumeRoleJob(QNetworkAccessManager *nam, const Clock *clock, const QUrl &endpoint,
                             const QString &region, const AssumeRoleParams &params,
                             const AwsKeys &source, const HttpPolicy &policy, QObject *parent)
    : Job(parent)
    , m_nam(nam)
    , m_clock(clock)
    , m_endpoint(endpoint)
    , m_region(region)
    , m_params(params)
    , m_source(source)
    , m_policy(policy)
{
    setAutoDelete(false); // the caller reads result() and deletes it
}

AssumeRoleJob::~AssumeRoleJob() = default;

void AssumeRoleJob::doStart()
{
    m_sentAt = m_clock->nowUtc();
    if (auto valid = validate(m_params, m_source); !valid) {
        finish(valid.error()); // delivered from the event loop, like every finish
        return;
    }
    qCDebug(lcSts).noquote() << "AssumeRole" << m_params.roleArn << "at"
                             << m_endpoint.toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery)
                             << "with" << m_source.accessKeyId;
    m_http = makeSignedStsPost(m_nam, m_endpoint, m_region, assumeRoleFields(m_params), m_source,
                               m_sentAt, m_policy, this);
    // The one-time code and the source secret are not needed once the request is signed.
    m_params.tokenCode.clear();
    m_source = AwsKeys();
    connect(m_http, &HttpJob::finished, this, [this] {
        HttpJob *http = m_http;
        http->deleteLater();
        finish(stsAnswer<StsCredentials>(
            http->result(),
            [this](const QByteArray &body) { return parseAssumeRoleResponse(body, m_sentAt); },
            m_clock->nowUtc()));
    });
    m_http->start();
}

void AssumeRoleJob::doCancel()
{
    if (m_http)
        m_http->cancel();
    else
        finish(Error {ErrorCode::Cancelled, cancelledDetail()});
}

void AssumeRoleJob::finish(const Result<StsCredentials> &result)
{
    if (isFinished())
        return;
    m_result = result;
    if (!result)
        qCDebug(lcSts).noquote() << "AssumeRole failed:" << errorCodeName(result.error().code)
                                 << result.error().detail;
    emitFinished(m_result);
}

// ---- CallerIdentityJob ---------------------------------------------------------------------

CallerIdentityJob::CallerIdentityJob(QNetworkAccessManager *nam, const Clock *clock,
                                     const QUrl &endpoint, const QString &region,
                                     const AwsKeys &source, const HttpPolicy &policy,
                                     QObject *parent)
    : Job(parent)
    , m_nam(nam)
    , m_clock(clock)
    , m_endpoint(endpoint)
    , m_region(region)
    , m_source(source)
    , m_policy(policy)
{
    setAutoDelete(false); // the caller reads result() and deletes it
}

CallerIdentityJob::~CallerIdentityJob() = default;

void CallerIdentityJob::doStart()
{
    m_sentAt = m_clock->nowUtc();
    if (m_source.isEmpty()) {
        finish(Error {ErrorCode::Invalid, QStringLiteral("GetCallerIdentity needs credentials")});
        return;
    }
    m_http = makeSignedStsPost(m_nam, m_endpoint, m_region,
                               {{QStringLiteral("Action"), QStringLiteral("GetCallerIdentity")},
                                {QStringLiteral("Version"), QStringLiteral("2011-06-15")}},
                               m_source, m_sentAt, m_policy, this);
    m_source = AwsKeys();
    connect(m_http, &HttpJob::finished, this, [this] {
        HttpJob *http = m_http;
        http->deleteLater();
        finish(stsAnswer<CallerIdentity>(
            http->result(),
            [](const QByteArray &body) { return parseCallerIdentityResponse(body); },
            m_clock->nowUtc()));
    });
    m_http->start();
}

void CallerIdentityJob::doCancel()
{
    if (m_http)
        m_http->cancel();
    else
        finish(Error {ErrorCode::Cancelled, cancelledDetail()});
}

void CallerIdentityJob::finish(const Result<CallerIdentity> &result)
{
    if (isFinished())
        return;
    m_result = result;
    emitFinished(m_result);
}

} // namespace TokenTray
