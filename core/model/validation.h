#pragma once

#include "core/model/config.h"
#include "core/util/result.h"

#include <QString>
#include <QUrl>

namespace TokenTray {

// Profile and environment names: a letter or digit, then letters, digits, '.', '_' or '-';
// at most 64 characters. They appear in keychain keys, file names and shell commands.
Result<void> validateName(const QString &what, const QString &name);

// https:// with a host, or http:// only to a loopback host (127.0.0.0/8, ::1, localhost), as
// RFC 8252 allows. `what` names the field in the message ("token URL").
Result<void> validateEndpointUrl(const QString &what, const QUrl &url);
bool isLoopbackHost(const QString &host);

Result<void> validateRoleArn(const QString &arn);
Result<void> validateSessionName(const QString &name);
// AssumeRole SourceIdentity: 2-64 characters of [\w+=,.@-], not starting with "aws:".
Result<void> validateSourceIdentity(const QString &identity);
Result<void> validateDurationSeconds(int seconds);
Result<void> validateRegion(const QString &region);
// An environment variable name a token may be exported as: [A-Za-z_][A-Za-z0-9_]*, at most 64
// characters, and none the shell, the dynamic loader or TokenTray itself relies on (PATH,
// LD_*, AWS_*...).
Result<void> validateVariableName(const QString &name);

// Everything that must hold for a config before it is saved or after it is loaded: unique
// ids and names, known environments, references that resolve, every field valid for its kind.
Result<void> validateConfig(const Config &config);
Result<void> validateEnvironment(const Profile &profile, const Environment &env,
                                 const Config &config);

} // namespace TokenTray
