#pragma once

#include "core/model/profile.h"
#include "core/oauth/oauthjobs.h"
#include "core/refresh/credentialfetch.h"
#include "core/util/job.h"
#include "core/util/result.h"
#include "core/util/secret.h"

#include <QObject>
#include <QPointer>

namespace TokenTray {

struct OAuthEndpoints;

// Asks the provider whether a credential is still good, for the token inspector's "Verify" and
// `tokentray-cli verify`. OAuth2: RFC 7662 introspection (resolves the environment's endpoints,
// reads the optional client_secret, POSTs the token). AWS kinds: STS GetCallerIdentity signed
// with the keys; active with claims Account, Arn and UserId, inactive when STS no longer knows
// the keys (InvalidClientTokenId, ExpiredToken). QtKeychain's job contract: start() never
// emits synchronously, finished() exactly once, result() valid after it.
class TokenVerifyJob final : public Job
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TokenVerifyJob)
public:
    TokenVerifyJob(const FetchServices &services, const Profile &profile, const Environment &env,
                   const Secret &token, QObject *parent = nullptr);
    TokenVerifyJob(const FetchServices &services, const Profile &profile, const Environment &env,
                   const Credential &credential, QObject *parent = nullptr);
    ~TokenVerifyJob() override;

    [[nodiscard]] const Result<Introspection> &result() const { return m_result; }

protected:
    void doStart() override;
    void doCancel() override;

private:
    void run();
    void introspect(const QUrl &url, const ClientAuthentication &client);
    void callerIdentity();
    void finish(const Result<Introspection> &result);

    FetchServices m_services;
    Profile m_profile;
    Environment m_env;
    Secret m_token;
    Credential m_credential; // AWS kinds
    QPointer<QObject> m_step;
    Result<Introspection> m_result = Introspection();
};

} // namespace TokenTray
