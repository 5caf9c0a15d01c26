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
Result<void> validateDurationSeconds(int seconds);
Result<void> validateRegion(const QString &region);

// Everything that must hold for a config before it is saved or after it is loaded: unique
// ids and names, known environments, references that resolve, every field valid for its kind.
Result<void> validateConfig(const Config &config);
Result<void> validateEnvironment(const Profile &profile, const Environment &env,
                                 const Config &config);

} // namespace TokenTray
