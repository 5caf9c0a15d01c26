#include "core/refresh/tokenverifyjob.h"

#include "core/refresh/oauthclientjob.h"

#include "core/oauth/oauthendpoints.h"
#include "core/secrets/secretstore.h"

#include <QTimer>

namespace TokenTray {

TokenVerifyJob::TokenVerifyJob(const FetchServices &services, const Profile &profile,
                               const Environment &env, const Secret &token, QObject *parent)
    : QObject(parent)
    , m_services(services)
    , m_profile(profile)
    , m_env(env)
    , m_token(token)
{
}

TokenVerifyJob::~TokenVerifyJob() = default;

void TokenVerifyJob::start()
{
    QTimer::singleShot(0, this, &TokenVerifyJob::run);
}

void TokenVerifyJob::abort()
{
    finish(Error {ErrorCode::Cancelled, QStringLiteral("cancelled")});
}

void TokenVerifyJob::run()
{
    if (m_finished)
        return;
    if (m_profile.kind != ProfileKind::OAuth2) {
        finish(Error {ErrorCode::Invalid,
                      kindName(m_profile.kind)
                          + QStringLiteral(" credentials cannot be introspected")});
        return;
    }
    if (m_token.isEmpty()) {
        finish(Error {ErrorCode::Invalid, QStringLiteral("there is no access token to verify")});
        return;
    }
    auto *job = new OAuthClientJob(m_services, m_profile, m_env, this);
    m_step = job;
    connect(job, &OAuthClientJob::finished, this, [this, job] {
        job->deleteLater();
        if (!job->result()) {
            finish(job->result().error());
            return;
        }
        const OAuthClient &client = job->result().value();
        if (client.endpoints.introspection.isEmpty()) {
            finish(Error {ErrorCode::Invalid,
                          m_profile.name + QLatin1Char('/') + m_env.name
                              + QStringLiteral(" has no introspection endpoint")});
            return;
        }
        introspect(client.endpoints.introspection, client.authentication);
    });
    job->start();
}

void TokenVerifyJob::introspect(const QUrl &url, const ClientAuthentication &client)
{
    auto *job = new TokenIntrospectJob(m_services.nam, url, m_token, client,
                                       httpPolicyFor(m_services, m_env), this);
    m_step = job;
    connect(job, &TokenIntrospectJob::finished, this, [this, job] {
        job->deleteLater();
        finish(job->result());
    });
    job->start();
}

void TokenVerifyJob::finish(const Result<Introspection> &result)
{
    if (m_finished)
        return;
    m_finished = true;
    m_result = result;
    m_token.clear();
    if (QObject *step = m_step.data()) {
        step->disconnect(this);
        if (!qobject_cast<SecretJob *>(step))
            step->deleteLater();
        m_step = nullptr;
    }
    Q_EMIT finished();
}

} // namespace TokenTray
