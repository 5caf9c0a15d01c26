#pragma once

#include "core/model/profile.h"
#include "core/oauth/oauthjobs.h"
#include "core/refresh/credentialfetch.h"
#include "core/util/result.h"
#include "core/util/secret.h"

#include <QObject>
#include <QPointer>

namespace TokenTray {

struct OAuthEndpoints;

// Asks the provider whether an access token is still active (RFC 7662), for the token
// inspector's "Verify": resolves the environment's endpoints, reads the optional client_secret
// and POSTs the token to the introspection endpoint. QtKeychain's job contract: start() never
// emits synchronously, finished() exactly once, result() valid after it.
class TokenVerifyJob final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TokenVerifyJob)
public:
    TokenVerifyJob(const FetchServices &services, const Profile &profile, const Environment &env,
                   const Secret &token, QObject *parent = nullptr);
    ~TokenVerifyJob() override;

    void start();
    void abort();
    [[nodiscard]] const Result<Introspection> &result() const { return m_result; }

Q_SIGNALS:
    void finished();

private:
    void run();
    void introspect(const QUrl &url, const ClientAuthentication &client);
    void finish(const Result<Introspection> &result);

    FetchServices m_services;
    Profile m_profile;
    Environment m_env;
    Secret m_token;
    QPointer<QObject> m_step;
    Result<Introspection> m_result = Introspection();
    bool m_finished = false;
};

} // namespace TokenTray
