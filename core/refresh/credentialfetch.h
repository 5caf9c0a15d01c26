#pragma once

#include "core/model/credential.h"
#include "core/model/profile.h"
#include "core/net/httpjob.h"
#include "core/util/result.h"

#include <QObject>
#include <QPointer>

class QNetworkAccessManager;

namespace TokenTray {

class Clock;
class DiscoveryCache;
class SecretStore;
struct OAuthEndpoints;
struct TokenResponse;

// What fetching needs from the outside; owned by the composition root.
struct FetchServices
{
    QNetworkAccessManager *nam = nullptr;
    SecretStore *secrets = nullptr;
    DiscoveryCache *discovery = nullptr;
    const Clock *clock = nullptr;
    int httpTimeoutMs = 30000;
    qint64 defaultLifetimeSeconds = 3600; // when neither expires_in nor a JWT exp says
};

HttpPolicy httpPolicyFor(const FetchServices &services, const Environment &env);

// Builds the credential a token response describes: expiry = send time + expires_in, else the
// access token's JWT exp, else the default lifetime.
Credential credentialFromResponse(const TokenResponse &response, const QDateTime &sentAt,
                                  const QStringList &requestedScopes,
                                  qint64 defaultLifetimeSeconds);

// Obtains a new credential for one (profile, environment), whatever its kind: reads the
// secrets it needs, resolves endpoints, runs the grant, persists a rotated refresh token before
// reporting success, and drops a refresh token the server called invalid_grant.
class CredentialFetchJob final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CredentialFetchJob)
public:
    CredentialFetchJob(const FetchServices &services, const Profile &profile,
                       const Environment &env, QObject *parent = nullptr);
    ~CredentialFetchJob() override;

    void start();
    void abort();
    [[nodiscard]] const Result<Credential> &result() const { return m_result; }
    [[nodiscard]] QString profileId() const { return m_profile.id; }
    [[nodiscard]] QString environmentName() const { return m_env.name; }

Q_SIGNALS:
    void finished();

private:
    void run();
    void readSecret(const QString &name, bool required, void (CredentialFetchJob::*next)());
    void afterClientSecret();
    void afterRefreshToken();
    void resolveEndpoints();
    void requestToken(const OAuthEndpoints &endpoints);
    void onTokenResponse(const Result<TokenResponse> &response, const QDateTime &sentAt);
    void dropRefreshToken(const Error &cause);
    void finishStaticToken();
    void finish(const Result<Credential> &result);

    FetchServices m_services;
    Profile m_profile;
    Environment m_env;
    Secret m_clientSecret;
    Secret m_refreshToken;
    Secret m_staticToken;
    QPointer<QObject> m_step;
    Result<Credential> m_result = Credential();
    bool m_starting = false;
    bool m_finished = false;
};

} // namespace TokenTray
