#include "core/aws/awsimport.h"

#include "core/model/configedits.h"
#include "core/model/validation.h"

#include <QSet>

namespace TokenTray {
namespace {

using Status = AwsImportItem::Status;

const QString kAccessKeyId = QStringLiteral("aws_access_key_id");
const QString kSecretAccessKey = QStringLiteral("aws_secret_access_key");
const QString kSessionToken = QStringLiteral("aws_session_token");
const QString kSecurityToken = QStringLiteral("aws_security_token"); // botocore's older name
const QString kRoleArn = QStringLiteral("role_arn");
const QString kSourceProfile = QStringLiteral("source_profile");
const QString kMfaSerial = QStringLiteral("mfa_serial");
const QString kExternalId = QStringLiteral("external_id");
const QString kDuration = QStringLiteral("duration_seconds");
const QString kSessionName = QStringLiteral("role_session_name");
const QString kRegion = QStringLiteral("region");

// One value as read, with where it was read.
struct Value
{
    QString text;
    QString location;
    bool continued = false;
    bool strippedComment = false;
};

// One AWS profile: its config and credentials sections merged.
struct AwsProfile
{
    QString name;
    QString location; // of its first section
    QHash<QString, Value> values;
    QStringList keys; // in the order first seen
    QStringList nestedKeys;
    // Lines of each file that define it; two in one file make it ambiguous.
    QHash<const AwsIniFile *, QList<int>> sectionLines;
    QString problem; // when set, the whole profile is skipped with this reason
    QString problemLocation;

    [[nodiscard]] bool has(const QString &key) const { return values.contains(key); }
    [[nodiscard]] QString text(const QString &key) const { return values.value(key).text; }
    [[nodiscard]] QString where(const QString &key) const
    {
        return values.contains(key) ? values.value(key).location : location;
    }
    void setProblem(const QString &reason, const QString &at)
    {
        if (problem.isEmpty()) {
            problem = reason;
            problemLocation = at;
        }
    }
};

// One TokenTray profile the plan would add.
struct Unit
{
    enum class State { Pending, Planned, Skipped };
    QString name;
    qsizetype aws = -1; // index of its AWS profile
    ProfileKind kind = ProfileKind::AwsAccessKey;
    Environment env;
    QList<std::pair<QString, Secret>> secrets;
    QString location;
    State state = State::Pending;
    QString reason; // why it is skipped
    bool exists = false; // skipped because TokenTray already has a profile of that name
    qsizetype sourceUnit = -1; // roles: the planned unit their source is
    QString sourceNote;
};

struct Report
{
    QList<AwsImportItem> items;
    void add(Status status, const QString &profile, const QString &aws, const QString &message,
             const QString &location = QString())
    {
        items.append({status, profile, aws, message, location});
    }
};

// botocore splits "profile NAME" with shlex, so [profile "NAME"] names NAME.
QString unquoted(const QString &name)
{
    if (name.size() >= 2 && (name.front() == QLatin1Char('"') || name.front() == QLatin1Char('\''))
        && name.back() == name.front())
        return name.mid(1, name.size() - 2);
    return name;
}

bool isCleanValue(const QString &text)
{
    for (const QChar c : text) {
        if (c.isSpace() || c.category() == QChar::Other_Control)
            return false;
    }
    return true;
}

QString quoted(const QString &text)
{
    return QLatin1Char('"') + text + QLatin1Char('"');
}

class Planner
{
public:
    Planner(const AwsIniFile &config, const AwsIniFile &credentials, const Config &existing)
        : m_config(config)
        , m_credentials(credentials)
        , m_existing(existing)
    {
    }

    AwsImportPlan run();

private:
    AwsProfile &profileNamed(const QString &name, const QString &location);
    void attach(const AwsIniFile &file, const AwsIniSection &section, const QString &name);
    void readConfigFile();
    void readCredentialsFile();
    void reportDiagnostics(const AwsIniFile &file);
    void classify(qsizetype index);
    qsizetype addUnit(Unit unit);
    void resolveRoles();
    // A role unit's source: a decided unit (Ready), a role to decide first (Follow), or a
    // reason it cannot be imported (Fail). *source is the source unit for Ready and Follow.
    enum class Lookup { Ready, Follow, Fail };
    Lookup lookupSource(qsizetype role, qsizetype *source, QString *reason) const;
    void decideRole(qsizetype role);
    void skip(qsizetype unit, const QString &reason);
    AwsImportPlan assemble();

