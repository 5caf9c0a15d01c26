#pragma once

#include "core/model/config.h"
#include "core/model/credential.h"
#include "core/model/profile.h"
#include "core/refresh/credentialfetch.h"
#include "core/util/job.h"
#include "core/util/result.h"
#include "core/util/secret.h"

#include <QDateTime>
#include <QObject>
#include <QPointer>
#include <QUrl>

#include <functional>

namespace TokenTray {

struct ClientAuthentication;
struct OAuthEndpoints;

// What a finished sign-in produced.
struct SignInResult
{
    Credential credential;
    // A refresh token was written to the keychain as "<profileId>/<env>/refresh_token": the
    // profile's secretIndex must list "<env>/refresh_token" (unless beforeStore did it).
    bool refreshTokenStored = false;
};

// An interactive RFC 8628 sign-in of one (profile, environment), shared by the CLI's `login` and
// the tray's "Sign in…": resolves the endpoints, reads the optional client_secret, reports the
// user code for the person (userCodeReady), polls until they approved, denied or the code
// expired, then writes the refresh token to the keychain. The caller adopts the credential
// (TokenEngine::adopt) and indexes the refresh token.
//
// QtKeychain's job contract: start() never emits synchronously; finished() is emitted exactly
// once; result() is valid after it. Time limits come from the server's code lifetime and the
// HTTP timeout of each request.
class SignInJob final : public Job
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SignInJob)
public:
    // Runs after the person approved and before anything is written, with whether a refresh
    // token will be written. An error ends the job with that error and nothing is stored. The CLI
    // takes the config lock here (the person may have taken minutes; other commands must not wait
    // for them) and indexes the refresh token first, so no keychain item is ever unindexed.
    using BeforeStore = std::function<Result<void>(bool storesRefreshToken)>;

    SignInJob(const FetchServices &services, const Profile &profile, const Environment &env,
              QObject *parent = nullptr);
    ~SignInJob() override;

    // cancel() stops polling and ends the job with Cancelled ("sign-in cancelled").
    void setBeforeStore(BeforeStore hook) { m_beforeStore = std::move(hook); }
    // Tests shrink the wait between polls (the server's interval still scales it).
    void setIntervalScale(double scale) { m_intervalScale = scale; }

    // The configuration's side of this sign-in, for beforeStore (under the config lock, on the
    // newest config) or after finished(): the profile (found by id, as its keychain items are)
    // and the environment must still exist, and secretIndex lists "<env>/refresh_token" when one
    // is stored. Returns whether `config` changed; NotFound when they were removed meanwhile.
    Result<bool> recordInConfig(Config &config, bool refreshTokenStored) const;

    [[nodiscard]] const Result<SignInResult> &result() const { return m_result; }
    [[nodiscard]] QString profileId() const { return m_profile.id; }
    [[nodiscard]] QString profileName() const { return m_profile.name; }
    [[nodiscard]] QString environmentName() const { return m_env.name; }

Q_SIGNALS:
    // Show these to the person: open verificationUri (or the complete one, which carries the
    // code) and enter userCode before expiresAt (UTC).
    void userCodeReady(const QString &userCode, const QUrl &verificationUri,
                       const QUrl &verificationUriComplete, const QDateTime &expiresAt);
    // While polling: "pending" (not approved yet), "slow_down" (the server asked to poll less
    // often), "retrying" (a transient network or server error).
    void statusChanged(const QString &status);

protected:
    void doStart() override;
    void finishWithError(const Error &error) override;
    [[nodiscard]] QString cancelledDetail() const override;

private:
    void run();
    void resolveEndpoints();
    void startFlow(const OAuthEndpoints &endpoints, const ClientAuthentication &client);
    void onFlowFinished();
    void store(const SignInResult &outcome, const Secret &refreshToken);
    void finish(const Result<SignInResult> &result);

    FetchServices m_services;
    Profile m_profile;
    Environment m_env;
    BeforeStore m_beforeStore;
    double m_intervalScale = 1.0;
    QPointer<QObject> m_step; // the sub-job running now
    Result<SignInResult> m_result = SignInResult();
};

} // namespace TokenTray
