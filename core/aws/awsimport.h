#pragma once

// What `tokentray-cli import-aws` would do with ~/.aws/config and ~/.aws/credentials: which
// TokenTray profiles to add, which keychain items to write, and why anything is left out.
// Pure: reads parsed files and the current config, changes nothing.

#include "core/aws/awsini.h"
#include "core/model/config.h"
#include "core/util/result.h"
#include "core/util/secret.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace TokenTray {

// The one environment every imported profile gets (and makes active).
inline constexpr QLatin1String kAwsImportEnvironment("default");

struct AwsImportSecret
{
    QString profile; // TokenTray profile name
    QString environment;
    QString name; // aws_access_key_id, aws_secret_access_key or aws_session_token
    Secret value;
};

struct AwsImportItem
{
    enum class Status { Imported, Skipped, Warning, Note, Error };
    Status status = Status::Note;
    QString profile; // the TokenTray profile name (or the AWS one when skipped); may be empty
    QString awsProfile; // the AWS profile it comes from; empty for a whole file
    QString message; // English, one sentence fragment; never a secret value
    QString location; // "FILE:LINE" or "FILE"; may be empty
};

struct AwsImportPlan
{
    // Profiles to add, each source before the roles that use it; ids are left empty.
    QList<Profile> profiles;
    QList<AwsImportSecret> secrets;
    // File problems first, then per AWS profile (in file order): imported or skipped, then its
    // warnings and notes.
    QList<AwsImportItem> report;

    [[nodiscard]] qsizetype count(AwsImportItem::Status status) const;
    [[nodiscard]] const Profile *profile(const QString &name) const;
    [[nodiscard]] QStringList secretNames(const QString &profileName) const;
};

// Reads the AWS profiles (config "[profile NAME]" and "[default]" merged with credentials
// "[NAME]", the credentials file winning for a key set in both) and plans:
// - aws_access_key_id + aws_secret_access_key (+ aws_session_token) -> an aws-access-key
//   profile with those keychain items; a session token means temporary keys (a warning).
// - role_arn + source_profile -> an aws-assume-role profile (role_arn, source_profile,
//   mfa_serial, external_id, duration_seconds, role_session_name, region); chained roles keep
//   their chain. A profile with its own keys and a role (botocore uses the keys when the
//   profile is a source, the role when it is used itself, e.g. source_profile naming itself)
//   becomes NAME-keys (aws-access-key) and NAME (the role, sourced from what botocore uses).
// Skipped, each with its reason: SSO, credential_process, credential_source, web identity,
// incomplete keys, invalid names or values, names TokenTray already has (never overwritten),
// profiles with nothing to import, unknown sources, source_profile loops, roles whose source is
// skipped, sections the files define twice or could not read. A role whose source profile
// already exists in TokenTray with the matching kind uses it (a second import can add a role
// to an earlier import).
AwsImportPlan planAwsImport(const AwsIniFile &config, const AwsIniFile &credentials,
                            const Config &existing);

// Adds the plan's profiles to `config` (fresh ids; the first becomes current when nothing is),
// with every planned keychain item in their secretIndex. Returns the new ids by name.
Result<QHash<QString, QString>> addImportedProfiles(Config &config, const AwsImportPlan &plan);

// "imported", "skipped", "warning", "note", "error".
QString awsImportStatusName(AwsImportItem::Status status);

} // namespace TokenTray
