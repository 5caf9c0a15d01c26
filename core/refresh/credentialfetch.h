#pragma once

#include "core/aws/stsresponse.h"
#include "core/model/credential.h"
#include "core/model/profile.h"
#include "core/net/httpjob.h"
#include "core/util/job.h"
#include "core/util/result.h"

#include <QHash>
#include <QObject>
#include <QPointer>

class QNetworkAccessManager;

namespace TokenTray {

class Clock;
class DiscoveryCache;
class MfaPrompter;
class RandomSource;
class SecretStore;
class TokenAsk;
class TokenEngine;
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
    // Who is asked for an MFA code when a role needs one and has no mfa_process; none: such
    // refreshes fail with "needs a person".
    MfaPrompter *mfa = nullptr;
    int mfaProcessTimeoutMs = 60000;
    // Set by the engine that runs the job: a role's source credentials come from it (cached,
    // single-flight, refreshed like any other).
    TokenEngine *engine = nullptr;
    // Backoff and refresh jitter; none: SystemRandomSource::instance(). Last, so that positional
    // initialisers ({nam, secrets, discovery, clock, timeout}) keep their meaning.
    RandomSource *random = nullptr;
};

HttpPolicy httpPolicyFor(const FetchServices &services, const Environment &env);

// Builds the credential a token response describes: expiry = send time + expires_in, else the
// access token's JWT exp, else the default lifetime.
Credential credentialFromResponse(const TokenResponse &response, const QDateTime &sentAt,
                                  const QStringList &requestedScopes,
                                  qint64 defaultLifetimeSeconds);

// Obtains a new credential for one (profile, environment), whatever its kind: reads the
// secrets it needs, resolves endpoints, runs the grant, persists a rotated refresh token before
// reporting success, and drops a refresh token the server called invalid_grant. AWS kinds: the
// access key pair from the keychain as is, or STS AssumeRole signed with the source profile's
// credentials (asked from the engine), with an MFA code asked afresh each time one is needed.
class CredentialFetchJob final : public Job
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CredentialFetchJob)
public:
    CredentialFetchJob(const FetchServices &services, const Profile &profile,
                       const Environment &env, QObject *parent = nullptr);
    ~CredentialFetchJob() override;

    [[nodiscard]] const Result<Credential> &result() const { return m_result; }
    [[nodiscard]] QString profileId() const { return m_profile.id; }
    [[nodiscard]] QString environmentName() const { return m_env.name; }

protected:
    void doStart() override;
    void finishWithError(const Error &error) override;

private:
    void run();
    void readSecret(const QString &name, bool required, void (CredentialFetchJob::*next)());
    void secretMissing(const QString &name);
    void readSecrets(const QList<std::pair<QString, bool>> &names,
                     void (CredentialFetchJob::*next)());
    void readNextSecret();
    void afterClientSecret();
    void afterRefreshToken();
    void resolveEndpoints();
    void requestToken(const OAuthEndpoints &endpoints);
    void onTokenResponse(const Result<TokenResponse> &response, const QDateTime &sentAt);
    void dropRefreshToken(const Error &cause);
    void finishStaticToken();
    void readAccessKeys();
    void finishAccessKeys();
    void askSource();
    void obtainMfaCode();
    void assumeRole();
    void onAssumeRole(const Result<StsCredentials> &result, const QDateTime &sentAt);
    void finish(const Result<Credential> &result);

    FetchServices m_services;
    Profile m_profile;
    Environment m_env;
    QHash<QString, Secret> m_secrets; // read from the keychain, by item name
    QList<std::pair<QString, bool>> m_toRead; // (name, required) still to read
    void (CredentialFetchJob::*m_afterReads)() = nullptr;
    Credential m_source; // a role's source credentials
    bool m_sourceIsRole = false;
    bool m_retriedSource = false;
    Secret m_mfaCode;
    QPointer<QObject> m_step;
    Result<Credential> m_result = Credential();
};

} // namespace TokenTray
