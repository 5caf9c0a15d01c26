#include "core/cli/statusreport.h"

#include "core/cli/cli.h"
#include "core/model/config.h"
#include "core/model/credential.h"
#include "core/model/profile.h"

#include <QJsonArray>

namespace TokenTray {
namespace {

const QString kTokenCache = QStringLiteral("token_cache");

bool sameScope(const StatusSecretRead &read, const QString &profile, const QString &env)
{
    return read.profile == profile && read.environment == env;
}

// The environment's secrets: present, missing, or what the keychain said instead.
QList<StatusSecret> secretStates(const QList<StatusSecretRead> &reads,
                                 const QList<Result<Secret>> &results, const QString &profile,
                                 const QString &env, std::optional<Error> &keychainError)
{
    QList<StatusSecret> out;
    for (qsizetype i = 0; i < reads.size(); ++i) {
        if (!sameScope(reads.at(i), profile, env) || reads.at(i).secretName == kTokenCache)
            continue;
        const Result<Secret> &r = results.at(i);
        QString state = QStringLiteral("present");
        if (!r && r.error().code == ErrorCode::SecretNotFound) {
            state = QStringLiteral("missing");
        } else if (!r) {
            state = r.error().code == ErrorCode::KeychainLocked ? QStringLiteral("locked")
                                                                : QStringLiteral("unknown");
            if (!keychainError)
                keychainError = r.error();
        }
        out.append({reads.at(i).secretName, state});
    }
    return out;
}

// State and expiry of the cached token (what `token` would start from).
LiveToken cachedToken(const QList<StatusSecretRead> &reads, const QList<Result<Secret>> &results,
                      const QString &profile, const QString &env, const QDateTime &now,
                      std::optional<Error> &keychainError)
{
    for (qsizetype i = 0; i < reads.size(); ++i) {
        if (!sameScope(reads.at(i), profile, env) || reads.at(i).secretName != kTokenCache)
            continue;
        const Result<Secret> &r = results.at(i);
        if (!r) {
            if (r.error().isKeychainError()) {
                if (!keychainError)
                    keychainError = r.error();
                return {TokenState::Locked, {}};
            }
            return {};
        }
        const auto cached = Credential::fromCacheBytes(r->expose());
        if (!cached)
            return {};
        return {classify(*cached, now), cached->expiresAt};
    }
    return {};
}

QString stateText(const StatusEnvironment &env, const QDateTime &now)
{
    QString text = tokenStateName(env.state);
    if (env.expiresAt.isValid()) {
        const qint64 left = now.secsTo(env.expiresAt);
        if (left > 0)
            text += QStringLiteral(", expires in ") + humanDuration(left);
        else
            text += QStringLiteral(", expired ") + humanDuration(-left) + QStringLiteral(" ago");
    }
    return text;
}

} // namespace

QString StatusReport::keychain() const
{
    if (!keychainError)
        return QStringLiteral("available");
    return keychainError->code == ErrorCode::KeychainLocked ? QStringLiteral("locked")
                                                            : QStringLiteral("unavailable");
}

QList<StatusSecretRead> statusSecretReads(const Config &config)
{
    QList<StatusSecretRead> reads;
    for (const Profile &p : config.profiles) {
        for (const Environment &env : p.environments) {
            QStringList names = requiredSecretNames(p.kind, p.grant);
            for (const QString &entry : p.secretIndex) {
                if (entry.startsWith(env.name + QLatin1Char('/'))
                    && !names.contains(entry.mid(env.name.size() + 1)))
                    names << entry.mid(env.name.size() + 1);
            }
            names << kTokenCache;
            for (const QString &name : std::as_const(names))
                reads.append({p.id, p.name, env.name, name});
        }
    }
    return reads;
}

StatusReport buildStatus(const Config &config, const QList<StatusSecretRead> &reads,
                         const QList<Result<Secret>> &results, const QDateTime &now,
                         const LiveTokenLookup &live)
{
    StatusReport report;
    report.now = now;
    for (const Profile &p : config.profiles) {
        StatusProfile profile {
            p.name, p.kind, p.id == config.currentProfileId, p.activeEnvironment, {}};
        for (const Environment &env : p.environments) {
            StatusEnvironment e;
            e.name = env.name;
            e.active = env.name == p.activeEnvironment;
            e.isProtected = env.isProtected;
            e.secrets = secretStates(reads, results, p.name, env.name, report.keychainError);
            LiveToken token
                = cachedToken(reads, results, p.name, env.name, now, report.keychainError);
            if (live) {
                if (const auto held = live(p.id, env.name))
                    token = *held;
            }
            e.state = token.state;
            e.expiresAt = token.expiresAt;
            profile.environments.append(e);
        }
        report.profiles.append(profile);
    }
    return report;
}

QString statusText(const StatusReport &report)
{
    if (report.profiles.isEmpty())
        return QStringLiteral(
            "No profiles yet. Add one with: tokentray-cli profile add NAME --kind oauth2\n");
    QString text;
    for (const StatusProfile &p : report.profiles) {
        if (p.environments.isEmpty())
            text += (p.current ? QStringLiteral("* ") : QStringLiteral("  "))
                + p.name.leftJustified(28) + kindName(p.kind).leftJustified(17)
                + QStringLiteral("no environments\n");
        for (const StatusEnvironment &env : p.environments) {
            QStringList parts;
            for (const StatusSecret &s : env.secrets)
                parts << s.name + QStringLiteral(": ") + s.state;
            const QString marker = p.current && env.active ? QStringLiteral("* ")
                : env.active                               ? QStringLiteral("+ ")
                                                           : QStringLiteral("  ");
            text += marker + QString(p.name + QLatin1Char('/') + env.name).leftJustified(28)
                + kindName(p.kind).leftJustified(17) + stateText(env, report.now).leftJustified(32)
                + (parts.isEmpty() ? QStringLiteral("no secrets needed")
                                   : parts.join(QStringLiteral(", ")))
                + (env.isProtected ? QStringLiteral("  [protected]") : QString())
                + QLatin1Char('\n');
        }
    }
    return text
        + QStringLiteral("(* current profile's active environment, + active environment)\n");
}

QJsonObject statusJson(const StatusReport &report)
{
    QJsonArray profilesJson;
    for (const StatusProfile &p : report.profiles) {
        QJsonArray envsJson;
        for (const StatusEnvironment &env : p.environments) {
            QJsonObject secretsJson;
            for (const StatusSecret &s : env.secrets)
                secretsJson.insert(s.name, s.state);
            QJsonObject e {{QStringLiteral("name"), env.name},
                           {QStringLiteral("active"), env.active},
                           {QStringLiteral("protected"), env.isProtected},
                           {QStringLiteral("state"), tokenStateName(env.state)},
                           {QStringLiteral("secrets"), secretsJson}};
            if (env.expiresAt.isValid())
                e.insert(QStringLiteral("expiresAt"), env.expiresAt.toString(Qt::ISODate));
            envsJson.append(e);
        }
        profilesJson.append(QJsonObject {{QStringLiteral("name"), p.name},
                                         {QStringLiteral("kind"), kindName(p.kind)},
                                         {QStringLiteral("current"), p.current},
                                         {QStringLiteral("activeEnvironment"), p.activeEnvironment},
                                         {QStringLiteral("environments"), envsJson}});
    }
    return QJsonObject {{QStringLiteral("keychain"), report.keychain()},
                        {QStringLiteral("profiles"), profilesJson}};
}

} // namespace TokenTray
