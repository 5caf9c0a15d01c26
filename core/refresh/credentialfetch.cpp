#include "core/refresh/credentialfetch.h"

#include "core/aws/mfa.h"
#include "core/aws/stsjobs.h"
#include "core/aws/stsresponse.h"
#include "core/oauth/jwt.h"
#include "core/oauth/oauthendpoints.h"
#include "core/oauth/oauthjobs.h"
#include "core/refresh/tokenengine.h"
#include "core/secrets/secretstore.h"
#include "core/util/clock.h"
#include "core/util/logging.h"

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
    : Job(parent)
    , m_services(services)
    , m_profile(profile)
    , m_env(env)
{
    setAutoDelete(false); // the caller reads result() and deletes it
}

CredentialFetchJob::~CredentialFetchJob() = default;

// Runs at once: with the secrets in memory and known endpoints the request leaves now. Anything
// that ends the job inside start() is reported from the event loop (Job defers it).
void CredentialFetchJob::doStart()
{
    run();
}

void CredentialFetchJob::finishWithError(const Error &error)
{
    finish(error);
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
        readAccessKeys();
        return;
    case ProfileKind::AwsAssumeRole:
        askSource();
        return;
    }
    finish(Error {ErrorCode::Internal, QStringLiteral("unknown profile kind")});
}

void CredentialFetchJob::readSecret(const QString &name, bool required,
                                    void (CredentialFetchJob::*next)())
{
    // Held in memory already (the usual case after the first refresh): no job, no event-loop hop.
    if (const auto value = m_services.secrets->cached(secretKey(m_profile.id, m_env.name, name))) {
        m_secrets.insert(name, *value);
        (this->*next)();
        return;
    }
    SecretJob *job = m_services.secrets->read(secretKey(m_profile.id, m_env.name, name));
    m_step = job;
    connect(job, &SecretJob::finished, this, [this, name, required, next, j = job] {
        const Result<Secret> &r = j->result();
        if (r) {
            m_secrets.insert(name, *r);
        } else if (r.error().code != ErrorCode::SecretNotFound) {
            finish(r.error());
            return;
        } else if (required) {
            secretMissing(name);
            return;
        }
        (this->*next)();
    });
    job->start();
}

