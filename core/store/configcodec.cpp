#include "core/store/configcodec.h"

#include "core/model/envfields.h"
#include "core/util/logging.h"

#include <QJsonArray>
#include <QUrl>

#include <cmath>
#include <limits>

namespace TokenTray::ConfigCodec {
namespace {

// Reads typed values out of a JSON object, remembering the first type error with its path.
class Reader
{
public:
    Reader(const QJsonObject &object, QString path, std::optional<Error> *error)
        : m_object(object)
        , m_path(std::move(path))
        , m_error(error)
    {
    }

    QString string(const char *key, bool required = false) const
    {
        const QJsonValue v = m_object.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull()) {
            if (required)
                fail(key, QStringLiteral("is missing"));
            return {};
        }
        if (!v.isString()) {
            fail(key, QStringLiteral("expected a string"));
            return {};
        }
        return v.toString();
    }

    QUrl url(const char *key) const
    {
        const QString s = string(key);
        if (s.isEmpty())
            return {};
        QUrl u(s, QUrl::StrictMode);
        if (!u.isValid())
            fail(key, QStringLiteral("is not a valid URL"));
        return u;
    }

    bool boolean(const char *key) const
    {
        const QJsonValue v = m_object.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull())
            return false;
        if (!v.isBool())
            fail(key, QStringLiteral("expected true or false"));
        return v.toBool();
    }

    int integer(const char *key, int fallback) const
    {
        const QJsonValue v = m_object.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull())
            return fallback;
        const double d = v.toDouble();
        // Range before the cast: converting an out-of-range double to int is undefined.
        if (!v.isDouble() || d < std::numeric_limits<int>::min()
            || d > std::numeric_limits<int>::max() || d != std::trunc(d)) {
            fail(key, QStringLiteral("expected a whole number"));
            return fallback;
        }
        return static_cast<int>(d);
    }

    QStringList stringList(const char *key) const
    {
        const QJsonValue v = m_object.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull())
            return {};
        QStringList out;
        if (v.isArray()) {
            const QJsonArray array = v.toArray();
            for (const auto &item : array) {
                if (!item.isString())
                    break;
                out << item.toString();
            }
            if (out.size() == array.size())
                return out;
        }
        fail(key, QStringLiteral("expected an array of strings"));
        return {};
    }

    QJsonArray array(const char *key) const
    {
        const QJsonValue v = m_object.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull())
            return {};
        if (!v.isArray())
            fail(key, QStringLiteral("expected an array"));
        return v.toArray();
    }

    QJsonObject object(const char *key) const
    {
        const QJsonValue v = m_object.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull())
            return {};
        if (!v.isObject())
            fail(key, QStringLiteral("expected an object"));
        return v.toObject();
    }

    QString childPath(const char *key, qsizetype index = -1) const
    {
        QString p = m_path.isEmpty() ? QString::fromLatin1(key)
                                     : QString(m_path + QLatin1Char('.') + QLatin1String(key));
        if (index >= 0)
            p += QLatin1Char('[') + QString::number(index) + QLatin1Char(']');
        return p;
    }

    void fail(const char *key, const QString &what) const
    {
        if (!m_error->has_value())
            *m_error
                = Error {ErrorCode::ConfigCorrupt, childPath(key) + QStringLiteral(": ") + what};
    }

private:
    QJsonObject m_object;
    QString m_path;
    std::optional<Error> *m_error;
};

void putString(QJsonObject &o, const char *key, const QString &value)
{
    if (!value.isEmpty())
        o.insert(QLatin1String(key), value);
}

Environment decodeEnvironment(const Reader &r)
{
    Environment env;
    env.name = r.string("name", true);
    for (const EnvFieldSpec &spec : envFieldTable()) {
        const QByteArray key = spec.jsonKey.toLatin1();
        switch (spec.type) {
        case FieldType::Flag:
            envFieldValue<bool>(spec, env) = r.boolean(key.constData());
            break;
        case FieldType::Url:
            envFieldValue<QUrl>(spec, env) = r.url(key.constData());
            break;
        case FieldType::Words:
            envFieldValue<QStringList>(spec, env) = r.stringList(key.constData());
            break;
        case FieldType::Seconds:
            envFieldValue<int>(spec, env) = r.integer(key.constData(), 0);
            break;
        case FieldType::Text:
        case FieldType::Choice:
        case FieldType::File:
        case FieldType::ProfileName:
            envFieldValue<QString>(spec, env) = r.string(key.constData());
            break;
        }
    }
    return env;
}

