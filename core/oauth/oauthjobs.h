#pragma once

#include "core/model/kinds.h"
#include "core/net/httpjob.h"
#include "core/oauth/tokenresponse.h"
#include "core/util/job.h"
#include "core/util/result.h"
#include "core/util/secret.h"

#include <QDateTime>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QUrl>

class QNetworkAccessManager;
class QTimer;

namespace TokenTray {

class Clock;

// How the client proves who it is (RFC 6749 §2.3). With no secret it is a public client and
// sends only client_id in the body.
struct ClientAuthentication
{
    QString clientId;
    Secret clientSecret;
    ClientAuth method = ClientAuth::Basic;
};

// `Basic base64(urlencode(id) ":" urlencode(secret))`: form-encoded first, then base64.
QByteArray basicAuthorization(const QString &clientId, const Secret &clientSecret);

// A POST of form fields to an OAuth endpoint with client authentication.
HttpJob *makeOAuthPost(QNetworkAccessManager *nam, const QUrl &url,
                       QList<std::pair<QString, QString>> fields,
                       const ClientAuthentication &client, const HttpPolicy &policy,
                       QObject *parent);

// One token request (any grant): POSTs, parses, records when it was sent (expiry counts from
// then, not from when the answer arrived).
class TokenGrantJob final : public Job
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TokenGrantJob)
public:
    TokenGrantJob(QNetworkAccessManager *nam, const Clock *clock, const QUrl &tokenUrl,
                  const QList<std::pair<QString, QString>> &fields,
                  const ClientAuthentication &client, const HttpPolicy &policy,
                  QObject *parent = nullptr);
    [[nodiscard]] const Result<TokenResponse> &result() const { return m_result; }
    [[nodiscard]] QDateTime sentAt() const { return m_sentAt; }

protected:
    void doStart() override;
    void doCancel() override;

private:
    const Clock *m_clock;
    QPointer<HttpJob> m_http;
    QDateTime m_sentAt;
    Result<TokenResponse> m_result = TokenResponse();
};

// RFC 8628 device authorization: asks for a user code, reports it, then polls the token
// endpoint until the person approved, denied, or the code expired.
class DeviceFlowJob final : public Job
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeviceFlowJob)
public:
    DeviceFlowJob(QNetworkAccessManager *nam, const Clock *clock, const QUrl &deviceUrl,
                  const QUrl &tokenUrl, const QStringList &scopes, const QString &audience,
                  const ClientAuthentication &client, const HttpPolicy &policy,
                  QObject *parent = nullptr);
    [[nodiscard]] const Result<TokenResponse> &result() const { return m_result; }
    [[nodiscard]] QDateTime sentAt() const { return m_sentAt; }
    [[nodiscard]] int intervalSeconds() const { return m_intervalMs / 1000; }
    [[nodiscard]] int polls() const { return m_polls; }
    // Tests shrink the wait between polls; the server's interval still scales it.
    void setIntervalScale(double scale) { m_intervalScale = scale; }

Q_SIGNALS:
    void userCodeReady(const QString &userCode, const QUrl &verificationUri,
                       const QUrl &verificationUriComplete, const QDateTime &expiresAt);
    void pollingStatusChanged(const QString &status); // "pending", "slow_down", "retrying"

protected:
    void doStart() override;
    void doCancel() override;

private:
    void requestCode();
    void schedulePoll();
    void poll();
    void finish(const Result<TokenResponse> &result);

    QNetworkAccessManager *m_nam;
    const Clock *m_clock;
    QUrl m_deviceUrl;
    QUrl m_tokenUrl;
    QStringList m_scopes;
    QString m_audience;
    ClientAuthentication m_client;
    HttpPolicy m_policy;
    Secret m_deviceCode;
    QDateTime m_expiresAt;
    QDateTime m_sentAt;
    int m_intervalMs = 5000;
    int m_polls = 0;
    double m_intervalScale = 1.0;
    QTimer *m_timer = nullptr;
    QPointer<QObject> m_current;
    Result<TokenResponse> m_result = TokenResponse();
};

// RFC 7009 revocation and RFC 7662 introspection.
class TokenRevokeJob final : public Job
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TokenRevokeJob)
public:
    TokenRevokeJob(QNetworkAccessManager *nam, const QUrl &url, const Secret &token,
                   const QString &tokenTypeHint, const ClientAuthentication &client,
                   const HttpPolicy &policy, QObject *parent = nullptr);
    [[nodiscard]] const Result<void> &result() const { return m_result; }

protected:
    void doStart() override;

private:
    QPointer<HttpJob> m_http;
    Result<void> m_result;
};

struct Introspection
{
    bool active = false;
    QJsonObject claims;
};

class TokenIntrospectJob final : public Job
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TokenIntrospectJob)
public:
    TokenIntrospectJob(QNetworkAccessManager *nam, const QUrl &url, const Secret &token,
                       const ClientAuthentication &client, const HttpPolicy &policy,
                       QObject *parent = nullptr);
    [[nodiscard]] const Result<Introspection> &result() const { return m_result; }

protected:
    void doStart() override;

private:
    QPointer<HttpJob> m_http;
    Result<Introspection> m_result = Introspection();
};

// RFC 8628 §3.2 device authorization response.
struct DeviceAuthorization
{
    Secret deviceCode;
    QString userCode;
    QUrl verificationUri;
    QUrl verificationUriComplete;
    qint64 expiresIn = 0;
    int intervalMs = 5000;
};
Result<DeviceAuthorization> parseDeviceAuthorization(int httpStatus, const QByteArray &body);

} // namespace TokenTray
