#include "core/delivery/exporters.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace TokenTray {

QByteArray EnvExport::value(const QString &name) const
{
    for (const EnvVariable &v : set) {
        if (v.name == name)
            return v.value.expose();
    }
    return {};
}

std::optional<ExportFormat> exportFormatFromName(const QString &name)
{
    if (name == QLatin1String("sh"))
        return ExportFormat::Sh;
    if (name == QLatin1String("fish"))
        return ExportFormat::Fish;
    if (name == QLatin1String("json"))
        return ExportFormat::Json;
    return std::nullopt;
}

QStringList exportFormatNames()
{
    return {QStringLiteral("sh"), QStringLiteral("fish"), QStringLiteral("json")};
}

bool isAwsKind(ProfileKind kind)
{
    return kind == ProfileKind::AwsAccessKey || kind == ProfileKind::AwsAssumeRole;
}

EnvExport credentialVariables(ProfileKind kind, const Environment &env,
                              const Credential &credential)
{
    EnvExport out;
    if (isAwsKind(kind)) {
        out.set.append(
            {QStringLiteral("AWS_ACCESS_KEY_ID"), Secret(credential.accessKeyId.toUtf8())});
        out.set.append({QStringLiteral("AWS_SECRET_ACCESS_KEY"), credential.secretAccessKey});
        if (!credential.sessionToken.isEmpty())
            out.set.append({QStringLiteral("AWS_SESSION_TOKEN"), credential.sessionToken});
        else
            out.unset << QStringLiteral("AWS_SESSION_TOKEN");
        // botocore falls back to the legacy name when AWS_SESSION_TOKEN is absent.
        out.unset << QStringLiteral("AWS_SECURITY_TOKEN");
        if (credential.expires())
            out.set.append({QStringLiteral("AWS_CREDENTIAL_EXPIRATION"),
                            Secret(rfc3339Utc(credential.expiresAt).toUtf8())});
        else
            out.unset << QStringLiteral("AWS_CREDENTIAL_EXPIRATION");
        if (!env.region.isEmpty()) {
            out.set.append({QStringLiteral("AWS_REGION"), Secret(env.region.toUtf8())});
            out.set.append({QStringLiteral("AWS_DEFAULT_REGION"), Secret(env.region.toUtf8())});
        }
        return out;
    }
    out.set.append({QLatin1String(kTokenVariable), credential.accessToken});
    if (!env.tokenVariable.isEmpty() && env.tokenVariable != QLatin1String(kTokenVariable))
        out.set.append({env.tokenVariable, credential.accessToken});
    return out;
}

QByteArray shellQuote(const QByteArray &value)
{
    // Inside single quotes nothing is special but the quote itself: close, escape, reopen.
    QByteArray quoted = value;
    quoted.replace('\'', "'\\''");
    return '\'' + quoted + '\'';
}

QByteArray fishQuote(const QByteArray &value)
{
    // fish interprets \\ and \' inside single quotes, nothing else (newlines stay literal).
    QByteArray quoted = value;
    quoted.replace('\\', "\\\\");
    quoted.replace('\'', "\\'");
    return '\'' + quoted + '\'';
}

QByteArray formatVariables(const EnvExport &variables, ExportFormat format)
{
    QByteArray out;
    switch (format) {
    case ExportFormat::Sh:
        for (const QString &name : variables.unset)
            out += "unset " + name.toUtf8() + '\n';
        for (const EnvVariable &v : variables.set)
            out += "export " + v.name.toUtf8() + '=' + shellQuote(v.value.expose()) + '\n';
        break;
    case ExportFormat::Fish:
        for (const QString &name : variables.unset)
            out += "set -e " + name.toUtf8() + '\n';
        for (const EnvVariable &v : variables.set)
            out += "set -gx " + v.name.toUtf8() + ' ' + fishQuote(v.value.expose()) + '\n';
        break;
    case ExportFormat::Json: {
        QJsonObject o;
        for (const EnvVariable &v : variables.set)
            o.insert(v.name, v.value.exposeUtf8());
        out = QJsonDocument(o).toJson(QJsonDocument::Indented);
        break;
    }
    }
    return out;
}

QString rfc3339Utc(const QDateTime &time)
{
    QDateTime utc = time.toUTC();
    utc.setTime(QTime(utc.time().hour(), utc.time().minute(), utc.time().second()));
    return utc.toString(Qt::ISODate); // "Z" for UTC
}

QByteArray credentialProcessJson(const Credential &credential)
{
    QJsonObject o {{QStringLiteral("Version"), 1},
                   {QStringLiteral("AccessKeyId"), credential.accessKeyId},
                   {QStringLiteral("SecretAccessKey"), credential.secretAccessKey.exposeUtf8()}};
    if (!credential.sessionToken.isEmpty())
        o.insert(QStringLiteral("SessionToken"), credential.sessionToken.exposeUtf8());
    if (credential.expires())
        o.insert(QStringLiteral("Expiration"), rfc3339Utc(credential.expiresAt));
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

QByteArray awsContainerJson(const Credential &credential, const QDateTime &now,
                            qint64 longTermValiditySeconds)
{
    const QDateTime expiration
        = credential.expires() ? credential.expiresAt : now.addSecs(longTermValiditySeconds);
    const QJsonObject o {
        {QStringLiteral("AccessKeyId"), credential.accessKeyId},
        {QStringLiteral("SecretAccessKey"), credential.secretAccessKey.exposeUtf8()},
        {QStringLiteral("Token"), credential.sessionToken.exposeUtf8()},
        {QStringLiteral("Expiration"), rfc3339Utc(expiration)}};
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray bearerTokenJson(const Credential &credential)
{
    QJsonObject o {
        {QStringLiteral("access_token"), credential.accessToken.exposeUtf8()},
        {QStringLiteral("token_type"),
         credential.tokenType.isEmpty() ? QStringLiteral("Bearer") : credential.tokenType}};
    if (credential.expires())
        o.insert(QStringLiteral("expires_at"), rfc3339Utc(credential.expiresAt));
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace TokenTray
