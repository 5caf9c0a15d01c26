#include "ui/settings.h"

#include "core/store/safefile.h"
#include "core/util/logging.h"
#include "core/workspace/workspace.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMap>
#include <QRegularExpression>
#include <QSettings>
#include <QStandardPaths>

namespace TokenTray {

namespace {

const QString kAutostartFileName = QStringLiteral("org.tokentray.TokenTray.desktop");

// An Exec value (Desktop Entry spec, "The Exec key"): quoted when it has reserved characters,
// then escaped once more as a string value.
QString execValue(const QString &program)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9/._+-]+$"));
    if (plain.match(program).hasMatch())
        return program;
    QString quoted;
    for (const QChar c : program) {
        if (c == QLatin1Char('"') || c == QLatin1Char('`') || c == QLatin1Char('$')
            || c == QLatin1Char('\\'))
            quoted += QLatin1Char('\\');
        quoted += c;
    }
    quoted.replace(QLatin1Char('%'), QStringLiteral("%%"));
    quoted.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

// A value as QSettings's INI format reads it back: plain when it is, else quoted and escaped.
QString iniValueText(const QVariant &value)
{
    if (value.typeId() == QMetaType::QStringList) {
        QStringList items;
        for (const QString &item : value.toStringList())
            items << iniValueText(QVariant(item));
        return items.join(QStringLiteral(", "));
    }
    QString text = value.toString();
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_.:/+-]*$"));
    if (plain.match(text).hasMatch())
        return text;
    QString quoted = text;
    quoted.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
    quoted.replace(QLatin1Char('"'), QStringLiteral("\\\""));
    quoted.replace(QLatin1Char('\n'), QStringLiteral("\\n"));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

// "group/key" -> value, as the text of an INI file in QSettings's layout.
QByteArray iniText(const QMap<QString, QVariant> &values)
{
    QMap<QString, QStringList> sections;
    for (auto it = values.cbegin(); it != values.cend(); ++it) {
        const qsizetype slash = it.key().indexOf(QLatin1Char('/'));
        const QString section = slash < 0 ? QStringLiteral("General") : it.key().left(slash);
        QString name = it.key().mid(slash + 1);
        sections[section] << name.replace(QLatin1Char('/'), QLatin1Char('\\')) + QLatin1Char('=')
                + iniValueText(it.value());
    }
    QString text;
    for (auto it = sections.cbegin(); it != sections.cend(); ++it)
        text += QLatin1Char('[') + it.key() + QStringLiteral("]\n")
            + it.value().join(QLatin1Char('\n')) + QStringLiteral("\n\n");
    return text.toUtf8();
}

} // namespace

const QList<AppSettings::Spec> &AppSettings::keys()
{
    static const QList<Spec> table {
        {Key::ClipboardClearSeconds, "clipboard/clearAfterSeconds", 30, Storage::Ini},
        {Key::ConfirmProtectedCopy, "clipboard/confirmProtected", true, Storage::Ini},
        {Key::Notifications, "notifications/enabled", true, Storage::Ini},
        {Key::DefaultRefreshPolicy, "profiles/defaultRefreshPolicy",
         refreshPolicyName(RefreshPolicy::Deferred), Storage::Ini},
        {Key::MaxConcurrency, "maxConcurrency", 8, Storage::ProfilesJson},
        {Key::Autostart, "autostart", false, Storage::AutostartFile},
        {Key::Language, "ui/language", QString(), Storage::Ini},
    };
    return table;
}

AppSettings::Spec AppSettings::spec(Key key)
{
    for (const Spec &s : keys()) {
        if (s.key == key)
            return s;
    }
    Q_UNREACHABLE();
}

AppSettings::AppSettings(const QString &configDir, Workspace *workspace, QObject *parent)
    : QObject(parent)
    , m_path(QDir(configDir).filePath(QStringLiteral("settings.ini")))
    , m_workspace(workspace)
{
    // QSettings only parses the file, once: the values live here. A QSettings made again after
    // each write would share Qt's per-process cache of the file, which a rewrite of the same
    // size within the file system's timestamp granularity does not invalidate.
    const QSettings ini(m_path, QSettings::IniFormat);
    for (const QString &name : ini.allKeys())
        m_values.insert(name, ini.value(name));
}

AppSettings::~AppSettings() = default;

QString AppSettings::filePath() const
{
    return m_path;
}

QVariant AppSettings::iniValue(Key key) const
{
    const Spec s = spec(key);
    return m_values.value(QLatin1String(s.name), s.defaultValue);
}

