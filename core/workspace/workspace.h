#pragma once

#include "core/model/config.h"
#include "core/refresh/tokenstate.h"
#include "core/util/result.h"

#include <QList>
#include <QObject>
#include <QString>

#include <array>
#include <functional>

class QFileSystemWatcher;
class QTimer;

namespace TokenTray {

class ProfileStore;
class TokenEngine;
class Clock;

// How bad a state looks at a glance (the tray icon's colour).
enum class Severity { None, Good, Locked, Warning, Critical };
Severity severityOf(TokenState state);

// What the desktop app works on: the config (reloaded when another process such as the CLI
// changes profiles.json), the token engine, and the edits the UI makes. UI code stays thin:
// every rule lives here, tested without widgets.
class Workspace final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Workspace)
public:
    Workspace(ProfileStore *store, TokenEngine *engine, const Clock *clock,
              QObject *parent = nullptr);
    ~Workspace() override;

    // Loads profiles.json and starts watching it. A failure leaves the workspace read-only with
    // the error available from loadError(); the app keeps running.
    Result<void> load();
    // Re-reads profiles.json now if it changed since the last read (the file watcher does it
    // too, a moment later): the agent calls it before each client request, so it is one stat()
    // when nothing changed.
    void reload();
    [[nodiscard]] const Config &config() const { return m_config; }
    [[nodiscard]] bool isReadOnly() const { return m_loadError.has_value(); }
    [[nodiscard]] std::optional<Error> loadError() const { return m_loadError; }

    using Change = std::function<Result<void>(Config &)>;
    using Done = std::function<void(const Result<void> &)>;
    // Edits run under the config lock on the newest file contents, are validated and saved. The
    // GUI thread never waits on the lock: while another process holds it, update() fails at once
    // with "busy" (ConfigIo), and updateSoon() tries again a few times with backoff before it
    // reports that. `done` runs exactly once, never before updateSoon() returns, and not after
    // `context` is gone.
    Result<void> update(const Change &change);
    void updateSoon(Change change, QObject *context, Done done);
    // Switches through updateSoon(); `switched` on success, then `done`.
    void switchTo(const QString &profileName, const QString &envName, QObject *context, Done done);
    // Milliseconds between the tries of updateSoon() (a test shortens them).
    void setLockRetryDelays(const QList<int> &delaysMs) { m_lockRetryDelays = delaysMs; }

    [[nodiscard]] TokenState state(const QString &profileId, const QString &env) const;
    // The worst state among every profile's active environment, for the tray icon.
    [[nodiscard]] TokenState overallState() const;
    [[nodiscard]] Severity overallSeverity() const;
    // Whether the current profile's active environment is protected (PROD).
    [[nodiscard]] bool currentIsProtected() const;
    // Seconds until the credential of (profile, env) expires; nullopt without an expiring one.
    [[nodiscard]] std::optional<qint64> secondsLeft(const QString &profileId,
                                                    const QString &env) const;
    [[nodiscard]] TokenEngine *engine() const { return m_engine; }

Q_SIGNALS:
    void configChanged();
    void stateChanged(const QString &profileId, const QString &env, TokenTray::TokenState state);
    void overallChanged();
    // The current profile or an active environment was switched (from any front end).
    void switched(const QString &profileName, const QString &env);

private:
    void reloadFromDisk();
    void apply(const Config &config);
    void tryUpdate(const Change &change, QObject *context, const Done &done, int attempt);

    ProfileStore *m_store;
    TokenEngine *m_engine;
    const Clock *m_clock;
    Config m_config;
    std::optional<Error> m_loadError;
    // profiles.json as last read: inode (QSaveFile renames a new file over it), mtime, size.
    std::array<qint64, 3> m_stamp {-1, -1, -1};
    QFileSystemWatcher *m_watcher;
    QTimer *m_reloadDelay;
    QList<int> m_lockRetryDelays {100, 200, 400, 800, 1600};
};

} // namespace TokenTray
