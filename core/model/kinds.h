#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace TokenTray {

enum class ProfileKind { OAuth2, AwsAssumeRole, AwsAccessKey, StaticToken };
enum class Grant { None, ClientCredentials, RefreshToken, DeviceCode };
enum class RefreshPolicy { Deferred, Eager };
enum class ClientAuth { Basic, Post };

QString kindName(ProfileKind kind);
std::optional<ProfileKind> kindFromName(const QString &name);
QStringList kindNames();

QString grantName(Grant grant);
std::optional<Grant> grantFromName(const QString &name);
QStringList grantNames();

QString refreshPolicyName(RefreshPolicy policy);
std::optional<RefreshPolicy> refreshPolicyFromName(const QString &name);

QString clientAuthName(ClientAuth auth);
std::optional<ClientAuth> clientAuthFromName(const QString &name);
QStringList clientAuthNames();

// The keychain item names a profile of this kind may hold (`secret set` accepts only these).
QStringList secretNamesFor(ProfileKind kind);
// The names that must be present before the profile can produce a credential.
QStringList requiredSecretNames(ProfileKind kind, Grant grant);

} // namespace TokenTray
