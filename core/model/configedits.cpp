#include "core/model/configedits.h"

#include "core/model/kindrules.h"
#include "core/model/validation.h"

#include <QUuid>

namespace TokenTray {
namespace {

constexpr qsizetype kMaxNameLength = 64;

Error notFoundProfile(const QString &id)
{
    return Error {ErrorCode::NotFound, QStringLiteral("there is no profile with id ") + id};
}

Profile *profileWithId(Config &config, const QString &id)
{
    for (Profile &p : config.profiles) {
        if (p.id == id)
            return &p;
    }
    return nullptr;
}

Result<void> checkComplete(const Profile &profile, const Environment &env)
{
    if (!unmetRequirements(profile.kind, profile.grant, env).isEmpty())
        return Error {ErrorCode::Invalid,
                      QStringLiteral("environment ") + env.name
                          + QStringLiteral(" lacks a setting its kind needs")};
    return {};
}

} // namespace

QString copyName(const QString &name, const QStringList &taken)
{
    for (int n = 1;; ++n) {
        const QString suffix = n == 1 ? QStringLiteral("-copy") : QStringLiteral("-copy%1").arg(n);
        const QString candidate = name.left(kMaxNameLength - suffix.size()) + suffix;
        if (!taken.contains(candidate))
            return candidate;
    }
}

Result<void> checkProfileName(const Config &config, const QString &name, const QString &exceptId)
{
    if (auto r = validateName(QStringLiteral("profile"), name); !r)
        return r;
    const Profile *other = config.profileByName(name);
    if (other && other->id != exceptId)
        return Error {ErrorCode::AlreadyExists,
                      QStringLiteral("a profile named \"") + name
                          + QStringLiteral("\" already exists")};
    return {};
}

Result<void> checkEnvironmentName(const Profile &profile, const QString &name)
{
    if (auto r = validateName(QStringLiteral("environment"), name); !r)
        return r;
    if (profile.environment(name))
        return Error {ErrorCode::AlreadyExists,
                      QStringLiteral("profile ") + profile.name
                          + QStringLiteral(" already has an environment ") + name};
    return {};
}

Result<QString> addProfile(Config &config, Profile profile)
{
    if (profile.id.isEmpty())
        profile.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    if (config.profileById(profile.id))
        return Error {ErrorCode::AlreadyExists, QStringLiteral("profile id is used twice")};
    if (auto r = checkProfileName(config, profile.name); !r)
        return r.error();
    if (!kindUsesGrant(profile.kind))
        profile.grant = Grant::None;
    else if (profile.grant == Grant::None)
        profile.grant = defaultGrant(profile.kind);
    config.profiles.append(profile);
    if (config.currentProfileId.isEmpty())
        config.currentProfileId = profile.id;
    return profile.id;
}

Result<void> editProfile(Config &config, const QString &profileId, const QString &name,
                         ProfileKind kind, Grant grant, RefreshPolicy refresh)
{
    Profile *profile = profileWithId(config, profileId);
    if (!profile)
        return notFoundProfile(profileId);
    if (auto r = checkProfileName(config, name, profileId); !r)
        return r;
    if (kind != profile->kind && !profile->environments.isEmpty())
        return Error {ErrorCode::Usage,
                      QStringLiteral("the kind of a profile with environments cannot change")};
    Profile edited = *profile;
    edited.name = name;
    edited.kind = kind;
    edited.grant
        = kindUsesGrant(kind) ? (grant == Grant::None ? defaultGrant(kind) : grant) : Grant::None;
    edited.refresh = refresh;
    for (const Environment &env : std::as_const(edited.environments)) {
        if (auto r = checkComplete(edited, env); !r)
            return r;
    }
    const QString oldName = profile->name;
    *profile = edited;
    if (oldName != name) {
        for (Profile &p : config.profiles) {
            for (Environment &env : p.environments) {
                if (env.sourceProfile == oldName)
                    env.sourceProfile = name;
            }
        }
    }
    return {};
}

Result<QString> duplicateProfile(Config &config, const QString &profileId)
{
    const Profile *source = config.profileById(profileId);
    if (!source)
        return notFoundProfile(profileId);
    QStringList names;
    for (const Profile &p : std::as_const(config.profiles))
        names << p.name;
    Profile copy = *source;
    copy.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    copy.name = copyName(source->name, names);
    copy.secretIndex.clear();
    config.profiles.append(copy);
    return copy.id;
}

Result<void> checkProfileRemovable(const Config &config, const QString &profileId)
{
    const Profile *profile = config.profileById(profileId);
    if (!profile)
        return notFoundProfile(profileId);
    const QStringList dependents = config.dependentsOf(profile->name);
    if (!dependents.isEmpty())
        return Error {ErrorCode::Usage,
                      QStringLiteral("profile \"") + profile->name
                          + QStringLiteral("\" is the source of ")
                          + dependents.join(QStringLiteral(", "))
                          + QStringLiteral("; change or remove those first")};
    return {};
}

Result<void> removeProfile(Config &config, const QString &profileId)
{
    if (auto r = checkProfileRemovable(config, profileId); !r)
        return r;
    config.profiles.removeIf([&profileId](const Profile &p) { return p.id == profileId; });
    if (config.currentProfileId == profileId)
        config.currentProfileId
            = config.profiles.isEmpty() ? QString() : config.profiles.first().id;
    return {};
}

Result<void> addEnvironment(Config &config, const QString &profileId, const Environment &env)
{
    Profile *profile = profileWithId(config, profileId);
    if (!profile)
        return notFoundProfile(profileId);
    if (auto r = checkEnvironmentName(*profile, env.name); !r)
        return r;
    if (auto r = validateEnvironment(*profile, env, config); !r)
        return r;
    if (auto r = checkComplete(*profile, env); !r)
        return r;
    profile->environments.append(env);
    if (profile->activeEnvironment.isEmpty())
        profile->activeEnvironment = env.name;
    return {};
}

Result<void> editEnvironment(Config &config, const QString &profileId, const Environment &env)
{
    Profile *profile = profileWithId(config, profileId);
    if (!profile)
        return notFoundProfile(profileId);
    Environment *existing = profile->environment(env.name);
    if (!existing)
        return Error {ErrorCode::NotFound,
                      QStringLiteral("profile ") + profile->name
                          + QStringLiteral(" has no environment ") + env.name};
    if (auto r = validateEnvironment(*profile, env, config); !r)
        return r;
    if (auto r = checkComplete(*profile, env); !r)
        return r;
    *existing = env;
    return {};
}

Result<QString> duplicateEnvironment(Config &config, const QString &profileId,
                                     const QString &envName)
{
    Profile *profile = profileWithId(config, profileId);
    if (!profile)
        return notFoundProfile(profileId);
    const Environment *source = profile->environment(envName);
    if (!source)
        return Error {ErrorCode::NotFound,
                      QStringLiteral("profile ") + profile->name
                          + QStringLiteral(" has no environment ") + envName};
    Environment copy = *source;
    copy.name = copyName(envName, profile->environmentNames());
    profile->environments.append(copy);
    return copy.name;
}

Result<void> removeEnvironment(Config &config, const QString &profileId, const QString &envName)
{
    Profile *profile = profileWithId(config, profileId);
    if (!profile)
        return notFoundProfile(profileId);
    if (!profile->environment(envName))
        return Error {ErrorCode::NotFound,
                      QStringLiteral("profile ") + profile->name
                          + QStringLiteral(" has no environment ") + envName};
    profile->environments.removeIf([&envName](const Environment &e) { return e.name == envName; });
    if (profile->activeEnvironment == envName)
        profile->activeEnvironment
            = profile->environments.isEmpty() ? QString() : profile->environments.first().name;
    return {};
}

Result<void> indexSecrets(Config &config, const QString &profileId, const QStringList &entries)
{
    Profile *profile = profileWithId(config, profileId);
    if (!profile)
        return notFoundProfile(profileId);
    for (const QString &entry : entries) {
        if (!profile->secretIndex.contains(entry))
            profile->secretIndex.append(entry);
    }
    return {};
}

void unindexSecrets(Config &config, const QString &profileId, const QStringList &entries)
{
    Profile *profile = profileWithId(config, profileId);
    if (!profile)
        return;
    for (const QString &entry : entries)
        profile->secretIndex.removeAll(entry);
}

} // namespace TokenTray
