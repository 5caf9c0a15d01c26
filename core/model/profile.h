#pragma once

#include "core/model/environment.h"
#include "core/model/kinds.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace TokenTray {

// One identity at one service, with its environments. Plain value type: the store loads and
// saves it; nothing here touches the keychain.
struct Profile
{
    QString id; // stable across renames; keys keychain items
    QString name; // what users type
    ProfileKind kind = ProfileKind::OAuth2;
    Grant grant = Grant::None;
    RefreshPolicy refresh = RefreshPolicy::Deferred;
    bool autostart = false;
    QString activeEnvironment;
    QList<Environment> environments;
    // Keychain items written for this profile, as "<env>/<name>", so removing the profile can
    // remove all of them even when the environment was renamed or removed meanwhile.
    QStringList secretIndex;

    [[nodiscard]] const Environment *environment(const QString &envName) const;
    [[nodiscard]] Environment *environment(const QString &envName);
    [[nodiscard]] const Environment *active() const { return environment(activeEnvironment); }
    [[nodiscard]] QStringList environmentNames() const;

    bool operator==(const Profile &other) const = default;
};

// Keychain key of one item: "<profileId>/<env>/<name>".
QString secretKey(const QString &profileId, const QString &envName, const QString &name);
// Index entry of one item inside a profile: "<env>/<name>".
QString secretIndexEntry(const QString &envName, const QString &name);

} // namespace TokenTray
