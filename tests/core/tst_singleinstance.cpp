#include "core/ipc/singleinstance.h"

#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace TokenTray;

class tst_SingleInstance : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void secondLaunchRaisesTheFirst();
    void configDirsAreSeparate();
    void staleSocketIsTakenOver();

private:
    QTemporaryDir m_runtime;
};

void tst_SingleInstance::initTestCase()
{
    QVERIFY(m_runtime.isValid());
    QFile::setPermissions(m_runtime.path(),
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    qputenv("XDG_RUNTIME_DIR", m_runtime.path().toUtf8());
}

void tst_SingleInstance::secondLaunchRaisesTheFirst()
{
    SingleInstance first(QStringLiteral("/tmp/config-a"));
    QVERIFY(first.claim());
    QSignalSpy raised(&first, &SingleInstance::raiseRequested);
    SingleInstance second(QStringLiteral("/tmp/config-a"));
    QVERIFY(!second.claim());
    QVERIFY(raised.wait(5000));
    const QFileInfo dir(QFileInfo(first.socketPath()).absolutePath());
    QCOMPARE(dir.permissions()
                 & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteOther),
             QFileDevice::Permissions());
    QVERIFY(first.socketPath().startsWith(m_runtime.path()));
}

void tst_SingleInstance::configDirsAreSeparate()
{
    SingleInstance a(QStringLiteral("/tmp/config-b"));
    SingleInstance b(QStringLiteral("/tmp/config-c"));
    QVERIFY(a.claim());
    QVERIFY(b.claim());
    QVERIFY(a.socketPath() != b.socketPath());
}

void tst_SingleInstance::staleSocketIsTakenOver()
{
    const QString path = SingleInstance::socketPathFor(QStringLiteral("/tmp/config-d"));
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile stale(path);
    QVERIFY(stale.open(QIODevice::WriteOnly)); // a file where a crashed instance's socket was
    stale.close();
    SingleInstance instance(QStringLiteral("/tmp/config-d"));
    QVERIFY(instance.claim());
    SingleInstance second(QStringLiteral("/tmp/config-d"));
    QVERIFY(!second.claim());
}

QTEST_GUILESS_MAIN(tst_SingleInstance)
#include "tst_singleinstance.moc"