    const AwsIniFile &m_config;
    const AwsIniFile &m_credentials;
    const Config &m_existing;
    Report m_report;
    QList<AwsProfile> m_profiles;
    QHash<QString, qsizetype> m_profileIndex;
    QList<Unit> m_units;
    QHash<qsizetype, qsizetype> m_keysUnit; // AWS profile -> its aws-access-key unit
    QHash<qsizetype, qsizetype> m_roleUnit; // AWS profile -> its aws-assume-role unit
    QHash<qsizetype, QString> m_skipped; // AWS profiles skipped as a whole -> reason
    QHash<qsizetype, QList<AwsImportItem>> m_extra; // warnings and notes per AWS profile
};

AwsProfile &Planner::profileNamed(const QString &name, const QString &location)
{
    if (const auto it = m_profileIndex.constFind(name); it != m_profileIndex.cend())
        return m_profiles[*it];
    m_profileIndex.insert(name, m_profiles.size());
    AwsProfile profile;
    profile.name = name;
    profile.location = location;
    m_profiles.append(profile);
    return m_profiles.last();
}

void Planner::attach(const AwsIniFile &file, const AwsIniSection &section, const QString &name)
{
    AwsProfile &profile = profileNamed(name, file.location(section.line));
    QList<int> &lines = profile.sectionLines[&file];
    lines.append(section.line);
    if (lines.size() > 1) {
        QStringList numbers;
        for (int line : std::as_const(lines))
            numbers << QString::number(line);
        profile.problem.clear();
        profile.setProblem(QStringLiteral("it is defined more than once in ") + file.fileName
                               + QStringLiteral(" (lines ") + numbers.join(QStringLiteral(", "))
                               + QStringLiteral("), which the AWS tools refuse; merge them first"),
                           file.location(section.line));
    }
    if (!section.duplicateKeys.isEmpty()) {
        const QString key = section.duplicateKeys.first();
        profile.setProblem(
            (isPlainAwsKey(key) ? QStringLiteral("key ") + key : QStringLiteral("a key"))
                + QStringLiteral(" is set more than once in its section, which "
                                 "the AWS tools refuse"),
            file.location(section.line));
    }
    if (!section.unreadableLines.isEmpty())
        profile.setProblem(QStringLiteral("a line of its section could not be read"),
                           file.location(section.unreadableLines.first()));
    for (const AwsIniEntry &entry : section.entries) {
        if (entry.hasNestedBlock) {
            if (!profile.nestedKeys.contains(entry.key))
                profile.nestedKeys << entry.key;
            continue;
        }
        if (!profile.keys.contains(entry.key))
            profile.keys << entry.key;
        profile.values.insert(
            entry.key,
            {entry.value, file.location(entry.line), entry.isContinued(), entry.strippedComment});
    }
}

void Planner::readConfigFile()
{
    for (const AwsIniSection &section : m_config.sections) {
        const QString at = m_config.location(section.line);
        if (section.prefix.isEmpty()) {
            if (section.name == QLatin1String("default")) {
                attach(m_config, section, section.name);
                continue;
            }
            m_report.add(Status::Note, QString(), QString(),
                         QStringLiteral("section [") + section.header
                             + QStringLiteral("] is not a profile (the config file writes "
                                              "profiles as [profile NAME]); ignored"),
                         at);
        } else if (section.prefix == QLatin1String("profile")) {
            attach(m_config, section, unquoted(section.name));
        } else if (section.prefix == QLatin1String("sso-session")) {
            m_report.add(Status::Skipped, section.header, QString(),
                         QStringLiteral("IAM Identity Center (SSO) sessions are not imported"), at);
        } else {
            m_report.add(Status::Note, QString(), QString(),
                         QStringLiteral("section [") + section.header
                             + QStringLiteral("] is not a profile; ignored"),
                         at);
        }
    }
}

void Planner::readCredentialsFile()
{
    for (const AwsIniSection &section : m_credentials.sections) {
        if (section.prefix == QLatin1String("profile")) {
            m_report.add(Status::Note, QString(), QString(),
                         QStringLiteral("section [") + section.header
                             + QStringLiteral("] is not read as profile ") + section.name
                             + QStringLiteral(" by the AWS tools (the credentials file names "
                                              "profiles without \"profile\": [")
                             + section.name + QStringLiteral("]); ignored"),
                         m_credentials.location(section.line));
            continue;
        }
        // botocore takes a credentials section's header as the profile name, as it is.
        attach(m_credentials, section, section.header);
    }
}

void Planner::reportDiagnostics(const AwsIniFile &file)
{
    for (const AwsIniDiagnostic &d : file.diagnostics) {
        const Status status = d.severity == AwsIniDiagnostic::Severity::Error ? Status::Error
            : d.severity == AwsIniDiagnostic::Severity::Warning               ? Status::Warning
                                                                              : Status::Note;
        m_report.add(status, QString(), QString(), d.message, file.location(d.line));
    }
}

qsizetype Planner::addUnit(Unit unit)
{
    if (auto r = validateName(QStringLiteral("profile"), unit.name); !r) {
        unit.state = Unit::State::Skipped;
        unit.reason = r.error().detail;
    } else if (m_existing.profileByName(unit.name)) {
        unit.state = Unit::State::Skipped;
        unit.exists = true;
        unit.reason = QStringLiteral("TokenTray already has a profile named ") + quoted(unit.name)
            + QStringLiteral(" (left as it is)");
    } else if (unit.kind == ProfileKind::AwsAccessKey) {
        unit.state = Unit::State::Planned;
    }
    m_units.append(unit);
    return m_units.size() - 1;
}

void Planner::classify(qsizetype index)
{
    const AwsProfile &p = m_profiles.at(index);
    auto skipProfile = [&](const QString &reason, const QString &at) {
        m_skipped.insert(index, reason);
        m_report.add(Status::Skipped, p.name, p.name, reason, at);
    };
    if (!p.problem.isEmpty())
        return skipProfile(p.problem, p.problemLocation);

    for (const QString &key : p.keys) {
        if (key.startsWith(QLatin1String("sso_")))
            return skipProfile(QStringLiteral("it signs in with IAM Identity Center (") + key
                                   + QStringLiteral("), which TokenTray does not import"),
                               p.where(key));
    }
    const std::pair<QString, const char *> unsupported[] = {
        {QStringLiteral("web_identity_token_file"),
         "it assumes a role with a web identity token (web_identity_token_file), which TokenTray "
         "does not import"},
        {QStringLiteral("credential_process"),
         "it runs a credential_process, which TokenTray does not import"},
        {QStringLiteral("credential_source"),
         "it takes its source credentials from credential_source (EC2, ECS or environment), "
         "which TokenTray cannot use"},
    };
    for (const auto &[key, reason] : unsupported) {
        if (p.has(key))
            return skipProfile(QString::fromLatin1(reason), p.where(key));
    }

    // Every value TokenTray takes must be one plain word on one line.
    const QStringList mapped
        = {kAccessKeyId, kSecretAccessKey, kSessionToken, kSecurityToken, kRoleArn, kSourceProfile,
           kMfaSerial,   kExternalId,      kDuration,     kSessionName,   kRegion};
    for (const QString &key : mapped) {
        if (!p.has(key))
            continue;
        const Value &v = p.values.value(key);
        if (v.continued || !isCleanValue(v.text))
            return skipProfile(key + QStringLiteral(" has spaces or continues on the next line"),
                               v.location);
    }

    const bool hasKeyId = p.has(kAccessKeyId) && !p.text(kAccessKeyId).isEmpty();
    const bool hasSecretKey = p.has(kSecretAccessKey) && !p.text(kSecretAccessKey).isEmpty();
    const bool hasKeys = p.has(kAccessKeyId) || p.has(kSecretAccessKey);
    if (hasKeys && !hasKeyId && !hasSecretKey)
        return skipProfile(QStringLiteral("its aws_access_key_id and aws_secret_access_key are "
                                          "empty"),
                           p.where(kAccessKeyId));
    if (hasKeys && (!hasKeyId || !hasSecretKey))
        return skipProfile(QStringLiteral("it has ") + (hasKeyId ? kAccessKeyId : kSecretAccessKey)
                               + QStringLiteral(" but no ")
                               + (hasKeyId ? kSecretAccessKey : kAccessKeyId),
                           p.where(hasKeyId ? kAccessKeyId : kSecretAccessKey));
    const bool hasRole = p.has(kRoleArn);

    if (!hasKeys && !hasRole) {
        QStringList named;
        for (const QString &key : p.keys + p.nestedKeys) {
            if (isPlainAwsKey(key) && named.size() < 6)
                named << key;
        }
        return skipProfile(named.isEmpty()
                               ? QStringLiteral("nothing to import: the profile has no settings")
                               : QStringLiteral("nothing to import: no keys and no role_arn, only ")
                                   + named.join(QStringLiteral(", ")),
                           p.location);
    }

    Environment env;
    env.name = kAwsImportEnvironment;
    QList<AwsImportItem> &extra = m_extra[index];
    if (p.has(kRegion) && !p.text(kRegion).isEmpty()) {
        if (auto r = validateRegion(p.text(kRegion)); r)
            env.region = p.text(kRegion);
        else
            extra.append({Status::Warning, p.name, p.name,
                          r.error().detail + QStringLiteral("; imported without a region"),
                          p.where(kRegion)});
    }

    Environment roleEnv = env;
    if (hasRole) {
        if (auto r = validateRoleArn(p.text(kRoleArn)); !r)
            return skipProfile(r.error().detail, p.where(kRoleArn));
        if (p.text(kSourceProfile).isEmpty())
            return skipProfile(QStringLiteral("it has role_arn but no source_profile"),
                               p.where(kRoleArn));
        roleEnv.roleArn = p.text(kRoleArn);
        roleEnv.sourceProfile = p.text(kSourceProfile); // the AWS name until resolved
        roleEnv.mfaSerial = p.text(kMfaSerial);
        roleEnv.externalId = p.text(kExternalId);
        roleEnv.sessionName = p.text(kSessionName);
        if (!roleEnv.sessionName.isEmpty()) {
            if (auto r = validateSessionName(roleEnv.sessionName); !r)
                return skipProfile(r.error().detail, p.where(kSessionName));
        }
        if (p.has(kDuration) && !p.text(kDuration).isEmpty()) {
            bool ok = false;
            roleEnv.durationSeconds = p.text(kDuration).toInt(&ok);
            if (!ok || roleEnv.durationSeconds == 0)
                return skipProfile(QStringLiteral("duration_seconds is not a number of seconds"),
                                   p.where(kDuration));
            if (auto r = validateDurationSeconds(roleEnv.durationSeconds); !r)
                return skipProfile(r.error().detail, p.where(kDuration));
        }
    }

    QStringList used = {kRegion};
    if (hasKeys) {
        used << kAccessKeyId << kSecretAccessKey << kSessionToken << kSecurityToken;
        Unit keys;
        keys.aws = index;
        keys.kind = ProfileKind::AwsAccessKey;
        keys.name = hasRole ? p.name + QStringLiteral("-keys") : p.name;
        keys.location = p.where(kAccessKeyId);
        keys.env = env; // mfa_serial without role_arn means nothing to STS: noted as unused
        keys.secrets.append({kAccessKeyId, Secret::fromUtf8(p.text(kAccessKeyId))});
        keys.secrets.append({kSecretAccessKey, Secret::fromUtf8(p.text(kSecretAccessKey))});
        const QString tokenKey = !p.text(kSessionToken).isEmpty() ? kSessionToken
            : !p.text(kSecurityToken).isEmpty()                   ? kSecurityToken
                                                                  : QString();
        if (!tokenKey.isEmpty()) {
            keys.secrets.append({kSessionToken, Secret::fromUtf8(p.text(tokenKey))});
            extra.append({Status::Warning, keys.name, p.name,
                          QStringLiteral("temporary keys (") + tokenKey
                              + QStringLiteral("): they expire and TokenTray cannot renew them"),
                          p.where(tokenKey)});
        }
        if (hasRole && m_profileIndex.contains(keys.name)) {
            Unit clash = keys;
            clash.state = Unit::State::Skipped;
            clash.reason = QStringLiteral("the keys of ") + p.name
                + QStringLiteral(" would be imported as ") + keys.name
                + QStringLiteral(", but that is another AWS profile's name");
            m_units.append(clash);
            m_keysUnit.insert(index, m_units.size() - 1);
        } else {
            m_keysUnit.insert(index, addUnit(keys));
        }
    }
    if (hasRole) {
        used << kRoleArn << kSourceProfile << kMfaSerial << kExternalId << kDuration
             << kSessionName;
        Unit role;
        role.aws = index;
        role.kind = ProfileKind::AwsAssumeRole;
        role.name = p.name;
        role.location = p.where(kRoleArn);
        role.env = roleEnv;
        m_roleUnit.insert(index, addUnit(role));
        if (hasKeys) {
            const QString keysName = m_units.at(m_keysUnit.value(index)).name;
            extra.append(
                {Status::Note, p.name, p.name,
                 roleEnv.sourceProfile == p.name
                     ? QStringLiteral("it has keys and a role that uses them (source_profile is "
                                      "itself): the keys become ")
                         + keysName + QStringLiteral(", the role ") + p.name
                     : QStringLiteral("it has keys and a role: the role becomes ") + p.name
                         + QStringLiteral("; the keys, which the AWS tools use when another "
                                          "profile names it as source_profile, become ")
                         + keysName,
                 p.location});
        }
    } else if (p.has(kSourceProfile)) {
        extra.append({Status::Note, p.name, p.name,
                      QStringLiteral("source_profile without role_arn means nothing; ignored"),
                      p.where(kSourceProfile)});
        used << kSourceProfile;
    }

    for (const QString &key : mapped) {
        if (used.contains(key) && p.has(key) && p.values.value(key).strippedComment)
            extra.append({Status::Note, p.name, p.name,
                          QStringLiteral("the text after \" #\" or \" ;\" in ") + key
                              + QStringLiteral(" was read as a comment (the AWS SDKs do; "
                                               "botocore keeps it in the value)"),
                          p.where(key)});
    }
    QStringList ignored;
    int unnamed = 0;
    for (const QString &key : p.keys) {
        if (used.contains(key))
            continue;
        if (isPlainAwsKey(key))
            ignored << key;
        else
            ++unnamed;
    }
    for (const QString &key : p.nestedKeys) {
        if (isPlainAwsKey(key))
            ignored << key + QStringLiteral(" (nested)");
        else
            ++unnamed;
    }
    if (unnamed > 0)
        ignored << QStringLiteral("%1 more").arg(unnamed);
    if (!ignored.isEmpty())
        extra.append({Status::Note, p.name, p.name,
                      QStringLiteral("settings TokenTray does not use: ")
                          + ignored.join(QStringLiteral(", ")),
                      p.location});
}

void Planner::skip(qsizetype unit, const QString &reason)
{
    m_units[unit].state = Unit::State::Skipped;
    m_units[unit].reason = reason;
}

Planner::Lookup Planner::lookupSource(qsizetype role, qsizetype *sourceUnit, QString *reason) const
{
    const Unit &unit = m_units.at(role);
    const AwsProfile &own = m_profiles.at(unit.aws);
    const QString sourceName = unit.env.sourceProfile;
    qsizetype provider = -1;
    if (sourceName == own.name) {
        // botocore allows a profile to name itself when it has its own keys.
        provider = m_keysUnit.value(unit.aws, -1);
        if (provider < 0) {
            *reason = QStringLiteral("source_profile loop: ") + own.name + QStringLiteral(" -> ")
                + own.name + QStringLiteral(" (it has no keys of its own)");
            return Lookup::Fail;
        }
    } else {
        const auto it = m_profileIndex.constFind(sourceName);
        if (it == m_profileIndex.cend()) {
            *reason = QStringLiteral("source_profile ") + quoted(sourceName)
                + QStringLiteral(" is not a profile in either file");
            return Lookup::Fail;
        }
        // As a source, a profile with keys gives its keys (even when it also has a role).
        provider = m_keysUnit.value(*it, m_roleUnit.value(*it, -1));
        if (provider < 0) {
            *reason = QStringLiteral("its source profile ") + sourceName
                + QStringLiteral(" is not imported");
            return Lookup::Fail;
        }
    }
    const Unit &source = m_units.at(provider);
    QString sourceText = QStringLiteral("its source profile ") + sourceName;
    if (source.name != sourceName)
        sourceText += QStringLiteral(" (as ") + source.name + QLatin1Char(')');
    *sourceUnit = provider;
    switch (source.state) {
    case Unit::State::Pending:
        return Lookup::Follow;
    case Unit::State::Planned:
        return Lookup::Ready;
    case Unit::State::Skipped:
        if (source.exists) {
            const Profile *existing = m_existing.profileByName(source.name);
            if (existing && existing->kind == source.kind)
                return Lookup::Ready;
            *reason = sourceText
                + QStringLiteral(" exists in TokenTray as a different kind of profile");
            return Lookup::Fail;
        }
        *reason = sourceText + QStringLiteral(" is not imported");
        return Lookup::Fail;
    }
    return Lookup::Fail;
}

void Planner::decideRole(qsizetype role)
{
    qsizetype source = -1;
    QString reason;
    switch (lookupSource(role, &source, &reason)) {
    case Lookup::Ready: {
        Unit &unit = m_units[role];
        const Unit &from = m_units.at(source);
        unit.env.sourceProfile = from.name;
        if (from.exists)
            unit.sourceNote
                = QStringLiteral("its source is the existing TokenTray profile ") + from.name;
        else
            unit.sourceUnit = source;
        unit.state = Unit::State::Planned;
        return;
    }
    case Lookup::Fail:
        return skip(role, reason);
    case Lookup::Follow:
        // Only called once the source is decided.
        return skip(role, QStringLiteral("its source could not be resolved"));
    }
}

// Each role has one source, so the roles form chains; each chain is walked once, to its first
// decided unit (or back onto itself: a loop), then decided from its end back to its start.
void Planner::resolveRoles()
{
    for (qsizetype start = 0; start < m_units.size(); ++start) {
        if (m_units.at(start).state != Unit::State::Pending)
            continue;
        QList<qsizetype> path {start};
        QSet<qsizetype> onPath {start};
        for (;;) {
            qsizetype next = -1;
            QString reason;
            if (lookupSource(path.last(), &next, &reason) != Lookup::Follow)
                break;
            if (onPath.contains(next)) {
                const qsizetype from = path.indexOf(next);
                QStringList names;
                for (qsizetype i = from; i < path.size(); ++i)
                    names << m_profiles.at(m_units.at(path.at(i)).aws).name;
                names << names.first();
                const QString loop
                    = QStringLiteral("source_profile loop: ") + names.join(QStringLiteral(" -> "));
                for (qsizetype i = from; i < path.size(); ++i)
                    skip(path.at(i), loop);
                break;
            }
            path.append(next);
            onPath.insert(next);
        }
        for (qsizetype i = path.size() - 1; i >= 0; --i) {
            if (m_units.at(path.at(i)).state == Unit::State::Pending)
                decideRole(path.at(i));
        }
    }
}

AwsImportPlan Planner::assemble()
{
    AwsImportPlan plan;
    plan.report = m_report.items;

    // Report, per AWS profile in file order.
    QHash<qsizetype, QList<qsizetype>> unitsOf;
    for (qsizetype u = 0; u < m_units.size(); ++u)
        unitsOf[m_units.at(u).aws].append(u);
    for (qsizetype a = 0; a < m_profiles.size(); ++a) {
        if (m_skipped.contains(a))
            continue; // reported when classified
        QSet<QString> notPlanned; // warnings and notes about these are moot
        for (qsizetype u : unitsOf.value(a)) {
            const Unit &unit = m_units.at(u);
            if (unit.state != Unit::State::Planned) {
                notPlanned.insert(unit.name);
                plan.report.append({Status::Skipped, unit.name, m_profiles.at(a).name, unit.reason,
                                    unit.location});
                continue;
            }
            QString what = kindName(unit.kind);
            if (unit.kind == ProfileKind::AwsAssumeRole)
                what += QStringLiteral(", role ") + unit.env.roleArn + QStringLiteral(", source ")
                    + unit.env.sourceProfile;
            else
                what += QStringLiteral(", %1 keychain items").arg(unit.secrets.size());
            plan.report.append(
                {Status::Imported, unit.name, m_profiles.at(a).name, what, unit.location});
            if (!unit.sourceNote.isEmpty())
                plan.report.append({Status::Note, unit.name, m_profiles.at(a).name, unit.sourceNote,
                                    unit.location});
        }
        if (notPlanned.size() == unitsOf.value(a).size())
            continue;
        for (const AwsImportItem &item : m_extra.value(a)) {
            if (!notPlanned.contains(item.profile))
                plan.report.append(item);
        }
    }
    // Classification skipped ones were reported in order of classification, which is file
    // order too, but before the others: move every profile's lines into file order.
    {
        QList<AwsImportItem> files;
        QHash<QString, QList<AwsImportItem>> byProfile;
        for (const AwsImportItem &item : std::as_const(plan.report)) {
            if (item.awsProfile.isEmpty())
                files << item;
            else
                byProfile[item.awsProfile] << item;
        }
        plan.report = files;
        for (const AwsProfile &p : std::as_const(m_profiles))
            plan.report += byProfile.value(p.name);
    }

    // Profiles: each source before the roles using it.
    QSet<qsizetype> emitted;
    for (qsizetype u = 0; u < m_units.size(); ++u) {
        QList<qsizetype> chain;
        for (qsizetype c = u;
             c >= 0 && !emitted.contains(c) && m_units.at(c).state == Unit::State::Planned;
             c = m_units.at(c).sourceUnit) {
            chain.prepend(c);
            emitted.insert(c);
        }
        for (qsizetype c : std::as_const(chain)) {
            const Unit &unit = m_units.at(c);
            Profile profile;
            profile.name = unit.name;
            profile.kind = unit.kind;
            profile.grant = Grant::None;
            profile.activeEnvironment = unit.env.name;
            profile.environments = {unit.env};
            plan.profiles.append(profile);
            for (const auto &[name, value] : unit.secrets)
                plan.secrets.append({unit.name, unit.env.name, name, value});
        }
    }
    return plan;
}

AwsImportPlan Planner::run()
{
    reportDiagnostics(m_config);
    reportDiagnostics(m_credentials);
    readConfigFile();
    readCredentialsFile();
    for (qsizetype i = 0; i < m_profiles.size(); ++i)
        classify(i);
    resolveRoles();
    return assemble();
}

} // namespace

qsizetype AwsImportPlan::count(AwsImportItem::Status status) const
{
    qsizetype n = 0;
    for (const AwsImportItem &item : report)
        n += item.status == status ? 1 : 0;
    return n;
}

const Profile *AwsImportPlan::profile(const QString &name) const
{
    for (const Profile &p : profiles) {
        if (p.name == name)
            return &p;
    }
    return nullptr;
}

QStringList AwsImportPlan::secretNames(const QString &profileName) const
{
    QStringList names;
    for (const AwsImportSecret &s : secrets) {
        if (s.profile == profileName)
            names << s.name;
    }
    return names;
}

AwsImportPlan planAwsImport(const AwsIniFile &config, const AwsIniFile &credentials,
                            const Config &existing)
{
    return Planner(config, credentials, existing).run();
}

Result<QHash<QString, QString>> addImportedProfiles(Config &config, const AwsImportPlan &plan)
{
    Config edited = config;
    QHash<QString, QString> ids;
    for (const Profile &profile : plan.profiles) {
        auto id = addProfile(edited, profile);
        if (!id)
            return id.error();
        QStringList entries;
        for (const QString &name : plan.secretNames(profile.name))
            entries << secretIndexEntry(profile.activeEnvironment, name);
        if (auto r = indexSecrets(edited, *id, entries); !r)
            return r.error();
        ids.insert(profile.name, *id);
    }
    config = std::move(edited);
    return ids;
}

QString awsImportStatusName(AwsImportItem::Status status)
{
    switch (status) {
    case Status::Imported:
        return QStringLiteral("imported");
    case Status::Skipped:
        return QStringLiteral("skipped");
    case Status::Warning:
        return QStringLiteral("warning");
    case Status::Note:
        return QStringLiteral("note");
    case Status::Error:
        return QStringLiteral("error");
    }
    return {};
}

} // namespace TokenTray
