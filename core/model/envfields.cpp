#include "core/model/envfields.h"

#include "core/model/validation.h"

#include <QFileInfo>
#include <QRegularExpression>

namespace TokenTray {
namespace {

constexpr KindSet kOAuth2 = kindBit(ProfileKind::OAuth2);
constexpr KindSet kAssumeRole = kindBit(ProfileKind::AwsAssumeRole);
constexpr KindSet kAccessKey = kindBit(ProfileKind::AwsAccessKey);
constexpr KindSet kStaticToken = kindBit(ProfileKind::StaticToken);
constexpr KindSet kAllKinds = kOAuth2 | kAssumeRole | kAccessKey | kStaticToken;

QString s(const char *text)
{
    return QString::fromLatin1(text);
}

EnvFieldSpec row(EnvField id, FieldType type, FieldMember member, const char *jsonKey,
                 const char *option, const char *valueName, const char *name, KindSet kinds,
                 const char *help, const char *example, const char *label, const char *hint)
{
    EnvFieldSpec spec;
    spec.id = id;
    spec.type = type;
    spec.member = member;
    spec.jsonKey = s(jsonKey);
    spec.option = s(option);
    spec.valueName = s(valueName);
    spec.help = s(help);
    spec.name = s(name);
    spec.kinds = kinds;
    spec.example = s(example);
    spec.label = label;
    spec.hint = hint;
    return spec;
}

EnvFieldSpec required(EnvFieldSpec spec, KindSet kinds, std::optional<Grant> exempt = {})
{
    spec.requiredFor = kinds;
    spec.exemptGrant = exempt;
    return spec;
}

EnvFieldSpec checked(EnvFieldSpec spec, Result<void> (*check)(const QString &))
{
    spec.textCheck = check;
    return spec;
}

EnvFieldSpec bounded(EnvFieldSpec spec, int maximum, int step)
{
    spec.maximum = maximum;
    spec.step = step;
    return spec;
}

QList<EnvFieldSpec> buildTable()
{
    using E = Environment;
    using F = FieldType;
    EnvFieldSpec clientAuth
        = row(EnvField::ClientAuth, F::Choice, &E::clientAuth, "clientAuth", "auth", "METHOD",
              "client auth", kOAuth2, "client authentication: basic (default) or post", "post",
              QT_TRANSLATE_NOOP("EnvFields", "Client authentication"), nullptr);
    clientAuth.choices = clientAuthNames();
    clientAuth.choiceLabels
        = {QT_TRANSLATE_NOOP("EnvFields", "HTTP Basic (client_secret_basic)"),
           QT_TRANSLATE_NOOP("EnvFields", "In the request body (client_secret_post)")};
    EnvFieldSpec externalId = row(EnvField::ExternalId, F::Text, &E::externalId, "externalId",
                                  "external-id", "X", "external id", kAssumeRole, "ExternalId",
                                  "x-123", QT_TRANSLATE_NOOP("EnvFields", "External ID"), nullptr);
    externalId.masked = true;
    EnvFieldSpec isProtected = row(
        EnvField::Protected, F::Flag, &E::isProtected, "protected", "protected", "", "protected",
        kAllKinds, "guard this environment (PROD): confirm before copying its tokens", "",
        QT_TRANSLATE_NOOP("EnvFields", "Protected (PROD)"),
        QT_TRANSLATE_NOOP("EnvFields",
                          "Protected (PROD): confirm before its tokens are copied, "
                          "mark it in the tray"));
    isProtected.negationHelp = QStringLiteral("remove the guard");
    return {
        isProtected,
        row(EnvField::Issuer, F::Url, &E::issuer, "issuer", "issuer", "URL", "issuer", kOAuth2,
            "OpenID Connect / RFC 8414 issuer; endpoints are discovered",
            "https://login.example.com", QT_TRANSLATE_NOOP("EnvFields", "Issuer"),
            QT_TRANSLATE_NOOP("EnvFields", "https://login.example.com (discovers the endpoints)")),
        row(EnvField::TokenUrl, F::Url, &E::tokenUrl, "tokenUrl", "token-url", "URL", "token URL",
            kOAuth2, "token endpoint", "https://login.example.com/oauth2/token",
            QT_TRANSLATE_NOOP("EnvFields", "Token URL"),
            QT_TRANSLATE_NOOP("EnvFields", "https://login.example.com/oauth2/token")),
        row(EnvField::DeviceUrl, F::Url, &E::deviceUrl, "deviceUrl", "device-url", "URL",
            "device URL", kOAuth2, "device authorization endpoint",
            "https://login.example.com/oauth2/device", QT_TRANSLATE_NOOP("EnvFields", "Device URL"),
            QT_TRANSLATE_NOOP("EnvFields", "https://login.example.com/oauth2/device")),
        row(EnvField::RevocationUrl, F::Url, &E::revocationUrl, "revocationUrl", "revocation-url",
            "URL", "revocation URL", kOAuth2, "token revocation endpoint (RFC 7009)",
            "https://login.example.com/oauth2/revoke",
            QT_TRANSLATE_NOOP("EnvFields", "Revocation URL"),
            QT_TRANSLATE_NOOP("EnvFields", "https://login.example.com/oauth2/revoke")),
        required(row(EnvField::ClientId, F::Text, &E::clientId, "clientId", "client-id", "ID",
                     "client id", kOAuth2, "OAuth2 client id", "tokentray",
                     QT_TRANSLATE_NOOP("EnvFields", "Client ID"), nullptr),
                 kOAuth2, Grant::RefreshToken),
        clientAuth,
        row(EnvField::Scopes, F::Words, &E::scopes, "scopes", "scope", "\"S1 S2\"", "scopes",
            kOAuth2, "space-separated scopes", "read write",
            QT_TRANSLATE_NOOP("EnvFields", "Scopes"),
            QT_TRANSLATE_NOOP("EnvFields", "space-separated, e.g. read write")),
        row(EnvField::Audience, F::Text, &E::audience, "audience", "audience", "A", "audience",
            kOAuth2, "audience / resource", "https://api.example.com",
            QT_TRANSLATE_NOOP("EnvFields", "Audience"), nullptr),
        required(checked(row(EnvField::RoleArn, F::Text, &E::roleArn, "roleArn", "role-arn", "ARN",
                             "role ARN", kAssumeRole, "IAM role to assume",
                             "arn:aws:iam::123456789012:role/Name",
                             QT_TRANSLATE_NOOP("EnvFields", "Role ARN"),
                             QT_TRANSLATE_NOOP("EnvFields", "arn:aws:iam::123456789012:role/Name")),
                         validateRoleArn),
                 kAssumeRole),
        required(row(EnvField::SourceProfile, F::ProfileName, &E::sourceProfile, "sourceProfile",
                     "source-profile", "NAME", "source profile", kAssumeRole,
                     "AWS profile whose credentials assume the role", "base",
                     QT_TRANSLATE_NOOP("EnvFields", "Source profile"), nullptr),
                 kAssumeRole),
        checked(row(EnvField::Region, F::Text, &E::region, "region", "region", "R", "region",
                    kAssumeRole | kAccessKey, "AWS region", "eu-west-1",
                    QT_TRANSLATE_NOOP("EnvFields", "Region"),
                    QT_TRANSLATE_NOOP("EnvFields", "e.g. eu-west-1")),
                validateRegion),
        row(EnvField::StsEndpoint, F::Url, &E::stsEndpoint, "stsEndpoint", "sts-endpoint", "URL",
            "STS endpoint", kAssumeRole | kAccessKey, "STS endpoint (default: the regional one)",
            "https://sts.eu-west-1.amazonaws.com", QT_TRANSLATE_NOOP("EnvFields", "STS endpoint"),
            QT_TRANSLATE_NOOP("EnvFields", "https://sts.eu-west-1.amazonaws.com")),
        bounded(row(EnvField::Duration, F::Seconds, &E::durationSeconds, "durationSeconds",
                    "duration", "SECONDS", "duration", kAssumeRole,
                    "role session duration, 900-43200", "3600",
                    QT_TRANSLATE_NOOP("EnvFields", "Session duration"), nullptr),
                43200, 900),
        externalId,
        row(EnvField::MfaSerial, F::Text, &E::mfaSerial, "mfaSerial", "mfa-serial", "ARN",
            "MFA serial", kAssumeRole, "MFA device", "arn:aws:iam::123456789012:mfa/name",
            QT_TRANSLATE_NOOP("EnvFields", "MFA device ARN"),
            QT_TRANSLATE_NOOP("EnvFields", "arn:aws:iam::123456789012:mfa/name")),
        // A shell command: whatever it is, it runs when a code is needed.
        row(EnvField::MfaProcess, F::Text, &E::mfaProcess, "mfaProcess", "mfa-process", "COMMAND",
            "MFA process", kAssumeRole, "command that prints the MFA code (run with /bin/sh -c)",
            "oathtool --totp -b KEY", QT_TRANSLATE_NOOP("EnvFields", "MFA code command"),
            QT_TRANSLATE_NOOP("EnvFields",
                              "optional, e.g. oathtool --totp -b KEY; else you are asked")),
        checked(row(EnvField::SourceIdentity, F::Text, &E::sourceIdentity, "sourceIdentity",
                    "source-identity", "ID", "source identity", kAssumeRole,
                    "AssumeRole SourceIdentity (2-64 of [\\w+=,.@-])", "alice",
                    QT_TRANSLATE_NOOP("EnvFields", "Source identity"), nullptr),
                validateSourceIdentity),
        checked(row(EnvField::SessionName, F::Text, &E::sessionName, "sessionName", "session-name",
                    "N", "session name", kAssumeRole, "RoleSessionName (2-64 of [\\w+=,.@-])",
                    "alice", QT_TRANSLATE_NOOP("EnvFields", "Session name"),
                    QT_TRANSLATE_NOOP("EnvFields", "2-64 characters, default: your user name")),
                validateSessionName),
        row(EnvField::ApiUrl, F::Url, &E::apiUrl, "apiUrl", "api-url", "URL", "API URL", kAllKinds,
            "the API this environment's tokens are for", "https://api.example.com",
            QT_TRANSLATE_NOOP("EnvFields", "API URL"),
            QT_TRANSLATE_NOOP("EnvFields", "https://api.example.com")),
        row(EnvField::CaFile, F::File, &E::caFile, "caFile", "ca-file", "FILE", "CA file",
            kAllKinds, "PEM file of CA certificates trusted for this environment only", "ca.pem",
            QT_TRANSLATE_NOOP("EnvFields", "CA certificates file"),
            QT_TRANSLATE_NOOP("EnvFields", "system certificates")),
        checked(row(EnvField::TokenVariable, F::Text, &E::tokenVariable, "tokenVariable",
                    "token-variable", "NAME", "token variable", kOAuth2 | kStaticToken,
                    "export and exec also set the token in this variable", "API_TOKEN",
                    QT_TRANSLATE_NOOP("EnvFields", "Token variable"),
                    QT_TRANSLATE_NOOP("EnvFields",
                                      "optional, e.g. API_TOKEN (besides TOKENTRAY_TOKEN)")),
                validateVariableName),
    };
}

Error invalid(const QString &detail)
{
    return Error {ErrorCode::Invalid, detail};
}

Result<void> checkReadableFile(const QString &what, const QString &path)
{
    const QFileInfo info(path);
    if (!info.isFile() || !info.isReadable())
        return invalid(what + QLatin1Char(' ') + path + QStringLiteral(" is not a readable file"));
    return {};
}

} // namespace

const QList<EnvFieldSpec> &envFieldTable()
{
    static const QList<EnvFieldSpec> table = buildTable();
    return table;
}

const EnvFieldSpec &envFieldSpec(EnvField field)
{
    const QList<EnvFieldSpec> &table = envFieldTable();
    for (const EnvFieldSpec &spec : table) {
        if (spec.id == field)
            return spec;
    }
    // Every EnvField has a row (tst_envfields::everyFieldHasOneRow).
    qFatal("EnvField %d has no row in the environment field table", static_cast<int>(field));
}

QStringList envFieldOptions(const EnvFieldSpec &spec)
{
    if (spec.type == FieldType::Flag)
        return {spec.option, QStringLiteral("un") + spec.option};
    return {spec.option};
}

QStringList allEnvFieldOptions(bool withNegations)
{
    QStringList options;
    for (const EnvFieldSpec &spec : envFieldTable())
        options += withNegations ? envFieldOptions(spec) : QStringList {spec.option};
    return options;
}

QString envFieldText(const EnvFieldSpec &spec, const Environment &env)
{
    switch (spec.type) {
    case FieldType::Flag:
        return envFieldValue<bool>(spec, env) ? QStringLiteral("true") : QString();
    case FieldType::Url:
        return envFieldValue<QUrl>(spec, env).toString();
    case FieldType::Words:
        return envFieldValue<QStringList>(spec, env).join(QLatin1Char(' '));
    case FieldType::Seconds: {
        const int seconds = envFieldValue<int>(spec, env);
        return seconds ? QString::number(seconds) : QString();
    }
    case FieldType::Text:
    case FieldType::Choice:
    case FieldType::File:
    case FieldType::ProfileName:
        return envFieldValue<QString>(spec, env);
    }
    return {};
}

void setEnvFieldText(const EnvFieldSpec &spec, const QString &text, Environment *env)
{
    switch (spec.type) {
    case FieldType::Flag:
        envFieldValue<bool>(spec, *env) = !text.isEmpty();
        return;
    case FieldType::Url:
        envFieldValue<QUrl>(spec, *env) = text.isEmpty() ? QUrl() : QUrl(text, QUrl::StrictMode);
        return;
    case FieldType::Words: {
        static const QRegularExpression spaces(QStringLiteral("\\s+"));
        envFieldValue<QStringList>(spec, *env) = text.split(spaces, Qt::SkipEmptyParts);
        return;
    }
    case FieldType::Seconds:
        envFieldValue<int>(spec, *env) = text.toInt();
        return;
    case FieldType::Text:
    case FieldType::Choice:
    case FieldType::File:
    case FieldType::ProfileName:
        envFieldValue<QString>(spec, *env) = text;
        return;
    }
}

Result<void> applyEnvFieldOption(const EnvFieldSpec &spec, const QString &option,
                                 const QString &text, Environment *env)
{
    const QString dashed = QStringLiteral("--") + option;
    switch (spec.type) {
    case FieldType::Flag:
        setEnvFieldText(spec, option == spec.option ? option : QString(), env);
        return {};
    case FieldType::Text:
    case FieldType::ProfileName:
    case FieldType::Words:
        break;
    case FieldType::Url:
        if (!text.isEmpty()) {
            if (auto r = validateEndpointUrl(dashed, QUrl(text, QUrl::StrictMode)); !r)
                return r;
        }
        break;
    case FieldType::Seconds: {
        bool ok = false;
        text.toInt(&ok);
        if (!ok)
            return invalid(dashed + QStringLiteral(" must be a number of seconds"));
        break;
    }
    case FieldType::Choice:
        if (!spec.choices.contains(text))
            // Quoted: messages are redacted, and a word after "basic " reads as a credential.
            return invalid(dashed + QStringLiteral(" must be \"")
                           + spec.choices.join(QStringLiteral("\" or \"")) + QLatin1Char('"'));
        break;
    case FieldType::File:
        if (text.isEmpty())
            break;
        if (auto r = checkReadableFile(dashed, text); !r)
            return r;
        setEnvFieldText(spec, QFileInfo(text).absoluteFilePath(), env);
        return {};
    }
    setEnvFieldText(spec, text, env);
    return {};
}

QString envFieldDisplay(const EnvFieldSpec &spec, const Environment &env)
{
    if (spec.type == FieldType::Flag)
        return {}; // shown next to the environment's name
    QString value = envFieldText(spec, env);
    if (spec.type == FieldType::Seconds && !value.isEmpty())
        value += QStringLiteral(" s");
    return spec.masked && !value.isEmpty() ? QStringLiteral("(set)") : value;
}

Result<void> validateEnvFieldValue(const EnvFieldSpec &spec, const Environment &env)
{
    switch (spec.type) {
    case FieldType::Flag:
    case FieldType::Words:
    case FieldType::ProfileName: // resolved against the config by validateEnvironment()
        return {};
    case FieldType::Url: {
        const QUrl &url = envFieldValue<QUrl>(spec, env);
        return url.isEmpty() ? Result<void>() : validateEndpointUrl(spec.name, url);
    }
    case FieldType::Seconds:
        return validateDurationSeconds(envFieldValue<int>(spec, env));
    case FieldType::Text: {
        const QString &text = envFieldValue<QString>(spec, env);
        return text.isEmpty() || !spec.textCheck ? Result<void>() : spec.textCheck(text);
    }
    case FieldType::Choice: {
        const QString &text = envFieldValue<QString>(spec, env);
        if (text.isEmpty() || spec.choices.contains(text))
            return {};
        return invalid(spec.name + QStringLiteral(" must be ")
                       + spec.choices.join(QStringLiteral(" or ")));
    }
    case FieldType::File: {
        const QString &path = envFieldValue<QString>(spec, env);
        return path.isEmpty() ? Result<void>() : checkReadableFile(spec.name, path);
    }
    }
    return {};
}

} // namespace TokenTray