void AppSettings::setIniValue(Key key, const QVariant &value)
{
    const Spec s = spec(key);
    if (m_values.value(QLatin1String(s.name), s.defaultValue) == value)
        return;
    // Not QSettings::setValue(): it writes through QSaveFile, whose commit() in Qt 6.4 ignores
    // a failed flush (a full disk truncates the file). The whole file is written checked; the
    // settings keep their old values when that fails.
    QMap<QString, QVariant> values = m_values;
    values.insert(QLatin1String(s.name), value);
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    if (auto written = writeFileAtomically(m_path, iniText(values),
                                           QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        !written) {
        qCWarning(lcStore).noquote() << "settings not saved:" << written.error().detail;
        return;
    }
    m_values = std::move(values);
    Q_EMIT changed(key);
}

int AppSettings::clipboardClearSeconds() const
{
    bool ok = false;
    const int seconds = iniValue(Key::ClipboardClearSeconds).toInt(&ok);
    if (!ok || seconds < 0 || seconds > kMaxClipboardClearSeconds) // hand-edited nonsense
        return spec(Key::ClipboardClearSeconds).defaultValue.toInt();
    return seconds;
}

void AppSettings::setClipboardClearSeconds(int seconds)
{
    setIniValue(Key::ClipboardClearSeconds, qBound(0, seconds, kMaxClipboardClearSeconds));
}

bool AppSettings::confirmProtectedCopy() const
{
    return iniValue(Key::ConfirmProtectedCopy).toBool();
}

void AppSettings::setConfirmProtectedCopy(bool confirm)
{
    setIniValue(Key::ConfirmProtectedCopy, confirm);
}

bool AppSettings::notificationsEnabled() const
{
    return iniValue(Key::Notifications).toBool();
}

void AppSettings::setNotificationsEnabled(bool enabled)
{
    setIniValue(Key::Notifications, enabled);
}

RefreshPolicy AppSettings::defaultRefreshPolicy() const
{
    return refreshPolicyFromName(iniValue(Key::DefaultRefreshPolicy).toString())
        .value_or(RefreshPolicy::Deferred);
}

void AppSettings::setDefaultRefreshPolicy(RefreshPolicy policy)
{
    setIniValue(Key::DefaultRefreshPolicy, refreshPolicyName(policy));
}

QStringList AppSettings::languages()
{
    return {QString(), QStringLiteral("en"), QStringLiteral("de")};
}

QString AppSettings::language() const
{
    const QString value = iniValue(Key::Language).toString();
    return languages().contains(value) ? value : QString();
}

void AppSettings::setLanguage(const QString &language)
{
    if (languages().contains(language))
        setIniValue(Key::Language, language);
}

int AppSettings::maxConcurrency() const
{
    if (m_workspace && !m_workspace->isReadOnly())
        return m_workspace->config().settings.maxConcurrency;
    return spec(Key::MaxConcurrency).defaultValue.toInt();
}

bool AppSettings::canSetMaxConcurrency() const
{
    return m_workspace && !m_workspace->isReadOnly();
}

Result<void> AppSettings::setMaxConcurrency(int value)
{
    if (!m_workspace)
        return Error {ErrorCode::ConfigReadOnly, QStringLiteral("no configuration is loaded")};
    if (value == maxConcurrency())
        return {};
    auto r = m_workspace->update([value](Config &config) -> Result<void> {
        config.settings.maxConcurrency = value;
        return {};
    });
    if (r)
        Q_EMIT changed(Key::MaxConcurrency);
    return r;
}

QString AppSettings::autostartFilePath()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation))
        .filePath(QStringLiteral("autostart/") + kAutostartFileName);
}

bool AppSettings::autostart() const
{
    return QFileInfo::exists(autostartFilePath());
}

Result<void> AppSettings::setAutostart(bool enabled)
{
    const QString path = autostartFilePath();
    if (!enabled) {
        if (QFileInfo::exists(path) && !QFile::remove(path))
            return Error {ErrorCode::ConfigIo, QStringLiteral("cannot remove ") + path};
        Q_EMIT changed(Key::Autostart);
        return {};
    }
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return Error {ErrorCode::ConfigIo,
                      QStringLiteral("cannot create ") + QFileInfo(path).absolutePath()};
    const QString program = m_autostartCommand.isEmpty() ? QCoreApplication::applicationFilePath()
                                                         : m_autostartCommand;
    const QString entry = QStringLiteral("[Desktop Entry]\n"
                                         "Type=Application\n"
                                         "Name=TokenTray\n"
                                         "Comment=Keep API tokens and cloud credentials fresh\n"
                                         "Exec=%1\n"
                                         "Icon=org.tokentray.TokenTray\n"
                                         "Terminal=false\n"
                                         "X-GNOME-Autostart-enabled=true\n")
                              .arg(execValue(program));
    if (auto written = writeFileAtomically(path, entry.toUtf8(),
                                           QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                               | QFileDevice::ReadGroup | QFileDevice::ReadOther);
        !written)
        return written;
    Q_EMIT changed(Key::Autostart);
    return {};
}

} // namespace TokenTray
