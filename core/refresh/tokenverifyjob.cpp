#include "core/refresh/tokenverifyjob.h"

#include "core/aws/stsjobs.h"
#include "core/oauth/oauthendpoints.h"
#include "core/refresh/oauthclientjob.h"
#include "core/secrets/secretstore.h"

#include <QTimer>

namespace TokenTray {

TokenVerifyJob::TokenVerifyJob(const FetchServices &services, const Profile &profile,
                               const Environment &env, const Secret &token, QObject *parent)
    : Job(parent)
    , m_services(services)
    , m_profile(profile)
    , m_env(env)
    , m_token(token)
{
    setAutoDelete(false); // the caller reads result() and deletes it
}

TokenVerifyJob::TokenVerifyJob(const FetchServices &services, const Profile &profile,
                               const Environment &env, const Credential &credential,
                               QObject *parent)
    : TokenVerifyJob(services, profile, env, credential.accessToken, parent)
{
    m_credential = credential;
}

TokenVerifyJob::~TokenVerifyJob() = default;

void TokenVerifyJob::doStart()
{
    QTimer::singleShot(0, this, &TokenVerifyJob::run);
}

void TokenVerifyJob::doCancel()
{
    finish(Error {ErrorCode::Cancelled, cancelledDetail()});
}

void TokenVerifyJob::run()
{
    if (isFinished())
        return;
    if (m_profile.kind == ProfileKind::AwsAccessKey
        || m_profile.kind == ProfileKind::AwsAssumeRole) {
        callerIdentity();
        return;
    }
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

void TokenVerifyJob::callerIdentity()
{
    if (m_credential.accessKeyId.isEmpty()) {
        finish(Error {ErrorCode::Invalid, QStringLiteral("there are no AWS keys to verify")});
        return;
    }
    const QString region = m_env.region.isEmpty() ? QStringLiteral("us-east-1") : m_env.region;
    auto *job = new CallerIdentityJob(
        m_services.nam, m_services.clock, stsEndpointFor(region, m_env.stsEndpoint), region,
        AwsKeys {m_credential.accessKeyId, m_credential.secretAccessKey, m_credential.sessionToken},
        httpPolicyFor(m_services, m_env), this);
    m_step = job;
    connect(job, &CallerIdentityJob::finished, this, [this, job] {
        job->deleteLater();
        const Result<CallerIdentity> &r = job->result();
        if (r) {
            finish(Introspection {true,
                                  QJsonObject {{QStringLiteral("Account"), r->account},
                                               {QStringLiteral("Arn"), r->arn},
                                               {QStringLiteral("UserId"), r->userId}}});
            return;
        }
        // STS answering that it does not know these keys is the answer, not a failure.
        const QString &reason = r.error().reason;
        if (reason == QLatin1String("InvalidClientTokenId")
            || reason == QLatin1String("ExpiredToken")) {
            finish(Introspection {false, QJsonObject {{QStringLiteral("reason"), reason}}});
            return;
        }
        finish(r.error());
    });
    job->start();
}

void TokenVerifyJob::finish(const Result<Introspection> &result)
{
    if (isFinished())
        return;
    m_result = result;
    m_token.clear();
    m_credential = Credential();
    if (QObject *step = m_step.data()) {
        step->disconnect(this);
        if (!qobject_cast<SecretJob *>(step))
            step->deleteLater();
        m_step = nullptr;
    }
    emitFinished(m_result);
}

} // namespace TokenTray
