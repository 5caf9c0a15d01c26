#pragma once

#include <QObject>
#include <QPointer>

namespace TokenTray {

class PersistJob;
class SecretStore;
class TokenEngine;

// Ends a long-running process (the tray app, the headless agent) without losing what is still on
// its way to the keychain. Quitting the event loop at once would leave those keychain jobs
// unfinished, since they need the loop: request() (Quit, SIGTERM/SIGINT/SIGHUP, the desktop
// session ending) first runs a PersistJob, then quits, at the latest at its deadline.
class GracefulQuit final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GracefulQuit)
public:
    GracefulQuit(TokenEngine *engine, SecretStore *secrets, QObject *parent = nullptr);
    ~GracefulQuit() override;

    void setTimeout(int msecs) { m_timeoutMs = msecs; }
    [[nodiscard]] bool isRequested() const { return m_requested; }

public Q_SLOTS:
    void request();

Q_SIGNALS:
    // Just before the event loop is told to quit; unsaved: values that stayed in memory only.
    void persisted(int unsaved);

private:
    void onPersisted();

    QPointer<TokenEngine> m_engine;
    QPointer<SecretStore> m_secrets;
    PersistJob *m_job = nullptr;
    int m_timeoutMs;
    bool m_requested = false;
};

} // namespace TokenTray
