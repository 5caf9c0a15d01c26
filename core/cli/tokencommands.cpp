// tokentray-cli token, login and logout: the commands that talk to identity providers.
#include "core/cli/cli.h"

#include "core/cli/climfa.h"
#include "core/ipc/agentclient.h"
#include "core/oauth/oauthendpoints.h"
#include "core/oauth/oauthjobs.h"
#include "core/refresh/oauthclientjob.h"
#include "core/refresh/signinjob.h"
#include "core/refresh/tokenengine.h"
#include "core/refresh/tokenverifyjob.h"
#include "core/secrets/secretstore.h"
#include "core/util/clock.h"
#include "core/util/logging.h"
#include "core/workspace/persistjob.h"

#include <QIODevice>
#include <QJsonArray>
#include <QJsonObject>
#include <QLockFile>
#include <QTimer>

namespace TokenTray {

Result<std::pair<Profile *, Environment *>> Cli::resolveScope(const QString &profileName,
                                                              const QString &envName)
{
    Profile *profile = nullptr;
    if (profileName.isEmpty()) {
        const Profile *current = m_config.currentProfile();
        if (!current)
            return Error {ErrorCode::NotFound,
                          QStringLiteral("no current profile: name one, or choose one with "
                                         "tokentray-cli switch PROFILE")};
        profile = m_config.profileByName(current->name);
    } else {
        auto found = findProfile(profileName);
        if (!found)
            return found.error();
        profile = *found;
    }
    const QString env = envName.isEmpty() ? profile->activeEnvironment : envName;
    if (env.isEmpty())
        return Error {ErrorCode::NotFound,
                      QStringLiteral("profile ") + profile->name
                          + QStringLiteral(" has no environments yet")};
    auto found = findEnvironment(profile, env);
    if (!found)
        return found.error();
    return std::make_pair(profile, *found);
}

FetchServices Cli::fetchServices()
{
    if (!m_discovery)
        m_discovery = std::make_unique<DiscoveryCache>();
    FetchServices services;
    services.nam = m_services.nam;
    services.secrets = m_secrets;
    services.discovery = m_discovery.get();
    services.clock = m_services.clock;
    services.httpTimeoutMs = m_services.httpTimeoutMs;
    if (!m_mfa)
        m_mfa = std::make_unique<CliMfaPrompter>(
            Secret::fromUtf8(m_cmd.value(QStringLiteral("mfa-code"))), m_streams.in, m_streams.err,
            m_streams.inIsTerminal);
    services.mfa = m_mfa.get();
    return services;
}

TokenEngine *Cli::engine()
{
    if (inAgent())
        return m_services.engine;
    if (!m_engine) {
        m_engine = std::make_unique<TokenEngine>(fetchServices());
        m_engine->setConfig(m_config);
        // A one-shot command retries briefly (0.5 s, then 1 s) and then reports the failure;
        // the long-running tray keeps DESIGN's full backoff schedule.
        TokenEngine::Options options = m_engine->options();
        options.maxAttempts = 3;
        options.backoffBaseMs = 500;
        options.backoffCapMs = 4000;
        options.askTimeoutMs = 3 * m_services.httpTimeoutMs + 10000;
        m_engine->setOptions(options);
    }
    return m_engine.get();
}

Result<void> Cli::takeRefreshLock(const ProfileStore &store)
{
    if (inAgent() || m_refreshLock)
        return {};
    auto lock = store.lockForRefresh(m_services.httpTimeoutMs + 15000);
    if (!lock)
        return lock.error();
    m_refreshLock = std::move(lock.value());
    return {};
}

void Cli::finishAfterCacheWrites(ExitCode code)
{
    // What this process fetched must reach the keychain before it ends: the token cache, or the
    // next process would fetch again, and a rotated refresh token the keychain did not take at
    // once (the old one is void).
    if (inAgent()
        || ((!m_engine || m_engine->pendingCacheWrites() == 0) && m_secrets->unsavedCount() == 0
            && m_secrets->isIdle())) {
        finish(code);
        return;
    }
    auto *job = new PersistJob(m_engine.get(), m_secrets, this);
    job->setTimeout(m_secrets->timeout() + 2000);
    connect(job, &PersistJob::finished, this, [this, job, code] {
        if (job->unsavedCount() > 0)
            m_streams.err->write(
                QStringLiteral("tokentray-cli: warning: %1 value(s) could not be written to the "
                               "keychain (locked or not answering); a rotated refresh token among "
                               "them means the next command needs `tokentray-cli login`\n")
                    .arg(job->unsavedCount())
                    .toUtf8());
        finish(code);
    });
    job->start();
}

void Cli::token()
{
    if (auto r = loadConfig(); !r)
        return fail(r.error());
    auto scope = resolveScope(m_cmd.positionals.value(0), m_cmd.value(QStringLiteral("env")));
    if (!scope)
        return fail(scope.error());
    qint64 minValid = -1;
    if (m_cmd.has(QStringLiteral("min-valid"))) {
        bool ok = false;
        minValid = m_cmd.value(QStringLiteral("min-valid")).toLongLong(&ok);
        if (!ok || minValid < 0)
            return fail(Error {ErrorCode::Usage,
                               QStringLiteral("--min-valid must be a number of seconds")});
    }
    const auto [profile, env] = *scope;
    if (profile->kind == ProfileKind::AwsAccessKey || profile->kind == ProfileKind::AwsAssumeRole)
        return fail(Error {ErrorCode::Usage,
                           QStringLiteral("AWS profiles have no bearer token: use "
                                          "tokentray-cli export, exec or credential-process")});
    const QString profileName = profile->name;
    const QString envName = env->name;
    // One process at a time refreshes a credential: a second waits and then reuses the result.
    if (auto locked = takeRefreshLock(*m_store); !locked)
        return fail(locked.error());
    TokenAsk *ask = engine()->ask(profile->id, envName, minValid);
    connect(ask, &TokenAsk::finished, this, [this, profileName, envName](TokenAsk *a) {
        const Result<Credential> &r = a->result();
        if (!r)
            return fail(r.error());
        if (m_cmd.json) {
            QJsonObject o {{QStringLiteral("profile"), profileName},
                           {QStringLiteral("environment"), envName},
                           {QStringLiteral("access_token"), r->accessToken.exposeUtf8()},
                           {QStringLiteral("token_type"), r->tokenType},
                           {QStringLiteral("scopes"), QJsonArray::fromStringList(r->scopes)}};
            if (r->expiresAt.isValid())
                o.insert(QStringLiteral("expires_at"), r->expiresAt.toString(Qt::ISODate));
            printJson(o);
        } else {
            m_streams.out->write(r->accessToken.expose() + '\n');
        }
        finishAfterCacheWrites(ExitCode::Ok);
    });
}

void Cli::login()
{
    if (auto r = loadConfig(); !r)
        return fail(r.error());
    auto scope = resolveScope(m_cmd.positionals.value(0), m_cmd.value(QStringLiteral("env")));
    if (!scope)
        return fail(scope.error());
    const auto [profile, env] = *scope;
    const QString profileName = profile->name;
    const QString envName = env->name;
    // The device flow waits minutes for a person: it takes the lock only to store the result,
    // or every other command would wait for that person too.
    if (profile->kind == ProfileKind::OAuth2 && profile->grant == Grant::DeviceCode)
        return deviceLogin(profileName, envName);
    auto signedIn = [this, profileName, envName] {
        m_streams.err->write((QStringLiteral("Signed in to ") + profileName + QLatin1Char('/')
                              + envName + QStringLiteral(".\n"))
                                 .toUtf8());
    };
    // With an agent running, it is the one refresher: it fetches the proof.
    if (!inAgent()) {
        QJsonObject request
            = credentialRequest(profile->id, envName, m_cmd.value(QStringLiteral("mfa-code")));
        request.insert(QStringLiteral("fetchAnew"), true);
        if (auto reply = askAgent(m_store->directory(), request, agentTimeoutMs())) {
            const Result<Credential> c = credentialFromReply(*reply);
            if (!c)
                return fail(c.error());
            signedIn();
            return finish(ExitCode::Ok);
        }
    }
    if (auto locked = takeRefreshLock(*m_store); !locked)
        return fail(locked.error());
    // Other grants sign in without a person: fetching a token proves the stored credentials.
    engine()->refreshNow(profile->id, envName);
    TokenAsk *ask = engine()->ask(profile->id, envName, 0);
    connect(ask, &TokenAsk::finished, this, [this, signedIn](TokenAsk *a) {
        if (!a->result())
            return fail(a->result().error());
        signedIn();
        finishAfterCacheWrites(ExitCode::Ok);
    });
}

void Cli::deviceLogin(const QString &profileName, const QString &envName)
{
    const Profile *profile = m_config.profileByName(profileName);
    auto *job = new SignInJob(fetchServices(), *profile, *profile->environment(envName), this);
    connect(job, &SignInJob::userCodeReady, this,
            [this](const QString &userCode, const QUrl &uri, const QUrl &complete,
                   const QDateTime &expiresAt) {
                const qint64 minutes
                    = qMax<qint64>(1, m_services.clock->nowUtc().secsTo(expiresAt) / 60);
                QString text = QStringLiteral("To sign in, open %1 and enter the code %2\n")
                                   .arg(uri.toString(), userCode);
                if (!complete.isEmpty())
                    text += QStringLiteral("(or open %1)\n").arg(complete.toString());
                text += QStringLiteral("Waiting for approval (the code expires in %1 min)...\n")
                            .arg(minutes);
                m_streams.err->write(text.toUtf8());
            });
    const QString profileId = profile->id;
    // The person may take minutes: the config lock is taken only now, to store the result.
    job->setBeforeStore([this, job](bool storesRefreshToken) {
        return prepareSignInStore(job, storesRefreshToken);
    });
    connect(job, &SignInJob::finished, this, [this, job, profileId, profileName, envName] {
        job->deleteLater();
        if (!job->result())
            return fail(job->result().error());
        engine()->adopt(profileId, envName, job->result()->credential);
        m_streams.err->write((QStringLiteral("Signed in to ") + profileName + QLatin1Char('/')
                              + envName + QStringLiteral(".\n"))
                                 .toUtf8());
        finishAfterCacheWrites(ExitCode::Ok);
    });
    job->start();
}

Result<void> Cli::prepareSignInStore(const SignInJob *job, bool storesRefreshToken)
{
    // Others may have changed the configuration while the person signed in: lock, then re-read.
    // The refresh lock first, so the new refresh token never interleaves with another
    // process's refresh.
    if (auto refreshing = takeRefreshLock(*m_store); !refreshing)
        return refreshing.error();
    auto lock = m_store->lockForUpdate(m_services.httpTimeoutMs + 15000);
    if (!lock)
        return lock.error();
    m_lock = std::move(lock.value());
    if (auto r = loadConfig(); !r)
        return r.error();
    // Indexed before the keychain write, so the item can never be orphaned.
    const auto changed = job->recordInConfig(m_config, storesRefreshToken);
    if (!changed)
        return changed.error();
    if (*changed) {
        if (auto r = saveConfig(); !r)
            return r.error();
    }
    return {};
}

void Cli::logout()
{
    if (auto r = lockAndLoadConfig(); !r)
        return fail(r.error());
    auto scope = resolveScope(m_cmd.positionals.value(0), m_cmd.value(QStringLiteral("env")));
    if (!scope)
        return fail(scope.error());
    const auto [profile, env] = *scope;
    const QString profileName = profile->name;
    const QString envName = env->name;
    const QString id = profile->id;
    const Environment environment = *env;

    // Inside the agent its engine lets go of what it holds, so the next ask fetches anew (and
    // finds no refresh token), rather than serving the signed-out token from memory.
    auto forgetHeld = [this, id, envName] {
        if (inAgent())
            m_services.engine->forget(id, envName);
    };
    // Forget locally whatever happens at the server: the person asked to be signed out.
    auto forget = [this, profileName, envName, id, forgetHeld](const QString &warning) {
        forgetHeld();
        runSecretJobs({m_secrets->remove(secretKey(id, envName, QStringLiteral("refresh_token"))),
                       m_secrets->remove(secretKey(id, envName, QStringLiteral("token_cache")))},
                      [this, profileName, envName, warning,
                       forgetHeld](const QList<Result<Secret>> &results) {
                          forgetHeld(); // and what a refresh meanwhile brought
                          for (const Result<Secret> &r : results) {
                              if (!r && r.error().code != ErrorCode::SecretNotFound)
                                  return fail(r.error());
                          }
                          Profile *p = m_config.profileByName(profileName);
                          if (p->secretIndex.removeAll(
                                  secretIndexEntry(envName, QStringLiteral("refresh_token")))
                              > 0) {
                              if (auto saved = saveConfig(); !saved)
                                  return fail(saved.error());
                          }
                          if (!warning.isEmpty())
                              m_streams.err->write((QStringLiteral("tokentray-cli: warning: ")
                                                    + warning + QLatin1Char('\n'))
                                                       .toUtf8());
                          m_streams.err->write((QStringLiteral("Signed out of ") + profileName
                                                + QLatin1Char('/') + envName
                                                + QStringLiteral(": cached tokens forgotten.\n"))
                                                   .toUtf8());
                          finish(ExitCode::Ok);
                      });
    };

    if (profile->kind != ProfileKind::OAuth2)
        return forget(QString());
    SecretJob *read = m_secrets->read(secretKey(id, envName, QStringLiteral("refresh_token")));
    connect(read, &SecretJob::finished, this, [this, read, environment, id, envName, forget] {
        const Result<Secret> refresh = read->result();
        if (!refresh) {
            if (refresh.error().code != ErrorCode::SecretNotFound)
                return fail(refresh.error()); // locked: nothing is forgotten half-way
            return forget(QString());
        }
        const FetchServices services = fetchServices();
        const Profile *p = m_config.profileById(id);
        auto *client = new OAuthClientJob(services, *p, environment, this);
        connect(client, &OAuthClientJob::finished, this,
                [this, client, refresh, environment, forget, services] {
                    client->deleteLater();
                    const auto &r = client->result();
                    if (!r)
                        return forget(QStringLiteral("could not reach the provider to revoke "
                                                     "the refresh token: ")
                                      + r.error().detail);
                    if (r->endpoints.revocation.isEmpty())
                        return forget(QStringLiteral("the provider has no revocation endpoint; "
                                                     "the refresh token was only deleted here"));
                    auto *revoke
                        = new TokenRevokeJob(services.nam, r->endpoints.revocation, *refresh,
                                             QStringLiteral("refresh_token"), r->authentication,
                                             httpPolicyFor(services, environment), this);
                    connect(revoke, &TokenRevokeJob::finished, this, [revoke, forget] {
                        revoke->deleteLater();
                        forget(revoke->result() ? QString()
                                                : QStringLiteral("revocation failed (")
                                       + revoke->result().error().detail
                                       + QStringLiteral("); the refresh token was deleted here"));
                    });
                    revoke->start();
                });
        client->start();
    });
    read->start();
}

void Cli::verify()
{
    if (auto r = loadConfig(); !r)
        return fail(r.error());
    auto scope = resolveScope(m_cmd.positionals.value(0), m_cmd.value(QStringLiteral("env")));
    if (!scope)
        return fail(scope.error());
    const auto [profile, env] = *scope;
    if (profile->kind == ProfileKind::StaticToken)
        return fail(Error {ErrorCode::Usage,
                           QStringLiteral("static tokens cannot be verified: no provider is "
                                          "known for them")});
    if (auto locked = takeRefreshLock(*m_store); !locked)
        return fail(locked.error());
    const Profile profileCopy = *profile;
    const Environment envCopy = *env;
    offerMfaCode(profile->id, env->name);
    TokenAsk *ask = engine()->ask(profile->id, env->name);
    connect(ask, &TokenAsk::finished, this, [this, profileCopy, envCopy](TokenAsk *a) {
        if (!a->result())
            return fail(a->result().error());
        auto *job = new TokenVerifyJob(fetchServices(), profileCopy, envCopy, *a->result(), this);
        connect(job, &TokenVerifyJob::finished, this, [this, job] {
            job->deleteLater();
            const Result<Introspection> &r = job->result();
            if (!r)
                return fail(r.error());
            if (m_cmd.json) {
                QJsonObject o = r->claims;
                o.insert(QStringLiteral("active"), r->active);
                printJson(o);
            } else if (!r->active) {
                print(QStringLiteral("inactive: the provider no longer accepts this credential\n"));
            } else if (const QString arn = r->claims.value(QStringLiteral("Arn")).toString();
                       !arn.isEmpty()) {
                print(QStringLiteral("active: ") + arn + QStringLiteral(" (account ")
                      + r->claims.value(QStringLiteral("Account")).toString()
                      + QStringLiteral(")\n"));
            } else {
                print(QStringLiteral("active\n"));
            }
            finishAfterCacheWrites(r->active ? ExitCode::Ok : ExitCode::Rejected);
        });
        job->start();
    });
}

} // namespace TokenTray
