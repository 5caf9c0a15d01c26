#pragma once

#include <QDBusConnection>
#include <QObject>

namespace TokenTray {

// Tells when the machine wakes from suspend (logind's PrepareForSleep(false) on the system
// bus), so the token engine re-evaluates every state at once instead of at its next heartbeat.
// Where there is no logind the heartbeat alone covers it.
class SleepWatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SleepWatcher)
public:
    // `service` empty accepts the signal from any sender (tests emit it on a private bus).
    explicit SleepWatcher(const QDBusConnection &bus = QDBusConnection::systemBus(),
                          const QString &service = QStringLiteral("org.freedesktop.login1"),
                          QObject *parent = nullptr);
    [[nodiscard]] bool isWatching() const { return m_watching; }

Q_SIGNALS:
    void aboutToSleep();
    void resumed();

private Q_SLOTS:
    void onPrepareForSleep(bool sleeping);

private:
    bool m_watching = false;
};

} // namespace TokenTray
