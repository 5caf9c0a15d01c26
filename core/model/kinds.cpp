#include "core/model/kinds.h"

#include <array>
#include <utility>

namespace TokenTray {
namespace {

template<typename E, std::size_t N>
std::optional<E> lookup(const std::array<std::pair<E, const char *>, N> &table, const QString &name)
{
    for (const auto &[value, text] : table) {
        if (name == QLatin1String(text))
            return value;
    }
    return std::nullopt;
}

template<typename E, std::size_t N>
QString nameOf(const std::array<std::pair<E, const char *>, N> &table, E value)
{
    for (const auto &[v, text] : table) {
        if (v == value)
            return QLatin1String(text);
    }
    return {};
}

template<typename E, std::size_t N>
QStringList allNames(const std::array<std::pair<E, const char *>, N> &table)
{
    QStringList names;
    for (const auto &entry : table)
        names << QLatin1String(entry.second);
    return names;
}

constexpr std::array<std::pair<ProfileKind, const char *>, 4> kKinds = {{
    {ProfileKind::OAuth2, "oauth2"},
    {ProfileKind::AwsAssumeRole, "aws-assume-role"},
    {ProfileKind::AwsAccessKey, "aws-access-key"},
    {ProfileKind::StaticToken, "static-token"},
}};

constexpr std::array<std::pair<Grant, const char *>, 3> kGrants = {{
    {Grant::ClientCredentials, "client_credentials"},
    {Grant::RefreshToken, "refresh_token"},
    {Grant::DeviceCode, "device_code"},
}};

constexpr std::array<std::pair<RefreshPolicy, const char *>, 2> kPolicies = {{
    {RefreshPolicy::Deferred, "deferred"},
    {RefreshPolicy::Eager, "eager"},
}};

constexpr std::array<std::pair<ClientAuth, const char *>, 2> kAuths = {{
    {ClientAuth::Basic, "basic"},
    {ClientAuth::Post, "post"},
}};

} // namespace

QString kindName(ProfileKind kind)
{
    return nameOf(kKinds, kind);
}
std::optional<ProfileKind> kindFromName(const QString &name)
{
    return lookup(kKinds, name);
}
QStringList kindNames()
{
    return allNames(kKinds);
}

QString grantName(Grant grant)
{
    return nameOf(kGrants, grant);
}
std::optional<Grant> grantFromName(const QString &name)
{
    return lookup(kGrants, name);
}
QStringList grantNames()
{
    return allNames(kGrants);
}

QString refreshPolicyName(RefreshPolicy policy)
{
    return nameOf(kPolicies, policy);
}
std::optional<RefreshPolicy> refreshPolicyFromName(const QString &name)
{
    return lookup(kPolicies, name);
}

QString clientAuthName(ClientAuth auth)
{
    return nameOf(kAuths, auth);
}
std::optional<ClientAuth> clientAuthFromName(const QString &name)
{
    return lookup(kAuths, name);
}
QStringList clientAuthNames()
{
    return allNames(kAuths);
}

QStringList secretNamesFor(ProfileKind kind)
{
    switch (kind) {
    case ProfileKind::OAuth2:
        return {QStringLiteral("client_secret"), QStringLiteral("refresh_token")};
    case ProfileKind::AwsAccessKey:
        // aws_session_token only for temporary keys imported from ~/.aws/credentials.
        return {QStringLiteral("aws_access_key_id"), QStringLiteral("aws_secret_access_key"),
                QStringLiteral("aws_session_token")};
    case ProfileKind::StaticToken:
        return {QStringLiteral("token")};
    case ProfileKind::AwsAssumeRole:
        return {};
    }
    return {};
}

QStringList requiredSecretNames(ProfileKind kind, Grant grant)
{
    switch (kind) {
    case ProfileKind::OAuth2:
        if (grant == Grant::ClientCredentials)
            return {QStringLiteral("client_secret")};
        if (grant == Grant::RefreshToken)
            return {QStringLiteral("refresh_token")};
        return {}; // device_code: the refresh token arrives with `login`
    case ProfileKind::AwsAccessKey:
        return {QStringLiteral("aws_access_key_id"), QStringLiteral("aws_secret_access_key")};
    case ProfileKind::StaticToken:
        return {QStringLiteral("token")};
    case ProfileKind::AwsAssumeRole:
        return {};
    }
    return {};
}

} // namespace TokenTray
