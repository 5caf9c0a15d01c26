#include "core/model/profile.h"

namespace TokenTray {

const Environment *Profile::environment(const QString &envName) const
{
    for (const Environment &env : environments) {
        if (env.name == envName)
            return &env;
    }
    return nullptr;
}

Environment *Profile::environment(const QString &envName)
{
    for (Environment &env : environments) {
        if (env.name == envName)
            return &env;
    }
    return nullptr;
}

QStringList Profile::environmentNames() const
{
    QStringList names;
    names.reserve(environments.size());
    for (const Environment &env : environments)
        names << env.name;
    return names;
}

QString secretKey(const QString &profileId, const QString &envName, const QString &name)
{
    return profileId + QLatin1Char('/') + envName + QLatin1Char('/') + name;
}

QString secretIndexEntry(const QString &envName, const QString &name)
{
    return envName + QLatin1Char('/') + name;
}

} // namespace TokenTray