void CredentialFetchJob::secretMissing(const QString &name)
{
    const QString scope = m_profile.name + QLatin1Char('/') + m_env.name;
    if (name == QLatin1String("refresh_token")) {
        finish(Error {ErrorCode::InvalidGrant,
                      scope
                          + QStringLiteral(" is not signed in (no refresh token): run "
                                           "tokentray-cli login ")
                          + m_profile.name,
                      0, QStringLiteral("login_required")});
        return;
    }
    finish(Error {ErrorCode::SecretNotFound,
                  QStringLiteral("no ") + name + QStringLiteral(" is stored for ") + scope
                      + QStringLiteral(" (tokentray-cli secret set ") + m_profile.name
                      + QLatin1Char(' ') + m_env.name + QLatin1Char(' ') + name
                      + QLatin1Char(')')});
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
        fields.append({QStringLiteral("refresh_token"),
                       m_secrets.value(QStringLiteral("refresh_token")).exposeUtf8()});
    }
    if (!m_env.audience.isEmpty()) {
        fields.append({QStringLiteral("audience"), m_env.audience});
        fields.append({QStringLiteral("resource"), m_env.audience});
    }
    ClientAuthentication client {m_env.clientId, m_secrets.value(QStringLiteral("client_secret")),
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
        && !response->refreshToken.constantTimeEquals(
            m_secrets.value(QStringLiteral("refresh_token")));
    if (!rotated || m_profile.grant == Grant::ClientCredentials) {
        finish(credential);
        return;
    }
    // The old refresh token may already be void: persist the new one before anything else. If
    // the keychain cannot take it now, the store keeps it in memory (later refreshes use it) and
    // writes it when it can; the old one is never sent again.
    SecretJob *job = m_services.secrets->keep(
        secretKey(m_profile.id, m_env.name, QStringLiteral("refresh_token")),
        response->refreshToken);
    m_step = job;
    connect(job, &SecretJob::finished, this, [this, credential, j = job] {
        if (!j->result())
            qCWarning(lcRefresh).noquote()
                << "the rotated refresh token of" << m_profile.name << m_env.name
                << "is kept in memory until the keychain takes it:" << j->result().error().detail;
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
    connect(job, &SecretJob::finished, this, [this, cause] { finish(cause); });
    job->start();
}

void CredentialFetchJob::finishStaticToken()
{
    Credential c;
    c.accessToken = m_secrets.value(QStringLiteral("token"));
    c.tokenType = QStringLiteral("Bearer");
    c.issuedAt = m_services.clock->nowUtc();
    finish(c);
}

void CredentialFetchJob::readSecrets(const QList<std::pair<QString, bool>> &names,
                                     void (CredentialFetchJob::*next)())
{
    m_toRead = names;
    m_afterReads = next;
    readNextSecret();
}

void CredentialFetchJob::readNextSecret()
{
    if (m_toRead.isEmpty()) {
        (this->*m_afterReads)();
        return;
    }
    const auto [name, required] = m_toRead.takeFirst();
    readSecret(name, required, &CredentialFetchJob::readNextSecret);
}

void CredentialFetchJob::readAccessKeys()
{
    readSecrets({{QStringLiteral("aws_access_key_id"), true},
                 {QStringLiteral("aws_secret_access_key"), true},
                 {QStringLiteral("aws_session_token"), false}},
                &CredentialFetchJob::finishAccessKeys);
}

void CredentialFetchJob::finishAccessKeys()
{
    // Long-term keys do not expire; keys imported with a session token do, but nobody said
    // when: STS will say so on first use.
    Credential c;
    c.accessKeyId = m_secrets.value(QStringLiteral("aws_access_key_id")).exposeUtf8().trimmed();
    c.secretAccessKey = m_secrets.value(QStringLiteral("aws_secret_access_key"));
    c.sessionToken = m_secrets.value(QStringLiteral("aws_session_token"));
    c.tokenType = QStringLiteral("aws");
    c.issuedAt = m_services.clock->nowUtc();
    finish(c);
}

void CredentialFetchJob::askSource()
{
    if (!m_services.engine) {
        finish(Error {ErrorCode::Internal, QStringLiteral("role profiles need the token engine")});
        return;
    }
    auto source = m_services.engine->sourceFor(m_profile.id, m_env.name);
    if (!source) {
        finish(source.error());
        return;
    }
    m_sourceIsRole = source->kind == ProfileKind::AwsAssumeRole;
    // The source only has to sign one request: any credential outside its mandatory window.
    TokenAsk *ask = m_services.engine->askForSource(source->profileId, source->env);
    m_step = ask;
    connect(ask, &TokenAsk::finished, this, [this, name = source->profileName](TokenAsk *a) {
        m_step = nullptr;
        const Result<Credential> &r = a->result();
        if (!r) {
            Error e = r.error();
            e.detail = QStringLiteral("source profile ") + name + QStringLiteral(": ") + e.detail;
            finish(e);
            return;
        }
        if (r->accessKeyId.isEmpty()) {
            finish(Error {ErrorCode::Invalid,
                          QStringLiteral("source profile ") + name
                              + QStringLiteral(" gave no AWS keys")});
            return;
        }
        m_source = *r;
        obtainMfaCode();
    });
}

void CredentialFetchJob::obtainMfaCode()
{
    if (m_env.mfaSerial.isEmpty()) {
        assumeRole();
        return;
    }
    // A code is good for one call: asked again at every refresh, never kept.
    if (!m_env.mfaProcess.isEmpty()) {
        auto *job = new MfaProcessJob(m_env.mfaProcess, m_services.mfaProcessTimeoutMs, this);
        m_step = job;
        connect(job, &MfaProcessJob::finished, this, [this, job] {
            job->deleteLater();
            m_step = nullptr;
            if (!job->result()) {
                finish(job->result().error());
                return;
            }
            m_mfaCode = *job->result();
            assumeRole();
        });
        job->start();
        return;
    }
    const MfaChallenge challenge {m_profile.name, m_env.name, m_env.mfaSerial, m_env.roleArn};
    if (!m_services.mfa) {
        finish(mfaCodeRequired(challenge));
        return;
    }
    auto *request = new MfaRequest(challenge, this);
    m_step = request;
    connect(request, &MfaRequest::finished, this, [this](MfaRequest *r) {
        r->deleteLater();
        m_step = nullptr;
        Result<Secret> code = r->takeResult();
        if (!code) {
            Error e = code.error();
            if (e.code == ErrorCode::Cancelled)
                e = Error {ErrorCode::Rejected,
                           QStringLiteral("no MFA code was given for ") + m_profile.name
                               + QLatin1Char('/') + m_env.name,
                           0, QStringLiteral("mfa_required")};
            finish(e);
            return;
        }
        m_mfaCode = *code;
        assumeRole();
    });
    m_services.mfa->ask(request);
}

void CredentialFetchJob::assumeRole()
{
    AssumeRoleParams params;
    params.roleArn = m_env.roleArn;
    params.sessionName = m_env.sessionName.isEmpty() ? defaultRoleSessionName() : m_env.sessionName;
    params.durationSeconds = m_env.durationSeconds;
    // STS caps a role assumed with temporary credentials (chaining) at one hour.
    if (m_sourceIsRole && params.durationSeconds > 3600) {
        qCInfo(lcSts).noquote() << m_profile.name << m_env.name
                                << "is chained: session duration capped at 3600 s";
        params.durationSeconds = 3600;
    }
    params.externalId = m_env.externalId;
    params.sourceIdentity = m_env.sourceIdentity;
    if (!m_env.mfaSerial.isEmpty()) {
        params.serialNumber = m_env.mfaSerial;
        params.tokenCode = std::exchange(m_mfaCode, Secret());
    }
    AwsKeys source {m_source.accessKeyId, m_source.secretAccessKey, m_source.sessionToken};
    const QString region = m_env.region.isEmpty() ? QStringLiteral("us-east-1") : m_env.region;
    auto *job = new AssumeRoleJob(m_services.nam, m_services.clock,
                                  stsEndpointFor(region, m_env.stsEndpoint), region, params, source,
                                  httpPolicyFor(m_services, m_env), this);
    m_step = job;
    connect(job, &AssumeRoleJob::finished, this, [this, job] {
        job->deleteLater();
        m_step = nullptr;
        onAssumeRole(job->result(), job->sentAt());
    });
    job->start();
}

void CredentialFetchJob::onAssumeRole(const Result<StsCredentials> &result, const QDateTime &sentAt)
{
    if (!result) {
        const Error &e = result.error();
        // The source's temporary keys were revoked or ran out early: refresh them once.
        const bool staleSource = e.reason == QLatin1String("ExpiredToken")
            || (m_sourceIsRole && e.reason == QLatin1String("InvalidClientTokenId"));
        if (staleSource && m_sourceIsRole && !m_retriedSource && m_env.mfaSerial.isEmpty()) {
            m_retriedSource = true;
            if (auto source = m_services.engine->sourceFor(m_profile.id, m_env.name))
                m_services.engine->invalidate(source->profileId, source->env);
            askSource();
            return;
        }
        finish(e);
        return;
    }
    Credential c;
    c.accessKeyId = result->keys.accessKeyId;
    c.secretAccessKey = result->keys.secretAccessKey;
    c.sessionToken = result->keys.sessionToken;
    c.tokenType = QStringLiteral("aws");
    c.issuedAt = sentAt;
    c.expiresAt = result->expiration;
    qCDebug(lcSts).noquote() << "assumed" << result->assumedRoleArn << "for" << m_profile.name
                             << m_env.name << "until" << c.expiresAt.toString(Qt::ISODate);
    finish(c);
}

void CredentialFetchJob::finish(const Result<Credential> &result)
{
    if (isFinished())
        return;
    m_result = result;
    for (Secret &secret : m_secrets)
        secret.clear();
    m_secrets.clear();
    m_source = Credential();
    m_mfaCode.clear();
    if (m_step) {
        m_step->disconnect(this);
        if (!qobject_cast<SecretJob *>(m_step))
            m_step->deleteLater();
    }
    emitFinished(m_result);
}

} // namespace TokenTray
