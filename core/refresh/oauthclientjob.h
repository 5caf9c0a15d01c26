#pragma once

#include "core/model/profile.h"
#include "core/oauth/oauthendpoints.h"
#include "core/oauth/oauthjobs.h"
#include "core/refresh/credentialfetch.h"
#include "core/util/job.h"
#include "core/util/result.h"

#include <QObject>
#include <QPointer>

namespace TokenTray {

// What a request to an environment's authority needs first: its endpoints (explicit or
// discovered) and the client's authentication (client id, the optional client_secret from the
// keychain, basic or post). Shared by sign-in, verification and sign-out.
struct OAuthClient
{
    OAuthEndpoints endpoints;
    ClientAuthentication authentication;
};

class OAuthClientJob final : public Job
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OAuthClientJob)
public:
    OAuthClientJob(const FetchServices &services, const Profile &profile, const Environment &env,
                   QObject *parent = nullptr);
    ~OAuthClientJob() override;

    [[nodiscard]] const Result<OAuthClient> &result() const { return m_result; }

protected:
    void doStart() override;
    void finishWithError(const Error &error) override;

private:
    void readClientSecret(const OAuthEndpoints &endpoints);
    void finish(const Result<OAuthClient> &result);

    FetchServices m_services;
    Profile m_profile;
    Environment m_env;
    QPointer<QObject> m_step;
    Result<OAuthClient> m_result = OAuthClient();
};

} // namespace TokenTray
