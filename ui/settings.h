#pragma once

#include "core/model/kinds.h"
#include "core/util/result.h"

#include <QMap>
#include <QObject>
#include <QVariant>

namespace TokenTray {

class Workspace;

// The desktop app's preferences, typed, over one key table with defaults (DESIGN §3). Most live
// in settings.ini beside profiles.json; maxConcurrency is shared with the CLI and lives in
// profiles.json (written through Workspace::update); autostart is the XDG autostart entry
// itself. (Named AppSettings: TokenTray::Settings is profiles.json's settings block.)
class AppSettings final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AppSettings)
public:
    enum class Key {
        ClipboardClearSeconds, // int, 0 = never
        ConfirmProtectedCopy, // bool
        Notifications, // bool
        DefaultRefreshPolicy, // RefreshPolicy of new profiles
        MaxConcurrency, // int, profiles.json
        Autostart, // bool, the autostart .desktop file
        Language, // "" = the system's, "en", "de"
    };
    Q_ENUM(Key)

    enum class Storage { Ini, ProfilesJson, AutostartFile };

    struct Spec
    {
        Key key;
        const char *name; // the INI key (or profiles.json's settings key)
        QVariant defaultValue;
        Storage storage;
    };
    // Every setting, its default and where it is kept.
    static const QList<Spec> &keys();
    static Spec spec(Key key);

    static constexpr int kMaxClipboardClearSeconds = 3600;

    // `configDir` holds settings.ini. Without a workspace, maxConcurrency is read-only (default).
    explicit AppSettings(const QString &configDir, Workspace *workspace = nullptr,
                         QObject *parent = nullptr);
    ~AppSettings() override;

    [[nodiscard]] QString filePath() const;

    [[nodiscard]] int clipboardClearSeconds() const;
    void setClipboardClearSeconds(int seconds);
    [[nodiscard]] bool confirmProtectedCopy() const;
    void setConfirmProtectedCopy(bool confirm);
    [[nodiscard]] bool notificationsEnabled() const;
    void setNotificationsEnabled(bool enabled);
    [[nodiscard]] RefreshPolicy defaultRefreshPolicy() const;
    void setDefaultRefreshPolicy(RefreshPolicy policy);
    [[nodiscard]] QString language() const;
    void setLanguage(const QString &language); // "", "en" or "de"; others are ignored
    static QStringList languages();

    [[nodiscard]] int maxConcurrency() const;
    [[nodiscard]] bool canSetMaxConcurrency() const;
    Result<void> setMaxConcurrency(int value);

    // $XDG_CONFIG_HOME/autostart/org.tokentray.TokenTray.desktop
    static QString autostartFilePath();
    [[nodiscard]] bool autostart() const;
    Result<void> setAutostart(bool enabled);
    // The command the autostart entry runs; the running executable unless set.
    void setAutostartCommand(const QString &program) { m_autostartCommand = program; }

Q_SIGNALS:
    void changed(TokenTray::AppSettings::Key key);

private:
    [[nodiscard]] QVariant iniValue(Key key) const;
    void setIniValue(Key key, const QVariant &value);

    QString m_path;
    QMap<QString, QVariant> m_values; // "group/key" -> value, as last read or written

    Workspace *m_workspace;
    QString m_autostartCommand;
};

} // namespace TokenTray
