#include "core/refresh/sleepwatcher.h"

#include "core/util/logging.h"

namespace TokenTray {

SleepWatcher::SleepWatcher(const QDBusConnection &bus, const QString &service, QObject *parent)
    : QObject(parent)
{
    QDBusConnection connection = bus;
    if (!connection.isConnected())
        return;
    // QtDBus's connect() needs a slot name; this is the only string-based connection in core.
    m_watching = connection.connect(service, QStringLiteral("/org/freedesktop/login1"),
                                    QStringLiteral("org.freedesktop.login1.Manager"),
                                    QStringLiteral("PrepareForSleep"), this,
                                    SLOT(onPrepareForSleep(bool)));
    qCDebug(lcRefresh) << "watching for resume from sleep:" << m_watching;
}

void SleepWatcher::onPrepareForSleep(bool sleeping)
{
    qCInfo(lcRefresh) << (sleeping ? "the system is going to sleep" : "the system woke up");
    if (sleeping)
        Q_EMIT aboutToSleep();
    else
        Q_EMIT resumed();
}

} // namespace TokenTray
