#include "core/refresh/signinjob.h"

#include "core/refresh/oauthclientjob.h"

#include "core/oauth/oauthendpoints.h"
#include "core/oauth/oauthjobs.h"
#include "core/secrets/secretstore.h"
#include "core/util/logging.h"

#include <QTimer>

namespace TokenTray {

SignInJob::SignInJob(const FetchServices &services, const Profile &profile, const Environment &env,
                     QObject *parent)
    : Job(parent)
    , m_services(services)
    , m_profile(profile)
    , m_env(env)
{
    setAutoDelete(false); // the caller reads result() and deletes it
}

// Destroyed while running: the device flow is a child and stops polling with it.
SignInJob::~SignInJob() = default;

Result<bool> SignInJob::recordInConfig(Config &config, bool refreshTokenStored) const
{
    Profile *profile = nullptr;
    for (Profile &p : config.profiles) {
        if (p.id == m_profile.id)
            profile = &p;
    }
    if (!profile || !profile->environment(m_env.name))
        return Error {ErrorCode::NotFound,
                      m_profile.name + QLatin1Char('/') + m_env.name
                          + QStringLiteral(" was removed while signing in")};
    const QString entry = secretIndexEntry(m_env.name, QStringLiteral("refresh_token"));
    if (!refreshTokenStored || profile->secretIndex.contains(entry))
        return false;
    profile->secretIndex.append(entry);
    return true;
}

void SignInJob::doStart()
{
    QTimer::singleShot(0, this, &SignInJob::run);
}

QString SignInJob::cancelledDetail() const
{
    return QStringLiteral("sign-in cancelled");
}

void SignInJob::finishWithError(const Error &error)
{
    finish(error);
}

void SignInJob::run()
{
    if (isFinished())
        return; // cancelled before it began
    if (m_profile.kind != ProfileKind::OAuth2) {
        finish(Error {ErrorCode::Invalid,
                      kindName(m_profile.kind)
                          + QStringLiteral(" profiles do not sign in with a device code")});
        return;
    }
    resolveEndpoints();
}

void SignInJob::resolveEndpoints()
{
    auto *job = new OAuthClientJob(m_services, m_profile, m_env, this);
    m_step = job;
    connect(job, &OAuthClientJob::finished, this, [this, job] {
        job->deleteLater();
        if (!job->result()) {
            finish(job->result().error());
            return;
        }
        const OAuthClient &client = job->result().value();
        if (client.endpoints.deviceAuthorization.isEmpty()) {
            finish(Error {ErrorCode::Invalid,
                          m_profile.name + QLatin1Char('/') + m_env.name
                              + QStringLiteral(" has no device authorization endpoint")});
            return;
        }
        startFlow(client.endpoints, client.authentication);
    });
    job->start();
}

void SignInJob::startFlow(const OAuthEndpoints &endpoints, const ClientAuthentication &client)
{
    auto *flow = new DeviceFlowJob(m_services.nam, m_services.clock, endpoints.deviceAuthorization,
                                   endpoints.token, m_env.scopes, m_env.audience, client,
                                   httpPolicyFor(m_services, m_env), this);
    flow->setIntervalScale(m_intervalScale);
    m_step = flow;
    connect(flow, &DeviceFlowJob::userCodeReady, this, &SignInJob::userCodeReady);
    connect(flow, &DeviceFlowJob::pollingStatusChanged, this, &SignInJob::statusChanged);
    connect(flow, &DeviceFlowJob::finished, this, &SignInJob::onFlowFinished);
    flow->start();
}

void SignInJob::onFlowFinished()
{
    auto *flow = qobject_cast<DeviceFlowJob *>(m_step.data());
    if (!flow)
        return;
    flow->deleteLater();
    m_step = nullptr;
    if (!flow->result()) {
        finish(flow->result().error());
        return;
    }
    const TokenResponse &response = flow->result().value();
    SignInResult outcome;
    outcome.credential = credentialFromResponse(response, flow->sentAt(), m_env.scopes,
                                                m_services.defaultLifetimeSeconds);
    const bool storesRefreshToken = !response.refreshToken.isEmpty();
    if (m_beforeStore) {
        if (auto ready = m_beforeStore(storesRefreshToken); !ready) {
            finish(ready.error());
            return;
        }
    }
    if (!storesRefreshToken) {
        finish(outcome);
        return;
    }
    store(outcome, response.refreshToken);
}

void SignInJob::store(const SignInResult &outcome, const Secret &refreshToken)
{
    SecretJob *job = m_services.secrets->write(
        secretKey(m_profile.id, m_env.name, QStringLiteral("refresh_token")), refreshToken);
    m_step = job;
    connect(job, &SecretJob::finished, this, [this, outcome, j = job] {
        if (!j->result()) {
            finish(j->result().error());
            return;
        }
        SignInResult stored = outcome;
        stored.refreshTokenStored = true;
        qCInfo(lcOAuth).noquote() << "signed in to" << m_profile.name << m_env.name;
        finish(stored);
    });
    job->start();
}

void SignInJob::finish(const Result<SignInResult> &result)
{
    if (isFinished())
        return;
    m_result = result;
    if (QObject *step = m_step.data()) {
        step->disconnect(this);
        if (auto *flow = qobject_cast<DeviceFlowJob *>(step))
            flow->cancel(); // stops its poll timer and drops the request in flight
        if (!qobject_cast<SecretJob *>(step)) // the store deletes its own jobs
            step->deleteLater();
        m_step = nullptr;
    }
    emitFinished(m_result);
}

} // namespace TokenTray