// Unset fields (false, empty, 0) are left out.
QJsonObject encodeEnvironment(const Environment &env)
{
    QJsonObject o;
    o.insert(QLatin1String("name"), env.name);
    for (const EnvFieldSpec &spec : envFieldTable()) {
        QJsonValue value;
        switch (spec.type) {
        case FieldType::Flag:
            if (envFieldValue<bool>(spec, env))
                value = true;
            break;
        case FieldType::Url:
            if (const QUrl &url = envFieldValue<QUrl>(spec, env); !url.isEmpty())
                value = url.toString(QUrl::FullyEncoded);
            break;
        case FieldType::Words:
            if (const QStringList &list = envFieldValue<QStringList>(spec, env); !list.isEmpty())
                value = QJsonArray::fromStringList(list);
            break;
        case FieldType::Seconds:
            if (const int number = envFieldValue<int>(spec, env))
                value = number;
            break;
        case FieldType::Text:
        case FieldType::Choice:
        case FieldType::File:
        case FieldType::ProfileName:
            if (const QString &text = envFieldValue<QString>(spec, env); !text.isEmpty())
                value = text;
            break;
        }
        if (!value.isNull())
            o.insert(spec.jsonKey, value);
    }
    return o;
}

} // namespace

QJsonObject encodeProfile(const Profile &p)
{
    QJsonObject o;
    o.insert(QLatin1String("id"), p.id);
    o.insert(QLatin1String("name"), p.name);
    o.insert(QLatin1String("kind"), kindName(p.kind));
    if (p.grant != Grant::None)
        o.insert(QLatin1String("grant"), grantName(p.grant));
    o.insert(QLatin1String("refresh"), refreshPolicyName(p.refresh));
    if (p.autostart)
        o.insert(QLatin1String("autostart"), true);
    putString(o, "activeEnvironment", p.activeEnvironment);
    QJsonArray envs;
    for (const Environment &env : p.environments)
        envs.append(encodeEnvironment(env));
    o.insert(QLatin1String("environments"), envs);
    if (!p.secretIndex.isEmpty())
        o.insert(QLatin1String("secrets"), QJsonArray::fromStringList(p.secretIndex));
    return o;
}

namespace {

Profile decodeProfile(const Reader &r, std::optional<Error> *error)
{
    Profile p;
    p.id = r.string("id", true);
    p.name = r.string("name", true);
    const QString kind = r.string("kind", true);
    if (!kind.isEmpty()) {
        if (auto k = kindFromName(kind))
            p.kind = *k;
        else
            r.fail("kind",
                   QStringLiteral("unknown kind \"") + kind + QStringLiteral("\" (known: ")
                       + kindNames().join(QStringLiteral(", ")) + QLatin1Char(')'));
    }
    const QString grant = r.string("grant");
    if (!grant.isEmpty()) {
        if (auto g = grantFromName(grant))
            p.grant = *g;
        else
            r.fail("grant", QStringLiteral("unknown grant \"") + grant + QLatin1Char('"'));
    }
    const QString refresh = r.string("refresh");
    if (!refresh.isEmpty()) {
        if (auto policy = refreshPolicyFromName(refresh))
            p.refresh = *policy;
        else
            r.fail("refresh", QStringLiteral("expected \"deferred\" or \"eager\""));
    }
    p.autostart = r.boolean("autostart");
    p.activeEnvironment = r.string("activeEnvironment");
    const QJsonArray envs = r.array("environments");
    for (qsizetype i = 0; i < envs.size(); ++i) {
        const QString envPath = r.childPath("environments", i);
        if (!envs.at(i).isObject()) {
            if (!error->has_value())
                *error = Error {ErrorCode::ConfigCorrupt,
                                envPath + QStringLiteral(": expected an object")};
            break;
        }
        p.environments << decodeEnvironment(Reader(envs.at(i).toObject(), envPath, error));
    }
    p.secretIndex = r.stringList("secrets");
    return p;
}

} // namespace

QJsonObject encode(const Config &config)
{
    QJsonObject root;
    root.insert(QLatin1String("schemaVersion"), kSchemaVersion);
    if (!config.currentProfileId.isEmpty())
        root.insert(QLatin1String("currentProfile"), config.currentProfileId);
    QJsonObject settings;
    settings.insert(QLatin1String("maxConcurrency"), config.settings.maxConcurrency);
    root.insert(QLatin1String("settings"), settings);
    QJsonArray profiles;
    for (const Profile &p : config.profiles)
        profiles.append(encodeProfile(p));
    root.insert(QLatin1String("profiles"), profiles);
    return root;
}

Result<Config> decode(const QJsonObject &json)
{
    std::optional<Error> error;
    const Reader root(json, QString(), &error);
    Config config;
    config.currentProfileId = root.string("currentProfile");
    const Reader settings(root.object("settings"), QStringLiteral("settings"), &error);
    const Settings defaults;
    config.settings.maxConcurrency = settings.integer("maxConcurrency", defaults.maxConcurrency);
    const QJsonArray profiles = root.array("profiles");
    for (qsizetype i = 0; i < profiles.size() && !error; ++i) {
        const QString path = root.childPath("profiles", i);
        if (!profiles.at(i).isObject()) {
            error = Error {ErrorCode::ConfigCorrupt, path + QStringLiteral(": expected an object")};
            break;
        }
        config.profiles << decodeProfile(Reader(profiles.at(i).toObject(), path, &error), &error);
    }
    if (error)
        return *error;
    return config;
}

} // namespace TokenTray::ConfigCodec
