#pragma once

#include "core/model/config.h"
#include "core/util/result.h"

#include <QString>
#include <QStringList>

namespace TokenTray {

// The edits the manager window makes, as plain functions over a Config value: Workspace::update
// runs them on the newest file contents, then validates and saves. Each leaves the config as
// it was when it returns an error. Errors: NotFound, AlreadyExists (name taken), Invalid
// (detail from core validation), Usage (an edit that would break a reference).

// A name for a copy of `name` that is not in `taken`: "name-copy", "name-copy2", … cut so it
// stays a valid name.
QString copyName(const QString &name, const QStringList &taken);

// Whether `name` can name a profile: valid, and not used by another profile than `exceptId`.
Result<void> checkProfileName(const Config &config, const QString &name,
                              const QString &exceptId = QString());
// Whether `name` can name a new environment of the profile.
Result<void> checkEnvironmentName(const Profile &profile, const QString &name);

// Adds the profile (fresh id when empty, the kind's default grant when none) and makes it
// current when nothing is. Returns its id.
Result<QString> addProfile(Config &config, Profile profile);
// Renames (keeping the references of profiles that use it as their AWS source), and changes
// grant and refresh policy. The kind is fixed once environments exist.
Result<void> editProfile(Config &config, const QString &profileId, const QString &name,
                         ProfileKind kind, Grant grant, RefreshPolicy refresh);
// A copy with a new id and name, its environments but none of its keychain items. Returns the id.
Result<QString> duplicateProfile(Config &config, const QString &profileId);
// Refused (Usage) while another profile uses it as its AWS source.
Result<void> checkProfileRemovable(const Config &config, const QString &profileId);
Result<void> removeProfile(Config &config, const QString &profileId);

// Adds an environment; the first one becomes the active one.
Result<void> addEnvironment(Config &config, const QString &profileId, const Environment &env);
// Replaces the environment of the same name (environments are not renamed: their keychain
// items are keyed by name).
Result<void> editEnvironment(Config &config, const QString &profileId, const Environment &env);
// A copy under a new name, without keychain items. Returns the new name.
Result<QString> duplicateEnvironment(Config &config, const QString &profileId,
                                     const QString &envName);
Result<void> removeEnvironment(Config &config, const QString &profileId, const QString &envName);

// Records / forgets keychain index entries ("<env>/<name>") of a profile.
Result<void> indexSecrets(Config &config, const QString &profileId, const QStringList &entries);
void unindexSecrets(Config &config, const QString &profileId, const QStringList &entries);

} // namespace TokenTray
