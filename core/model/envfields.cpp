#include "core/model/envfields.h"

#include "core/model/validation.h"

#include <QFileInfo>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace TokenTray {
namespace {

constexpr KindSet kOAuth2 = kindBit(ProfileKind::OAuth2);
constexpr KindSet kAssumeRole = kindBit(ProfileKind::AwsAssumeRole);
constexpr KindSet kAccessKey = kindBit(ProfileKind::AwsAccessKey);
constexpr KindSet kStaticToken = kindBit(ProfileKind::StaticToken);
constexpr KindSet kAllKinds = kOAuth2 | kAssumeRole | kAccessKey | kStaticToken;

// One row per field, every value named. Texts for the manager are marked for translation in
// the context kEnvFieldsContext ("EnvFields") and translated where they are shown.
QList<EnvFieldSpec> buildTable()
{
    using E = Environment;
    using F = FieldType;
    return {
        {.id = EnvField::Protected,
         .type = F::Flag,
         .member = &E::isProtected,
         .jsonKey = u"protected"_s,
         .option = u"protected"_s,
         .help = u"guard this environment (PROD): confirm before copying its tokens"_s,
         .negationHelp = u"remove the guard"_s,
         .name = u"protected"_s,
         .kinds = kAllKinds,
         .label = QT_TRANSLATE_NOOP("EnvFields", "Protected (PROD)"),
         .hint = QT_TRANSLATE_NOOP("EnvFields",
                                   "Protected (PROD): confirm before its tokens are copied, "
                                   "mark it in the tray")},
        {.id = EnvField::Issuer,
         .type = F::Url,
         .member = &E::issuer,
         .jsonKey = u"issuer"_s,
         .option = u"issuer"_s,
         .valueName = u"URL"_s,
         .help = u"OpenID Connect / RFC 8414 issuer; endpoints are discovered"_s,
         .name = u"issuer"_s,
         .example = u"https://login.example.com"_s,
         .kinds = kOAuth2,
         .label = QT_TRANSLATE_NOOP("EnvFields", "Issuer"),
         .hint
         = QT_TRANSLATE_NOOP("EnvFields", "https://login.example.com (discovers the endpoints)")},
        {.id = EnvField::TokenUrl,
         .type = F::Url,
         .member = &E::tokenUrl,
         .jsonKey = u"tokenUrl"_s,
         .option = u"token-url"_s,
         .valueName = u"URL"_s,
         .help = u"token endpoint"_s,
         .name = u"token URL"_s,
         .example = u"https://login.example.com/oauth2/token"_s,
         .kinds = kOAuth2,
         .label = QT_TRANSLATE_NOOP("EnvFields", "Token URL"),
         .hint = QT_TRANSLATE_NOOP("EnvFields", "https://login.example.com/oauth2/token")},
        {.id = EnvField::DeviceUrl,
         .type = F::Url,
         .member = &E::deviceUrl,
         .jsonKey = u"deviceUrl"_s,
         .option = u"device-url"_s,
         .valueName = u"URL"_s,
         .help = u"device authorization endpoint"_s,
         .name = u"device URL"_s,
         .example = u"https://login.example.com/oauth2/device"_s,
         .kinds = kOAuth2,
         .label = QT_TRANSLATE_NOOP("EnvFields", "Device URL"),
         .hint = QT_TRANSLATE_NOOP("EnvFields", "https://login.example.com/oauth2/device")},
        {.id = EnvField::RevocationUrl,
         .type = F::Url,
         .member = &E::revocationUrl,
         .jsonKey = u"revocationUrl"_s,
         .option = u"revocation-url"_s,
         .valueName = u"URL"_s,
         .help = u"token revocation endpoint (RFC 7009)"_s,
         .name = u"revocation URL"_s,
         .example = u"https://login.example.com/oauth2/revoke"_s,
         .kinds = kOAuth2,
         .label = QT_TRANSLATE_NOOP("EnvFields", "Revocation URL"),
         .hint = QT_TRANSLATE_NOOP("EnvFields", "https://login.example.com/oauth2/revoke")},
        {.id = EnvField::ClientId,
         .type = F::Text,
         .member = &E::clientId,
         .jsonKey = u"clientId"_s,
         .option = u"client-id"_s,
         .valueName = u"ID"_s,
         .help = u"OAuth2 client id"_s,
         .name = u"client id"_s,
         .example = u"tokentray"_s,
         .kinds = kOAuth2,
         .requiredFor = kOAuth2,
         .exemptGrant = Grant::RefreshToken,
         .label = QT_TRANSLATE_NOOP("EnvFields", "Client ID")},
        {.id = EnvField::ClientAuth,
         .type = F::Choice,
         .member = &E::clientAuth,
         .jsonKey = u"clientAuth"_s,
         .option = u"auth"_s,
         .valueName = u"METHOD"_s,
         .help = u"client authentication: basic (default) or post"_s,
         .name = u"client auth"_s,
         .example = u"post"_s,
         .kinds = kOAuth2,
         .choices = clientAuthNames(),
         .label = QT_TRANSLATE_NOOP("EnvFields", "Client authentication"),
         .choiceLabels
         = {QT_TRANSLATE_NOOP("EnvFields", "HTTP Basic (client_secret_basic)"),
            QT_TRANSLATE_NOOP("EnvFields", "In the request body (client_secret_post)")}},
        {.id = EnvField::Scopes,
         .type = F::Words,
         .member = &E::scopes,
         .jsonKey = u"scopes"_s,
         .option = u"scope"_s,
         .valueName = u"\"S1 S2\""_s,
         .help = u"space-separated scopes"_s,
         .name = u"scopes"_s,
         .example = u"read write"_s,
         .kinds = kOAuth2,
         .label = QT_TRANSLATE_NOOP("EnvFields", "Scopes"),
         .hint = QT_TRANSLATE_NOOP("EnvFields", "space-separated, e.g. read write")},
        {.id = EnvField::Audience,
         .type = F::Text,
         .member = &E::audience,
         .jsonKey = u"audience"_s,
         .option = u"audience"_s,
         .valueName = u"A"_s,
         .help = u"audience / resource"_s,
         .name = u"audience"_s,
         .example = u"https://api.example.com"_s,
         .kinds = kOAuth2,
         .label = QT_TRANSLATE_NOOP("EnvFields", "Audience")},
        {.id = EnvField::RoleArn,
         .type = F::Text,
         .member = &E::roleArn,
         .jsonKey = u"roleArn"_s,
         .option = u"role-arn"_s,
         .valueName = u"ARN"_s,
         .help = u"IAM role to assume"_s,
         .name = u"role ARN"_s,
         .example = u"arn:aws:iam::123456789012:role/Name"_s,
         .kinds = kAssumeRole,
         .requiredFor = kAssumeRole,
         .textCheck = validateRoleArn,
         .label = QT_TRANSLATE_NOOP("EnvFields", "Role ARN"),
         .hint = QT_TRANSLATE_NOOP("EnvFields", "arn:aws:iam::123456789012:role/Name")},
        {.id = EnvField::SourceProfile,
         .type = F::ProfileName,
         .member = &E::sourceProfile,
         .jsonKey = u"sourceProfile"_s,
         .option = u"source-profile"_s,
         .valueName = u"NAME"_s,
         .help = u"AWS profile whose credentials assume the role"_s,
         .name = u"source profile"_s,
         .example = u"base"_s,
         .kinds = kAssumeRole,
         .requiredFor = kAssumeRole,
         .label = QT_TRANSLATE_NOOP("EnvFields", "Source profile")},
        {.id = EnvField::Region,
         .type = F::Text,
         .member = &E::region,
         .jsonKey = u"region"_s,
         .option = u"region"_s,
         .valueName = u"R"_s,
         .help = u"AWS region"_s,
         .name = u"region"_s,
         .example = u"eu-west-1"_s,
         .kinds = kAssumeRole | kAccessKey,
         .textCheck = validateRegion,
         .label = QT_TRANSLATE_NOOP("EnvFields", "Region"),
         .hint = QT_TRANSLATE_NOOP("EnvFields", "e.g. eu-west-1")},
        {.id = EnvField::StsEndpoint,
         .type = F::Url,
         .member = &E::stsEndpoint,
         .jsonKey = u"stsEndpoint"_s,
         .option = u"sts-endpoint"_s,
         .valueName = u"URL"_s,
         .help = u"STS endpoint (default: the regional one)"_s,
         .name = u"STS endpoint"_s,
         .example = u"https://sts.eu-west-1.amazonaws.com"_s,
         .kinds = kAssumeRole | kAccessKey,
         .label = QT_TRANSLATE_NOOP("EnvFields", "STS endpoint"),
         .hint = QT_TRANSLATE_NOOP("EnvFields", "https://sts.eu-west-1.amazonaws.com")},
        {.id = EnvField::Duration,
         .type = F::Seconds,
         .member = &E::durationSeconds,
         .jsonKey = u"durationSeconds"_s,
         .option = u"duration"_s,
         .valueName = u"SECONDS"_s,
         .help = u"role session duration, 900-43200"_s,
         .name = u"duration"_s,
         .example = u"3600"_s,
         .kinds = kAssumeRole,
         .label = QT_TRANSLATE_NOOP("EnvFields", "Session duration"),
         .maximum = 43200,
         .step = 900},
        {.id = EnvField::ExternalId,
         .type = F::Text,
         .member = &E::externalId,
         .jsonKey = u"externalId"_s,
         .option = u"external-id"_s,
         .valueName = u"X"_s,
         .help = u"ExternalId"_s,
         .name = u"external id"_s,
         .example = u"x-123"_s,
         .kinds = kAssumeRole,
         .label = QT_TRANSLATE_NOOP("EnvFields", "External ID"),
         .masked = true},
        {.id = EnvField::MfaSerial,
         .type = F::Text,
         .member = &E::mfaSerial,
         .jsonKey = u"mfaSerial"_s,
         .option = u"mfa-serial"_s,
         .valueName = u"ARN"_s,
         .help = u"MFA device"_s,
         .name = u"MFA serial"_s,
         .example = u"arn:aws:iam::123456789012:mfa/name"_s,
         .kinds = kAssumeRole,
         .label = QT_TRANSLATE_NOOP("EnvFields", "MFA device ARN"),
         .hint = QT_TRANSLATE_NOOP("EnvFields", "arn:aws:iam::123456789012:mfa/name")},
        // A shell command: whatever it is, it runs when a code is needed.
        {.id = EnvField::MfaProcess,
         .type = F::Text,
         .member = &E::mfaProcess,
         .jsonKey = u"mfaProcess"_s,
         .option = u"mfa-process"_s,
         .valueName = u"COMMAND"_s,
         .help = u"command that prints the MFA code (run with /bin/sh -c)"_s,
         .name = u"MFA process"_s,
         .example = u"oathtool --totp -b KEY"_s,
         .kinds = kAssumeRole,
         .label = QT_TRANSLATE_NOOP("EnvFields", "MFA code command"),
         .hint = QT_TRANSLATE_NOOP("EnvFields",
                                   "optional, e.g. oathtool --totp -b KEY; else you are asked")},
        {.id = EnvField::SourceIdentity,
         .type = F::Text,
         .member = &E::sourceIdentity,
         .jsonKey = u"sourceIdentity"_s,
         .option = u"source-identity"_s,
         .valueName = u"ID"_s,
         .help = u"AssumeRole SourceIdentity (2-64 of [\\w+=,.@-])"_s,
         .name = u"source identity"_s,
         .example = u"alice"_s,
         .kinds = kAssumeRole,
         .textCheck = validateSourceIdentity,
         .label = QT_TRANSLATE_NOOP("EnvFields", "Source identity")},
        {.id = EnvField::SessionName,
         .type = F::Text,
         .member = &E::sessionName,
         .jsonKey = u"sessionName"_s,
         .option = u"session-name"_s,
         .valueName = u"N"_s,
         .help = u"RoleSessionName (2-64 of [\\w+=,.@-])"_s,
         .name = u"session name"_s,
         .example = u"alice"_s,
         .kinds = kAssumeRole,
         .textCheck = validateSessionName,
         .label = QT_TRANSLATE_NOOP("EnvFields", "Session name"),
         .hint = QT_TRANSLATE_NOOP("EnvFields", "2-64 characters, default: your user name")},
        {.id = EnvField::ApiUrl,
         .type = F::Url,
         .member = &E::apiUrl,
         .jsonKey = u"apiUrl"_s,
         .option = u"api-url"_s,
         .valueName = u"URL"_s,
         .help = u"the API this environment's tokens are for"_s,
         .name = u"API URL"_s,
         .example = u"https://api.example.com"_s,
         .kinds = kAllKinds,
         .label = QT_TRANSLATE_NOOP("EnvFields", "API URL"),
         .hint = QT_TRANSLATE_NOOP("EnvFields", "https://api.example.com")},
        {.id = EnvField::CaFile,
         .type = F::File,
         .member = &E::caFile,
         .jsonKey = u"caFile"_s,
         .option = u"ca-file"_s,
         .valueName = u"FILE"_s,
         .help = u"PEM file of CA certificates trusted for this environment only"_s,
         .name = u"CA file"_s,
         .example = u"ca.pem"_s,
         .kinds = kAllKinds,
         .label = QT_TRANSLATE_NOOP("EnvFields", "CA certificates file"),
         .hint = QT_TRANSLATE_NOOP("EnvFields", "system certificates")},
        {.id = EnvField::TokenVariable,
         .type = F::Text,
         .member = &E::tokenVariable,
         .jsonKey = u"tokenVariable"_s,
         .option = u"token-variable"_s,
         .valueName = u"NAME"_s,
         .help = u"export and exec also set the token in this variable"_s,
         .name = u"token variable"_s,
         .example = u"API_TOKEN"_s,
         .kinds = kOAuth2 | kStaticToken,
         .textCheck = validateVariableName,
         .label = QT_TRANSLATE_NOOP("EnvFields", "Token variable"),
         .hint
         = QT_TRANSLATE_NOOP("EnvFields", "optional, e.g. API_TOKEN (besides TOKENTRAY_TOKEN)")},
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
