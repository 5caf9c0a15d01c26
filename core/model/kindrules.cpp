#include "core/model/kindrules.h"

#include "core/model/config.h"
#include "core/model/profile.h"
#include "core/model/validation.h"

#include <QFileInfo>

namespace TokenTray {

QList<EnvField> environmentFields(ProfileKind kind)
{
    switch (kind) {
    case ProfileKind::OAuth2:
        return {EnvField::Protected,  EnvField::Issuer,        EnvField::TokenUrl,
                EnvField::DeviceUrl,  EnvField::RevocationUrl, EnvField::ClientId,
                EnvField::ClientAuth, EnvField::Scopes,        EnvField::Audience,
                EnvField::ApiUrl,     EnvField::CaFile,        EnvField::TokenVariable};
    case ProfileKind::AwsAssumeRole:
        return {EnvField::Protected,      EnvField::RoleArn,     EnvField::SourceProfile,
                EnvField::Region,         EnvField::StsEndpoint, EnvField::Duration,
                EnvField::ExternalId,     EnvField::MfaSerial,   EnvField::MfaProcess,
                EnvField::SourceIdentity, EnvField::SessionName, EnvField::ApiUrl,
                EnvField::CaFile};
    case ProfileKind::AwsAccessKey:
        return {EnvField::Protected, EnvField::Region, EnvField::StsEndpoint, EnvField::ApiUrl,
                EnvField::CaFile};
    case ProfileKind::StaticToken:
        return {EnvField::Protected, EnvField::ApiUrl, EnvField::CaFile, EnvField::TokenVariable};
    }
    return {};
}

bool fieldAppliesTo(EnvField field, ProfileKind kind)
{
    return environmentFields(kind).contains(field);
}

Result<void> validateField(EnvField field, const Environment &env)
{
    auto url = [](const char *label, const QUrl &value) -> Result<void> {
        if (value.isEmpty())
            return {};
        return validateEndpointUrl(QLatin1String(label), value);
    };
    switch (field) {
    case EnvField::Issuer:
        return url("issuer", env.issuer);
    case EnvField::TokenUrl:
        return url("token URL", env.tokenUrl);
    case EnvField::DeviceUrl:
        return url("device URL", env.deviceUrl);
    case EnvField::RevocationUrl:
        return url("revocation URL", env.revocationUrl);
    case EnvField::ApiUrl:
        return url("API URL", env.apiUrl);
    case EnvField::StsEndpoint:
        return url("STS endpoint", env.stsEndpoint);
    case EnvField::ClientAuth:
        if (!env.clientAuth.isEmpty() && !clientAuthFromName(env.clientAuth))
            return Error {ErrorCode::Invalid, QStringLiteral("client auth must be basic or post")};
        return {};
    case EnvField::RoleArn:
        return env.roleArn.isEmpty() ? Result<void>() : validateRoleArn(env.roleArn);
    case EnvField::Region:
        return env.region.isEmpty() ? Result<void>() : validateRegion(env.region);
    case EnvField::SessionName:
        return env.sessionName.isEmpty() ? Result<void>() : validateSessionName(env.sessionName);
    case EnvField::Duration:
        return validateDurationSeconds(env.durationSeconds);
    case EnvField::TokenVariable:
        return env.tokenVariable.isEmpty() ? Result<void>()
                                           : validateVariableName(env.tokenVariable);
    case EnvField::CaFile: {
        if (env.caFile.isEmpty())
            return {};
        const QFileInfo info(env.caFile);
        if (!info.isFile() || !info.isReadable())
            return Error {ErrorCode::Invalid,
                          QStringLiteral("CA file ") + env.caFile
                              + QStringLiteral(" is not a readable file")};
        return {};
    }
    case EnvField::Protected:
    case EnvField::ClientId:
    case EnvField::Scopes:
    case EnvField::Audience:
    case EnvField::SourceProfile: // resolved against the config by validateEnvironment()
    case EnvField::ExternalId:
    case EnvField::MfaSerial:
    case EnvField::MfaProcess: // a shell command: whatever it is, it runs when a code is needed
        return {};
    case EnvField::SourceIdentity:
        return env.sourceIdentity.isEmpty() ? Result<void>()
                                            : validateSourceIdentity(env.sourceIdentity);
    }
    return {};
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
    switch (field) {
    case EnvField::ClientId:
        return kind == ProfileKind::OAuth2 && grant != Grant::RefreshToken;
    case EnvField::RoleArn:
    case EnvField::SourceProfile:
        return kind == ProfileKind::AwsAssumeRole;
    default:
        return false;
    }
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
