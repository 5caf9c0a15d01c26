#include "core/oauth/oauthjobs.h"

#include "core/util/clock.h"
#include "core/util/logging.h"
#include "core/util/redact.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

namespace TokenTray {

QByteArray basicAuthorization(const QString &clientId, const Secret &clientSecret)
{
    const QByteArray pair = QUrl::toPercentEncoding(clientId) + ':'
        + QUrl::toPercentEncoding(clientSecret.exposeUtf8());
    return "Basic " + pair.toBase64();
}

HttpJob *makeOAuthPost(QNetworkAccessManager *nam, const QUrl &url,
                       QList<std::pair<QString, QString>> fields,
                       const ClientAuthentication &client, const HttpPolicy &policy,
                       QObject *parent)
{
    auto *job = new HttpJob(nam, url, "POST", policy, parent);
    if (client.clientSecret.isEmpty()) {
        if (!client.clientId.isEmpty())
            fields.append({QStringLiteral("client_id"), client.clientId});
    } else if (client.method == ClientAuth::Post) {
        fields.append({QStringLiteral("client_id"), client.clientId});
        fields.append({QStringLiteral("client_secret"), client.clientSecret.exposeUtf8()});
    } else {
        job->setHeader("Authorization", basicAuthorization(client.clientId, client.clientSecret));
    }
    job->setBody(formEncode(fields), "application/x-www-form-urlencoded");
    return job;
}

// ---- TokenGrantJob -------------------------------------------------------------------------

TokenGrantJob::TokenGrantJob(QNetworkAccessManager *nam, const Clock *clock, const QUrl &tokenUrl,
                             const QList<std::pair<QString, QString>> &fields,
                             const ClientAuthentication &client, const HttpPolicy &policy,
                             QObject *parent)
    : Job(parent)
    , m_clock(clock)
{
    setAutoDelete(false); // the caller reads result() and deletes it
    m_http = makeOAuthPost(nam, tokenUrl, fields, client, policy, this);
    connect(m_http, &HttpJob::finished, this, [this] {
        const auto &r = m_http->result();
        if (!r) {
            m_result = r.error();
        } else {
            m_result = parseTokenResponse(r->status, r->body);
            if (!m_result) {
                Error e = m_result.error();
                e.retryAfterSeconds = r->retryAfterSeconds(m_clock->nowUtc());
                e.requestId = requestIdOf(*r);
                m_result = e;
            }
        }
        m_http->deleteLater();
        emitFinished(m_result);
    });
}

void TokenGrantJob::doStart()
{
    m_sentAt = m_clock->nowUtc();
    m_http->start();
}

void TokenGrantJob::doCancel()
{
    if (m_http)
        m_http->cancel();
}

// ---- device flow ---------------------------------------------------------------------------

Result<DeviceAuthorization> parseDeviceAuthorization(int httpStatus, const QByteArray &body)
{
    if (httpStatus != 200) {
        if (const auto oauth = parseOAuthError(body))
            return Error {ErrorCode::Rejected,
                          QStringLiteral("the device authorization endpoint refused: ")
                              + oauth->error,
                          httpStatus, oauth->error};
        return Error {
            ErrorCode::HttpStatus,
            QStringLiteral("the device authorization endpoint answered HTTP %1").arg(httpStatus),
            httpStatus};
    }
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    if (!doc.isObject())
        return Error {ErrorCode::Parse,
                      QStringLiteral("the device authorization answer is not a JSON object")};
    const QJsonObject o = doc.object();
    DeviceAuthorization d;
    const QJsonValue code = o.value(QLatin1String("device_code"));
    const QJsonValue user = o.value(QLatin1String("user_code"));
    const QJsonValue uri = o.value(QLatin1String("verification_uri"));
    if (!code.isString() || code.toString().isEmpty() || !user.isString()
        || user.toString().isEmpty() || !uri.isString())
        return Error {ErrorCode::Parse,
                      QStringLiteral("the device authorization answer lacks device_code, user_code "
                                     "or verification_uri")};
    d.deviceCode = Secret::fromUtf8(code.toString());
    if (hasControlCharacters(user.toString()))
        return Error {ErrorCode::Parse,
                      QStringLiteral("the device authorization answer has a user_code with "
                                     "control characters")};
    d.userCode = user.toString().left(64);
    d.verificationUri = QUrl(uri.toString(), QUrl::StrictMode);
    d.verificationUriComplete
        = QUrl(o.value(QLatin1String("verification_uri_complete")).toString(), QUrl::StrictMode);
    const QString scheme = d.verificationUri.scheme();
    if (!d.verificationUri.isValid()
        || (scheme != QLatin1String("https") && scheme != QLatin1String("http")))
        return Error {ErrorCode::Parse,
                      QStringLiteral("the verification_uri is not a web address")};
    if (!d.verificationUriComplete.isEmpty() && d.verificationUriComplete.scheme() != scheme)
        d.verificationUriComplete = QUrl();
    d.expiresIn = static_cast<qint64>(o.value(QLatin1String("expires_in")).toDouble(600));
    if (d.expiresIn <= 0 || d.expiresIn > 24 * 3600)
        d.expiresIn = 600;
    // Seconds, a JSON number (RFC 8628 §3.2), kept to the millisecond: a fraction is honoured
    // down to 0.1 s, so a local authority (the tests') can ask for fast polling without a hook
    // in TokenTray; nonsense falls back to the RFC's 5 s.
    const double interval = o.value(QLatin1String("interval")).toDouble(5);
    d.intervalMs = interval > 0 && interval <= 300 ? qMax(100, qRound(interval * 1000)) : 5000;
    return d;
}

DeviceFlowJob::DeviceFlowJob(QNetworkAccessManager *nam, const Clock *clock, const QUrl &deviceUrl,
                             const QUrl &tokenUrl, const QStringList &scopes,
                             const QString &audience, const ClientAuthentication &client,
                             const HttpPolicy &policy, QObject *parent)
    : Job(parent)
    , m_nam(nam)
    , m_clock(clock)
    , m_deviceUrl(deviceUrl)
    , m_tokenUrl(tokenUrl)
    , m_scopes(scopes)
    , m_audience(audience)
    , m_client(client)
    , m_policy(policy)
{
    setAutoDelete(false); // the caller reads result() and deletes it
}

void DeviceFlowJob::doStart()
{
    QTimer::singleShot(0, this, &DeviceFlowJob::requestCode);
}

void DeviceFlowJob::doCancel()
{
    finish(Error {ErrorCode::Cancelled, QStringLiteral("sign-in cancelled")});
}

void DeviceFlowJob::requestCode()
{
    if (isFinished())
        return; // cancelled before it began
    QList<std::pair<QString, QString>> fields;
    if (!m_scopes.isEmpty())
        fields.append({QStringLiteral("scope"), m_scopes.join(QLatin1Char(' '))});
    if (!m_audience.isEmpty())
        fields.append({QStringLiteral("audience"), m_audience});
    HttpJob *job = makeOAuthPost(m_nam, m_deviceUrl, fields, m_client, m_policy, this);
    m_current = job;
    connect(job, &HttpJob::finished, this, [this, job] {
        job->deleteLater();
        const auto &r = job->result();
        if (!r) {
            finish(r.error());
            return;
        }
        auto parsed = parseDeviceAuthorization(r->status, r->body);
        if (!parsed) {
            Error e = parsed.error();
            e.requestId = requestIdOf(*r);
            finish(e);
            return;
        }
        m_deviceCode = parsed->deviceCode;
        m_intervalMs = parsed->intervalMs;
        m_expiresAt = m_clock->nowUtc().addSecs(parsed->expiresIn);
        Q_EMIT userCodeReady(parsed->userCode, parsed->verificationUri,
                             parsed->verificationUriComplete, m_expiresAt);
        schedulePoll();
    });
    job->start();
}

void DeviceFlowJob::schedulePoll()
{
    if (isFinished())
        return;
    if (m_clock->nowUtc() >= m_expiresAt) {
        finish(Error {ErrorCode::Rejected,
                      QStringLiteral("the sign-in code expired before it was approved"), 0,
                      QStringLiteral("expired_token")});
        return;
    }
    if (!m_timer) {
        m_timer = new QTimer(this);
        m_timer->setSingleShot(true);
        connect(m_timer, &QTimer::timeout, this, &DeviceFlowJob::poll);
    }
    m_timer->start(static_cast<int>(m_intervalMs * m_intervalScale));
}

void DeviceFlowJob::poll()
{
    ++m_polls;
    auto *grant
        = new TokenGrantJob(m_nam, m_clock, m_tokenUrl,
                            {{QStringLiteral("grant_type"),
                              QStringLiteral("urn:ietf:params:oauth:grant-type:device_code")},
                             {QStringLiteral("device_code"), m_deviceCode.exposeUtf8()}},
                            m_client, m_policy, this);
    m_current = grant;
    connect(grant, &TokenGrantJob::finished, this, [this, grant] {
        grant->deleteLater();
        const auto &r = grant->result();
        if (r) {
            m_sentAt = grant->sentAt();
            finish(r);
            return;
        }
        const Error &e = r.error();
        if (e.reason == QLatin1String("authorization_pending")) {
            Q_EMIT pollingStatusChanged(QStringLiteral("pending"));
            schedulePoll();
        } else if (e.reason == QLatin1String("slow_down")) {
            m_intervalMs += 5000; // RFC 8628 §3.5
            Q_EMIT pollingStatusChanged(QStringLiteral("slow_down"));
            schedulePoll();
        } else if (e.reason == QLatin1String("access_denied")) {
            Error denied = e;
            denied.code = ErrorCode::Rejected;
            denied.detail = QStringLiteral("the sign-in was denied");
            finish(denied);
        } else if (e.reason == QLatin1String("expired_token")) {
            Error expired = e;
            expired.code = ErrorCode::Rejected;
            expired.detail = QStringLiteral("the sign-in code expired before it was approved");
            finish(expired);
        } else if (e.transient()) {
            Q_EMIT pollingStatusChanged(QStringLiteral("retrying"));
            schedulePoll();
        } else {
            finish(e);
        }
    });
    grant->start();
}

void DeviceFlowJob::finish(const Result<TokenResponse> &result)
{
    if (isFinished())
        return;
    m_result = result;
    m_deviceCode.clear();
    if (m_timer)
        m_timer->stop();
    if (m_current)
        m_current->deleteLater();
    emitFinished(m_result);
}

// ---- revocation and introspection ----------------------------------------------------------

TokenRevokeJob::TokenRevokeJob(QNetworkAccessManager *nam, const QUrl &url, const Secret &token,
                               const QString &tokenTypeHint, const ClientAuthentication &client,
                               const HttpPolicy &policy, QObject *parent)
    : Job(parent)
{
    setAutoDelete(false); // the caller reads result() and deletes it
    m_http = makeOAuthPost(nam, url,
                           {{QStringLiteral("token"), token.exposeUtf8()},
                            {QStringLiteral("token_type_hint"), tokenTypeHint}},
                           client, policy, this);
    connect(m_http, &HttpJob::finished, this, [this] {
        const auto &r = m_http->result();
        if (!r)
            m_result = r.error();
        else if (r->status != 200) // RFC 7009 §2.2: 200 even for unknown tokens
            m_result
                = Error {ErrorCode::HttpStatus,
                         QStringLiteral("the revocation endpoint answered HTTP %1").arg(r->status),
                         r->status};
        m_http->deleteLater();
        emitFinished(m_result);
    });
}

void TokenRevokeJob::doStart()
{
    m_http->start();
}

TokenIntrospectJob::TokenIntrospectJob(QNetworkAccessManager *nam, const QUrl &url,
                                       const Secret &token, const ClientAuthentication &client,
                                       const HttpPolicy &policy, QObject *parent)
    : Job(parent)
{
    setAutoDelete(false); // the caller reads result() and deletes it
    m_http = makeOAuthPost(nam, url, {{QStringLiteral("token"), token.exposeUtf8()}}, client,
                           policy, this);
    connect(m_http, &HttpJob::finished, this, [this] {
        const auto &r = m_http->result();
        if (!r) {
            m_result = r.error();
        } else if (r->status != 200) {
            m_result = Error {
                ErrorCode::HttpStatus,
                QStringLiteral("the introspection endpoint answered HTTP %1").arg(r->status),
                r->status};
        } else {
            const QJsonDocument doc = QJsonDocument::fromJson(r->body);
            const QJsonValue active = doc.object().value(QLatin1String("active"));
            if (!doc.isObject() || !active.isBool())
                m_result
                    = Error {ErrorCode::Parse,
                             QStringLiteral("the introspection answer has no boolean \"active\"")};
            else
                m_result = Introspection {active.toBool(), doc.object()};
        }
        m_http->deleteLater();
        emitFinished(m_result);
    });
}

void TokenIntrospectJob::doStart()
{
    m_http->start();
}

} // namespace TokenTray
