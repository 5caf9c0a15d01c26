#include "core/refresh/oauthclientjob.h"

#include "core/secrets/secretstore.h"

#include <QTimer>

namespace TokenTray {

OAuthClientJob::OAuthClientJob(const FetchServices &services, const Profile &profile,
                               const Environment &env, QObject *parent)
    : QObject(parent)
    , m_services(services)
    , m_profile(profile)
    , m_env(env)
{
}

OAuthClientJob::~OAuthClientJob() = default;

void OAuthClientJob::start()
{
    QTimer::singleShot(0, this, [this] {
        if (const auto known = knownEndpoints(m_env, m_services.discovery)) {
            readClientSecret(*known);
            return;
        }
        auto *job = new EndpointResolveJob(m_services.nam, m_services.discovery, m_env,
                                           httpPolicyFor(m_services, m_env), this);
        m_step = job;
        connect(job, &EndpointResolveJob::finished, this, [this, job] {
            job->deleteLater();
            if (!job->result())
                finish(job->result().error());
            else
                readClientSecret(job->result().value());
        });
        job->start();
    });
}

void OAuthClientJob::readClientSecret(const OAuthEndpoints &endpoints)
{
    const auto method = clientAuthFromName(m_env.clientAuth).value_or(ClientAuth::Basic);
    // Public clients (device sign-in, most CLIs) have no secret.
    const QString key = secretKey(m_profile.id, m_env.name, QStringLiteral("client_secret"));
    if (const auto cached = m_services.secrets->cached(key)) {
        finish(OAuthClient {endpoints, {m_env.clientId, *cached, method}});
        return;
    }
    SecretJob *job = m_services.secrets->read(key);
    m_step = job;
    connect(job, &SecretJob::finished, this, [this, endpoints, method](SecretJob *j) {
        const Result<Secret> &secret = j->result();
        if (!secret && secret.error().code != ErrorCode::SecretNotFound) {
            finish(secret.error());
            return;
        }
        finish(OAuthClient {endpoints, {m_env.clientId, secret ? *secret : Secret(), method}});
    });
    job->start();
}

void OAuthClientJob::finish(const Result<OAuthClient> &result)
{
    if (m_finished)
        return;
    m_finished = true;
    m_result = result;
    Q_EMIT finished();
}

} // namespace TokenTray
