#include "core/model/kindrules.h"

#include "core/model/config.h"
#include "core/model/profile.h"
#include "core/model/validation.h"

namespace TokenTray {

QList<EnvField> environmentFields(ProfileKind kind)
{
    QList<EnvField> fields;
    for (const EnvFieldSpec &spec : envFieldTable()) {
        if (spec.kinds & kindBit(kind))
            fields << spec.id;
    }
    return fields;
}

bool fieldAppliesTo(EnvField field, ProfileKind kind)
{
    return envFieldSpec(field).kinds & kindBit(kind);
}

Result<void> validateField(EnvField field, const Environment &env)
{
    return validateEnvFieldValue(envFieldSpec(field), env);
}

QList<Requirement> unmetRequirements(ProfileKind kind, Grant grant, const Environment &env)
{
    QList<Requirement> unmet;
    if (kind == ProfileKind::OAuth2) {
        if (env.tokenUrl.isEmpty() && env.issuer.isEmpty())
            unmet << Requirement::TokenUrlOrIssuer;
        if (env.clientId.isEmpty() && grant != Grant::RefreshToken)
            unmet << Requirement::ClientId;
        if (grant == Grant::DeviceCode && env.deviceUrl.isEmpty() && env.issuer.isEmpty())
            unmet << Requirement::DeviceUrlOrIssuer;
    } else if (kind == ProfileKind::AwsAssumeRole) {
        if (env.roleArn.isEmpty())
            unmet << Requirement::RoleArn;
        if (env.sourceProfile.isEmpty())
            unmet << Requirement::SourceProfile;
    }
    return unmet;
}

EnvField requirementField(Requirement requirement)
{
    switch (requirement) {
    case Requirement::TokenUrlOrIssuer:
        return EnvField::TokenUrl;
    case Requirement::ClientId:
        return EnvField::ClientId;
    case Requirement::DeviceUrlOrIssuer:
        return EnvField::DeviceUrl;
    case Requirement::RoleArn:
        return EnvField::RoleArn;
    case Requirement::SourceProfile:
        return EnvField::SourceProfile;
    }
    return EnvField::Protected;
}

bool isRequiredField(EnvField field, ProfileKind kind, Grant grant)
{
    const EnvFieldSpec &spec = envFieldSpec(field);
    return (spec.requiredFor & kindBit(kind)) && grant != spec.exemptGrant;
}

bool renewalNeedsPerson(const Config &config, const Profile &profile, const Environment &env)
{
    const Profile *p = &profile;
    const Environment *e = &env;
    // Bounded: validation refuses loops, but a config being edited may not be valid yet.
    for (int depth = 0; p && e && depth < 16; ++depth) {
        if (p->kind != ProfileKind::AwsAssumeRole)
            return false;
        if (!e->mfaSerial.isEmpty() && e->mfaProcess.isEmpty())
            return true;
        const Profile *source = config.profileByName(e->sourceProfile);
        const Environment *sourceEnv = source ? source->environment(e->name) : nullptr;
        if (source && !sourceEnv)
            sourceEnv = source->active();
        p = source;
        e = sourceEnv;
    }
    return false;
}

bool kindUsesGrant(ProfileKind kind)
{
    return kind == ProfileKind::OAuth2;
}

Grant defaultGrant(ProfileKind kind)
{
    return kindUsesGrant(kind) ? Grant::ClientCredentials : Grant::None;
}

QStringList enterableSecretNames(ProfileKind kind, Grant grant)
{
    switch (kind) {
    case ProfileKind::OAuth2:
        if (grant == Grant::RefreshToken)
            return {QStringLiteral("client_secret"), QStringLiteral("refresh_token")};
        return {QStringLiteral("client_secret")};
    case ProfileKind::AwsAccessKey:
        return requiredSecretNames(kind, grant);
    case ProfileKind::StaticToken:
    case ProfileKind::AwsAssumeRole:
        return secretNamesFor(kind);
    }
    return {};
}

QStringList secretEntriesToRemove(const Profile &profile, const QString &envName)
{
    QStringList entries;
    for (const QString &entry : profile.secretIndex) {
        if (envName.isEmpty() || entry.startsWith(envName + QLatin1Char('/')))
            entries << entry;
    }
    // Items the token engine writes on its own (cached tokens, rotated refresh tokens).
    for (const Environment &env : profile.environments) {
        if (!envName.isEmpty() && env.name != envName)
            continue;
        const QStringList names
            = secretNamesFor(profile.kind) + QStringList {QStringLiteral("token_cache")};
        for (const QString &name : names) {
            const QString entry = secretIndexEntry(env.name, name);
            if (!entries.contains(entry))
                entries << entry;
        }
    }
    return entries;
}

} // namespace TokenTray
