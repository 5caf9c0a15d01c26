// SleepWatcher against a real D-Bus: the session bus of the test desktop stands in for the
// system bus, and the test emits logind's PrepareForSleep signal itself.
#include "core/refresh/sleepwatcher.h"

#include <QDBusMessage>
#include <QSignalSpy>
#include <QTest>

using namespace TokenTray;

class tst_SleepWatcher : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void resumeIsReported();
    void noBusMeansNoWatching();
};

void tst_SleepWatcher::resumeIsReported()
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected())
        QSKIP("needs a D-Bus session bus (run through scripts/test)");
    SleepWatcher watcher(bus, QString());
    QVERIFY(watcher.isWatching());
    QSignalSpy resumed(&watcher, &SleepWatcher::resumed);
    QSignalSpy sleeping(&watcher, &SleepWatcher::aboutToSleep);

    auto emitPrepare = [&bus](bool start) {
        QDBusMessage signal = QDBusMessage::createSignal(
            QStringLiteral("/org/freedesktop/login1"),
            QStringLiteral("org.freedesktop.login1.Manager"), QStringLiteral("PrepareForSleep"));
        signal << start;
        QVERIFY(bus.send(signal));
    };
    emitPrepare(true);
    QVERIFY(sleeping.wait(5000));
    QCOMPARE(resumed.count(), 0);
    emitPrepare(false);
    QVERIFY(resumed.wait(5000));
    QCOMPARE(resumed.count(), 1);
    QCOMPARE(sleeping.count(), 1);
}

void tst_SleepWatcher::noBusMeansNoWatching()
{
    const QDBusConnection dead = QDBusConnection::connectToBus(
        QStringLiteral("unix:path=/nonexistent/bus"), QStringLiteral("tst-dead-bus"));
    SleepWatcher watcher(dead, QString());
    QVERIFY(!watcher.isWatching());
}

QTEST_GUILESS_MAIN(tst_SleepWatcher)
#include "tst_sleepwatcher.moc"
