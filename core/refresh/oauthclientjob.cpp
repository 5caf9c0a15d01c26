#include "core/refresh/oauthclientjob.h"

#include "core/secrets/secretstore.h"

#include <QTimer>

namespace TokenTray {

OAuthClientJob::OAuthClientJob(const FetchServices &services, const Profile &profile,
                               const Environment &env, QObject *parent)
    : Job(parent)
    , m_services(services)
    , m_profile(profile)
    , m_env(env)
{
    setAutoDelete(false); // the caller reads result() and deletes it
}

OAuthClientJob::~OAuthClientJob() = default;

void OAuthClientJob::doStart()
{
    QTimer::singleShot(0, this, [this] {
        if (isFinished())
            return; // cancelled before it began
        if (const auto known = knownEndpoints(m_env, m_services.discovery)) {
            readClientSecret(*known);
            return;
        }
        runSubJob(new EndpointResolveJob(m_services.nam, m_services.discovery, m_env,
                                         httpPolicyFor(m_services, m_env)),
                  [this](EndpointResolveJob *job) { readClientSecret(job->result().value()); });
    });
}

void OAuthClientJob::finishWithError(const Error &error)
{
    finish(error);
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
    connect(job, &SecretJob::finished, this, [this, endpoints, method, j = job] {
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
    if (isFinished())
        return;
    m_result = result;
    emitFinished(m_result);
}

} // namespace TokenTray
