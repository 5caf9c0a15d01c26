// The one helper that prepares the private socket directory of the agent and of the
// single-instance socket: created 0700, tightened to 0700, anything else refused.
#include "core/ipc/privatedir.h"
#include "core/ipc/singleinstance.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace TokenTray;

namespace {

mode_t modeOf(const QString &path)
{
    struct stat st
    {
    };
    if (::lstat(QFile::encodeName(path).constData(), &st) != 0)
        return 0;
    return st.st_mode;
}

} // namespace

class tst_PrivateDir : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void createsAPrivateDirectory();
    void tightensAnOpenDirectory();
    void refusesWhatIsNotADirectory_data();
    void refusesWhatIsNotADirectory();
    void refusesAMissingParent();
    void singleInstanceUsesIt();
};

void tst_PrivateDir::createsAPrivateDirectory()
{
    QTemporaryDir runtime;
    const QString dir = runtime.filePath("tokentray");
    ::umask(022);
    const auto r = preparePrivateSocketDirectory(dir);
    QVERIFY2(r, r ? "" : qPrintable(r.error().detail));
    QVERIFY(S_ISDIR(modeOf(dir)));
    QCOMPARE(modeOf(dir) & 07777, mode_t(0700));
    // Again: an existing private directory is fine as it is.
    QVERIFY(preparePrivateSocketDirectory(dir));
    QCOMPARE(modeOf(dir) & 07777, mode_t(0700));
}

void tst_PrivateDir::tightensAnOpenDirectory()
{
    QTemporaryDir runtime;
    const QString dir = runtime.filePath("tokentray");
    QVERIFY(QDir().mkdir(dir));
    QCOMPARE(::chmod(QFile::encodeName(dir).constData(), 0755), 0);
    QVERIFY(preparePrivateSocketDirectory(dir));
    QCOMPARE(modeOf(dir) & 07777, mode_t(0700));
}

void tst_PrivateDir::refusesWhatIsNotADirectory_data()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("a regular file") << "file";
    QTest::newRow("a symlink to a private directory") << "symlink";
}

void tst_PrivateDir::refusesWhatIsNotADirectory()
{
    QFETCH(QString, kind);
    QTemporaryDir runtime;
    const QString dir = runtime.filePath("tokentray");
    const QString target = runtime.filePath("elsewhere");
    if (kind == "file") {
        QFile f(dir);
        QVERIFY(f.open(QIODevice::WriteOnly));
    } else {
        QVERIFY(QDir().mkdir(target));
        QCOMPARE(::chmod(QFile::encodeName(target).constData(), 0700), 0);
        QVERIFY(QFile::link(target, dir));
    }
    const auto r = preparePrivateSocketDirectory(dir);
    QVERIFY(!r);
    QVERIFY2(r.error().detail.contains("is not a directory"), qPrintable(r.error().detail));
    QVERIFY2(r.error().detail.contains(dir), qPrintable(r.error().detail));
}

void tst_PrivateDir::refusesAMissingParent()
{
    QTemporaryDir runtime;
    const QString dir = runtime.filePath("gone/tokentray");
    const auto r = preparePrivateSocketDirectory(dir);
    QVERIFY(!r);
    QVERIFY2(r.error().detail.startsWith("cannot create " + dir), qPrintable(r.error().detail));
    QVERIFY(!QFile::exists(runtime.filePath("gone")));
}

void tst_PrivateDir::singleInstanceUsesIt()
{
    QTemporaryDir runtime;
    QTemporaryDir config;
    qputenv("XDG_RUNTIME_DIR", QFile::encodeName(runtime.path()));
    const QString socketDir
        = QFileInfo(SingleInstance::socketPathFor(config.path())).absolutePath();
    QCOMPARE(socketDir, runtime.filePath("tokentray"));
    // Left open by something else: the first launch makes it private before it listens.
    QVERIFY(QDir().mkdir(socketDir));
    QCOMPARE(::chmod(QFile::encodeName(socketDir).constData(), 0755), 0);
    SingleInstance first(config.path());
    QVERIFY(first.claim());
    QCOMPARE(modeOf(socketDir) & 07777, mode_t(0700));
    SingleInstance second(config.path());
    QVERIFY(!second.claim()); // the first one listens there
}

QTEST_GUILESS_MAIN(tst_PrivateDir)
#include "tst_privatedir.moc"
