#include "core/store/configmigration.h"

#include "core/store/configcodec.h"

#include <QJsonArray>
#include <QUuid>

#include <functional>

namespace TokenTray::ConfigMigration {
namespace {

// Version 0 (pre-release): "profiles" was an object keyed by profile name, profiles had no
// ids, and the current profile was named by "current".
Result<QJsonObject> from0To1(QJsonObject json)
{
    const QJsonValue profilesValue = json.value(QLatin1String("profiles"));
    if (!profilesValue.isUndefined() && !profilesValue.isObject())
        return Error {ErrorCode::ConfigCorrupt,
                      QStringLiteral("profiles: expected an object in a schema 0 file")};
    const QJsonObject byName = profilesValue.toObject();
    const QString current = json.value(QLatin1String("current")).toString();
    QJsonArray profiles;
    QString currentId;
    for (auto it = byName.begin(); it != byName.end(); ++it) {
        if (!it.value().isObject())
            return Error {ErrorCode::ConfigCorrupt,
                          QStringLiteral("profiles.") + it.key()
                              + QStringLiteral(": expected an object")};
        QJsonObject p = it.value().toObject();
        const QString id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        p.insert(QLatin1String("id"), id);
        p.insert(QLatin1String("name"), it.key());
        if (it.key() == current)
            currentId = id;
        profiles.append(p);
    }
    json.remove(QLatin1String("current"));
    json.insert(QLatin1String("profiles"), profiles);
    if (!currentId.isEmpty())
        json.insert(QLatin1String("currentProfile"), currentId);
    json.insert(QLatin1String("schemaVersion"), 1);
    return json;
}

using Step = std::function<Result<QJsonObject>(QJsonObject)>;

const QList<Step> &steps()
{
    // steps()[n] migrates version n to n+1.
    static const QList<Step> s = {from0To1};
    return s;
}

} // namespace

int versionOf(const QJsonObject &json)
{
    const QJsonValue v = json.value(QLatin1String("schemaVersion"));
    if (v.isUndefined())
        return 0;
    if (!v.isDouble() || v.toDouble() != static_cast<double>(v.toInt()) || v.toInt() < 0)
        return -1;
    return v.toInt();
}

Result<QJsonObject> migrate(QJsonObject json)
{
    static_assert(ConfigCodec::kSchemaVersion == 1, "add a migration step for the new schema");
    int version = versionOf(json);
    while (version < ConfigCodec::kSchemaVersion) {
        auto next = steps().at(version)(json);
        if (!next)
            return next;
        json = std::move(next.value());
        ++version;
    }
    return json;
}

} // namespace TokenTray::ConfigMigration
