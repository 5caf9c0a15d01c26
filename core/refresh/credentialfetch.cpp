#include "core/refresh/credentialfetch.h"

#include "core/oauth/jwt.h"
#include "core/oauth/oauthendpoints.h"
#include "core/oauth/oauthjobs.h"
#include "core/secrets/secretstore.h"
#include "core/util/clock.h"
#include "core/util/logging.h"

#include <QTimer>

namespace TokenTray {

HttpPolicy httpPolicyFor(const FetchServices &services, const Environment &env)
{
    HttpPolicy policy;
    policy.timeoutMs = services.httpTimeoutMs;
    policy.caFile = env.caFile;
    return policy;
}

Credential credentialFromResponse(const TokenResponse &response, const QDateTime &sentAt,
                                  const QStringList &requestedScopes, qint64 defaultLifetimeSeconds)
{
    Credential c;
    c.accessToken = response.accessToken;
    c.tokenType = response.tokenType;
    c.scopes = response.scopes.isEmpty() ? requestedScopes : response.scopes;
    c.issuedAt = sentAt;
    if (response.expiresIn) {
        c.expiresAt = sentAt.addSecs(*response.expiresIn);
    } else if (const auto jwt = decodeJwtUnverified(response.accessToken.expose());
               jwt && jwt->expiresAt()) {
        c.expiresAt = *jwt->expiresAt();
        if (const auto iat = jwt->issuedAt(); iat && *iat < c.expiresAt)
            c.issuedAt = *iat;
    } else {
        c.expiresAt = sentAt.addSecs(defaultLifetimeSeconds);
    }
    return c;
}

CredentialFetchJob::CredentialFetchJob(const FetchServices &services, const Profile &profile,
                                       const Environment &env, QObject *parent)
    : QObject(parent)
    , m_services(services)
    , m_profile(profile)
    , m_env(env)
{
}

CredentialFetchJob::~CredentialFetchJob() = default;

void CredentialFetchJob::start()
{
    // Runs at once: with the secrets in memory and known endpoints the request leaves now.
    // Anything that ends the job inside start() is reported from the event loop (finish()).
    m_starting = true;
    run();
    m_starting = false;
}

void CredentialFetchJob::abort()
{
    finish(Error {ErrorCode::Cancelled, QStringLiteral("cancelled")});
}

void CredentialFetchJob::run()
{
    switch (m_profile.kind) {
    case ProfileKind::OAuth2:
        // Public clients have no secret; client_credentials cannot work without one.
        readSecret(QStringLiteral("client_secret"), m_profile.grant == Grant::ClientCredentials,
                   &CredentialFetchJob::afterClientSecret);
        return;
    case ProfileKind::StaticToken:
        readSecret(QStringLiteral("token"), true, &CredentialFetchJob::finishStaticToken);
        return;
    case ProfileKind::AwsAccessKey:
    case ProfileKind::AwsAssumeRole:
        break;
    }
    finish(Error {ErrorCode::Invalid,
                  kindName(m_profile.kind) + QStringLiteral(" profiles cannot issue tokens yet")});
}

void CredentialFetchJob::readSecret(const QString &name, bool required,
                                    void (CredentialFetchJob::*next)())
{
    // Held in memory already (the usual case after the first refresh): no job, no event-loop hop.
    if (const auto value = m_services.secrets->cached(secretKey(m_profile.id, m_env.name, name))) {
        if (name == QLatin1String("client_secret"))
            m_clientSecret = *value;
        else if (name == QLatin1String("refresh_token"))
            m_refreshToken = *value;
        else
            m_staticToken = *value;
        (this->*next)();
        return;
    }
    SecretJob *job = m_services.secrets->read(secretKey(m_profile.id, m_env.name, name));
    m_step = job;
    connect(job, &SecretJob::finished, this, [this, name, required, next](SecretJob *j) {
        const Result<Secret> &r = j->result();
        if (r) {
            if (name == QLatin1String("client_secret"))
                m_clientSecret = *r;
            else if (name == QLatin1String("refresh_token"))
                m_refreshToken = *r;
            else
                m_staticToken = *r;
        } else if (r.error().code != ErrorCode::SecretNotFound) {
            finish(r.error());
            return;
        } else if (required) {
            if (name == QLatin1String("refresh_token"))
                finish(
                    Error {ErrorCode::InvalidGrant,
                           m_profile.name + QLatin1Char('/') + m_env.name
                               + QStringLiteral(
                                   " is not signed in (no refresh token): run tokentray-cli login ")
                               + m_profile.name,
                           0, QStringLiteral("login_required")});
            else
                finish(Error {ErrorCode::SecretNotFound,
                              QStringLiteral("no ") + name + QStringLiteral(" is stored for ")
                                  + m_profile.name + QLatin1Char('/') + m_env.name
                                  + QStringLiteral(" (tokentray-cli secret set ") + m_profile.name
                                  + QLatin1Char(' ') + m_env.name + QLatin1Char(' ') + name
                                  + QLatin1Char(')')});
            return;
        }
        (this->*next)();
    });
    job->start();
}

void CredentialFetchJob::afterClientSecret()
{
    if (m_profile.grant == Grant::ClientCredentials)
        resolveEndpoints();
    else
        readSecret(QStringLiteral("refresh_token"), true, &CredentialFetchJob::afterRefreshToken);
}

void CredentialFetchJob::afterRefreshToken()
{
    resolveEndpoints();
}

void CredentialFetchJob::resolveEndpoints()
{
    if (const auto known = knownEndpoints(m_env, m_services.discovery)) {
        requestToken(*known);
        return;
    }
    auto *job = new EndpointResolveJob(m_services.nam, m_services.discovery, m_env,
                                       httpPolicyFor(m_services, m_env), this);
    m_step = job;
    connect(job, &EndpointResolveJob::finished, this, [this, job] {
        job->deleteLater();
        if (!job->result()) {
            finish(job->result().error());
            return;
        }
        requestToken(job->result().value());
    });
    job->start();
}

void CredentialFetchJob::requestToken(const OAuthEndpoints &endpoints)
{
    QList<std::pair<QString, QString>> fields;
    if (m_profile.grant == Grant::ClientCredentials) {
        fields.append({QStringLiteral("grant_type"), QStringLiteral("client_credentials")});
        if (!m_env.scopes.isEmpty())
            fields.append({QStringLiteral("scope"), m_env.scopes.join(QLatin1Char(' '))});
    } else {
        fields.append({QStringLiteral("grant_type"), QStringLiteral("refresh_token")});
        fields.append({QStringLiteral("refresh_token"), m_refreshToken.exposeUtf8()});
    }
    if (!m_env.audience.isEmpty()) {
        fields.append({QStringLiteral("audience"), m_env.audience});
        fields.append({QStringLiteral("resource"), m_env.audience});
    }
    ClientAuthentication client {m_env.clientId, m_clientSecret,
                                 clientAuthFromName(m_env.clientAuth).value_or(ClientAuth::Basic)};
    auto *grant = new TokenGrantJob(m_services.nam, m_services.clock, endpoints.token, fields,
                                    client, httpPolicyFor(m_services, m_env), this);
    m_step = grant;
    connect(grant, &TokenGrantJob::finished, this, [this, grant] {
        grant->deleteLater();
        onTokenResponse(grant->result(), grant->sentAt());
    });
    grant->start();
}

void CredentialFetchJob::onTokenResponse(const Result<TokenResponse> &response,
                                         const QDateTime &sentAt)
{
    if (!response) {
        if (response.error().code == ErrorCode::InvalidGrant
            && m_profile.grant != Grant::ClientCredentials) {
            dropRefreshToken(response.error());
            return;
        }
        finish(response.error());
        return;
    }
    const Credential credential = credentialFromResponse(*response, sentAt, m_env.scopes,
                                                         m_services.defaultLifetimeSeconds);
    const bool rotated = !response->refreshToken.isEmpty()
        && !response->refreshToken.constantTimeEquals(m_refreshToken);
    if (!rotated || m_profile.grant == Grant::ClientCredentials) {
        finish(credential);
        return;
    }
    // The old refresh token may already be void: persist the new one before anything else.
    SecretJob *job = m_services.secrets->write(
        secretKey(m_profile.id, m_env.name, QStringLiteral("refresh_token")),
        response->refreshToken);
    m_step = job;
    connect(job, &SecretJob::finished, this, [this, credential](SecretJob *j) {
        if (!j->result())
            qCWarning(lcRefresh).noquote()
                << "could not store the rotated refresh token of" << m_profile.name << m_env.name
                << ":" << j->result().error().detail;
        finish(credential);
    });
    job->start();
}

void CredentialFetchJob::dropRefreshToken(const Error &cause)
{
    qCInfo(lcRefresh).noquote()
        << m_profile.name << m_env.name
        << "refresh token refused (invalid_grant); it is dropped and sign-in is required";
    SecretJob *job = m_services.secrets->remove(
        secretKey(m_profile.id, m_env.name, QStringLiteral("refresh_token")));
    m_step = job;
    connect(job, &SecretJob::finished, this, [this, cause](SecretJob *) { finish(cause); });
    job->start();
}

void CredentialFetchJob::finishStaticToken()
{
    Credential c;
    c.accessToken = m_staticToken;
    c.tokenType = QStringLiteral("Bearer");
    c.issuedAt = m_services.clock->nowUtc();
    finish(c);
}

void CredentialFetchJob::finish(const Result<Credential> &result)
{
    if (m_finished)
        return;
    m_finished = true;
    m_result = result;
    m_clientSecret.clear();
    m_refreshToken.clear();
    m_staticToken.clear();
    if (m_step) {
        m_step->disconnect(this);
        if (!qobject_cast<SecretJob *>(m_step))
            m_step->deleteLater();
    }
    if (m_starting)
        QTimer::singleShot(0, this, &CredentialFetchJob::finished);
    else
        Q_EMIT finished();
}

} // namespace TokenTray
