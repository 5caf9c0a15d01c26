#pragma once

#include "core/model/profile.h"

#include <QList>
#include <QString>

namespace TokenTray {

struct Settings
{
    int maxConcurrency = 8;
    bool operator==(const Settings &other) const = default;
};

// Everything profiles.json holds: the profiles, which one is current, app-wide settings.
struct Config
{
    QList<Profile> profiles;
    QString currentProfileId;
    Settings settings;

    [[nodiscard]] const Profile *profileByName(const QString &name) const;
    [[nodiscard]] Profile *profileByName(const QString &name);
    [[nodiscard]] const Profile *profileById(const QString &id) const;
    [[nodiscard]] const Profile *currentProfile() const { return profileById(currentProfileId); }
    // Profiles whose environments name `name` as their AWS source profile.
    [[nodiscard]] QStringList dependentsOf(const QString &name) const;

    bool operator==(const Config &other) const = default;
};

} // namespace TokenTray
