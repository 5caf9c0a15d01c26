#pragma once

#include "core/model/envfields.h"
#include "core/model/environment.h"
#include "core/model/kinds.h"
#include "core/util/result.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace TokenTray {

struct Config;
struct Profile;

// The per-kind rules the CLI and the manager's forms share: which environment settings apply
// to a kind, which ones it needs before it can produce a credential, which secrets a person
// types in, and which keychain items go with a profile.

// The fields that apply to a kind, in display order. The others stay empty: the CLI refuses
// their options, the forms hide them.
QList<EnvField> environmentFields(ProfileKind kind);
bool fieldAppliesTo(EnvField field, ProfileKind kind);

// Checks one field's value on its own (an empty value is always fine here; what must be set
// is unmetRequirements()' business): URLs with validateEndpointUrl, the role ARN, region,
// session name, duration, and that a CA file is a readable file.
Result<void> validateField(EnvField field, const Environment &env);

// What an environment of a kind still needs before it can produce a credential.
enum class Requirement {
    TokenUrlOrIssuer, // oauth2
    ClientId, // oauth2, except the refresh_token grant
    DeviceUrlOrIssuer, // oauth2 device_code grant
    RoleArn, // aws-assume-role
    SourceProfile, // aws-assume-role
};
QList<Requirement> unmetRequirements(ProfileKind kind, Grant grant, const Environment &env);
// The field a message about the requirement belongs to.
EnvField requirementField(Requirement requirement);
// Whether the field must be set on its own (not as one of two alternatives), for marking labels.
bool isRequiredField(EnvField field, ProfileKind kind, Grant grant);

// Whether renewing this environment's credential needs a person: a role with an MFA device and
// no mfa_process, or a role whose source chain has one. The tray warns before such a credential
// expires (DESIGN §6).
bool renewalNeedsPerson(const Config &config, const Profile &profile, const Environment &env);

// Only oauth2 profiles name a grant; a new oauth2 profile gets client_credentials.
bool kindUsesGrant(ProfileKind kind);
Grant defaultGrant(ProfileKind kind);

// The keychain items a person types in for one environment of a profile, in display order:
// oauth2 client_secret (and refresh_token for the refresh_token grant), the AWS key pair, the
// static token. Device-code refresh tokens arrive with sign-in and are not typed.
QStringList enterableSecretNames(ProfileKind kind, Grant grant);

// Index entries ("<env>/<name>") of the keychain items to delete with a profile (envName
// empty) or one of its environments: everything in its secretIndex plus what the token
// engine writes on its own (the kind's secrets, token_cache) for each environment.
QStringList secretEntriesToRemove(const Profile &profile, const QString &envName = QString());

} // namespace TokenTray
