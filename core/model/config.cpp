#include "core/model/config.h"

namespace TokenTray {

const Profile *Config::profileByName(const QString &name) const
{
    for (const Profile &p : profiles) {
        if (p.name == name)
            return &p;
    }
    return nullptr;
}

Profile *Config::profileByName(const QString &name)
{
    for (Profile &p : profiles) {
        if (p.name == name)
            return &p;
    }
    return nullptr;
}

const Profile *Config::profileById(const QString &id) const
{
    if (id.isEmpty())
        return nullptr;
    for (const Profile &p : profiles) {
        if (p.id == id)
            return &p;
    }
    return nullptr;
}

QStringList Config::dependentsOf(const QString &name) const
{
    QStringList out;
    for (const Profile &p : profiles) {
        for (const Environment &env : p.environments) {
            if (env.sourceProfile == name && !out.contains(p.name))
                out << p.name;
        }
    }
    return out;
}

} // namespace TokenTray
