#pragma once

// How a credential reaches a tool: the environment variables it reads (DESIGN §5, §7) and the
// JSON documents of AWS credential_process, the AWS container endpoint and the bearer route.
// Pure functions; the values are secrets, so nothing here logs.

#include "core/model/credential.h"
#include "core/model/environment.h"
#include "core/model/kinds.h"
#include "core/util/secret.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace TokenTray {

struct EnvVariable
{
    QString name;
    Secret value;
};

// Variables to set, in a stable order, and variables to remove because a stale value would
// override or contradict the new ones (an old AWS_SESSION_TOKEN next to long-term keys).
struct EnvExport
{
    QList<EnvVariable> set;
    QStringList unset;

    [[nodiscard]] QByteArray value(const QString &name) const; // "" when not set
};

enum class ExportFormat { Sh, Fish, Json };
std::optional<ExportFormat> exportFormatFromName(const QString &name);
QStringList exportFormatNames();

bool isAwsKind(ProfileKind kind);

// The variable every bearer token is exported as; an environment may add its own name.
inline constexpr char kTokenVariable[] = "TOKENTRAY_TOKEN";

// AWS kinds: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (when there is one),
// AWS_CREDENTIAL_EXPIRATION (when it expires), AWS_REGION and AWS_DEFAULT_REGION (when the
// environment names a region). Other kinds: TOKENTRAY_TOKEN, and the environment's
// tokenVariable when it names one.
EnvExport credentialVariables(ProfileKind kind, const Environment &env,
                              const Credential &credential);

// sh: `export NAME='value'` lines (`unset NAME` first); fish: `set -gx NAME 'value'` (`set -e
// NAME`); json: one object of the variables to set.
QByteArray formatVariables(const EnvExport &variables, ExportFormat format);
QByteArray shellQuote(const QByteArray &value); // POSIX sh single quotes
QByteArray fishQuote(const QByteArray &value); // fish single quotes

// RFC 3339 in UTC with a Z and whole seconds: 2030-01-02T03:04:05Z.
QString rfc3339Utc(const QDateTime &time);

// credential_process: {"Version":1,"AccessKeyId","SecretAccessKey","SessionToken"(when
// there is one),"Expiration"(when it expires)}.
QByteArray credentialProcessJson(const Credential &credential);
// The AWS container credentials endpoint: {"AccessKeyId","SecretAccessKey","Token",
// "Expiration"}. SDKs require Token and Expiration: long-term keys get an empty Token and an
// expiration `longTermValiditySeconds` after `now`, so SDKs simply ask again then.
QByteArray awsContainerJson(const Credential &credential, const QDateTime &now,
                            qint64 longTermValiditySeconds = 3600);
// The bearer route: {"access_token","token_type","expires_at"(when it expires)}.
QByteArray bearerTokenJson(const Credential &credential);

} // namespace TokenTray
