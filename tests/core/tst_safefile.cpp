// Files that never lie (core/store/safefile): a write over a file-size limit (what a full disk
// does to write()) reports an error and leaves the old file byte for byte; FIFOs, devices and
// directories are refused without blocking; ProfileStore goes through both.
#include "core/store/profilestore.h"
#include "core/store/safefile.h"
#include "tests/support/filesizelimit.h"

#include <QDir>
#include <QFile>
#include <QLockFile>
#include <QTemporaryDir>
#include <QTest>

#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

using namespace TokenTray;

namespace {

enum class Special { Fifo, Directory, Device, Socket };

QByteArray readBytes(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeBytes(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

// A schema 1 profiles.json with `count` profiles: about 100 bytes each once TokenTray writes it.
QByteArray profilesJson(int count)
{
    QByteArray profiles;
    for (int i = 0; i < count; ++i) {
        profiles += (i ? ", " : "") + QByteArray("{\"id\": \"p") + QByteArray::number(i)
            + "\", \"name\": \"api" + QByteArray::number(i) + "\", \"kind\": \"static-token\"}";
    }
    return "{\"schemaVersion\": 1, \"profiles\": [" + profiles + "]}";
}

bool makeSpecial(Special kind, const QString &path)
{
    const QByteArray native = QFile::encodeName(path);
    switch (kind) {
    case Special::Fifo:
        return ::mkfifo(native.constData(), 0600) == 0;
    case Special::Directory:
        return QDir().mkdir(path);
    case Special::Device:
        return QFile::link(QStringLiteral("/dev/null"), path);
    case Special::Socket: {
        const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un address {};
        address.sun_family = AF_UNIX;
        if (fd < 0 || native.size() >= qsizetype(sizeof(address.sun_path)))
            return false;
        std::memcpy(address.sun_path, native.constData(), size_t(native.size()));
        const bool bound = ::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)) == 0;
        ::close(fd);
        return bound;
    }
    }
    return false;
}

bool isFifo(const QString &path)
{
    struct stat st
    {
    };
    return ::lstat(QFile::encodeName(path).constData(), &st) == 0 && S_ISFIFO(st.st_mode);
}

} // namespace

Q_DECLARE_METATYPE(Special)

class tst_SafeFile : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void writesWholeFileWithMode();
    void fileSizeLimitKeepsOldFile_data();
    void fileSizeLimitKeepsOldFile();
    void profileStoreSaveOnFullDisk_data();
    void profileStoreSaveOnFullDisk();
    void refusesSpecialFiles_data();
    void refusesSpecialFiles();
    void profileStoreRefusesFifo();
};

void tst_SafeFile::writesWholeFileWithMode()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString path = tmp.filePath(QStringLiteral("out.json"));
    QVERIFY(writeBytes(path, "old"));
    const auto written = writeFileAtomically(path, "new content", QFileDevice::ReadOwner);
    QVERIFY2(written, written ? "" : qPrintable(written.error().detail));
    QCOMPARE(readBytes(path), QByteArray("new content"));
    struct stat st
    {
    };
    QCOMPARE(::stat(QFile::encodeName(path).constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, mode_t(0400));
    QCOMPARE(QDir(tmp.path()).entryList(QDir::Files | QDir::Hidden),
             QStringList {QStringLiteral("out.json")});
}

void tst_SafeFile::fileSizeLimitKeepsOldFile_data()
{
    QTest::addColumn<int>("newSize");
    // Smaller than Qt's write buffer: write() succeeds, only the flush fails (the 4,096-byte
    // truncated profiles.json of Qt 6.4's commit()).
    QTest::newRow("buffered") << 10 * 1024;
    QTest::newRow("larger than the buffer") << 100 * 1024;
}

void tst_SafeFile::fileSizeLimitKeepsOldFile()
{
    QFETCH(int, newSize);
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString path = tmp.filePath(QStringLiteral("profiles.json"));
    const QByteArray old = "{\"the old\": \"content\"}\n";
    QVERIFY(writeBytes(path, old));

    Result<void> written;
    {
        TestEnv::FileSizeLimit limit(4096);
        QVERIFY(limit.isActive());
        written = writeFileAtomically(path, QByteArray(newSize, 'x'), QFileDevice::ReadOwner);
    }
    QVERIFY2(!written, "a write past the file-size limit reported success");
    QCOMPARE(errorCodeName(written.error().code), errorCodeName(ErrorCode::ConfigIo));
    QVERIFY2(written.error().detail.contains(path), qPrintable(written.error().detail));
    QVERIFY2(written.error().detail.contains(QString::fromLocal8Bit(std::strerror(EFBIG))),
             qPrintable(written.error().detail));
    QCOMPARE(readBytes(path), old);
    // No temporary file left behind.
    QCOMPARE(QDir(tmp.path()).entryList(QDir::Files | QDir::Hidden),
             QStringList {QStringLiteral("profiles.json")});

    // The limit is gone again: the same write now lands.
    QVERIFY(writeFileAtomically(path, QByteArray(newSize, 'x'), QFileDevice::ReadOwner));
    QCOMPARE(readBytes(path).size(), newSize);
}

void tst_SafeFile::profileStoreSaveOnFullDisk_data()
{
    QTest::addColumn<int>("profiles");
    QTest::newRow("60 profiles (buffered)") << 60;
    QTest::newRow("400 profiles") << 400;
}

void tst_SafeFile::profileStoreSaveOnFullDisk()
{
    QFETCH(int, profiles);
    QTemporaryDir bigDir;
    QVERIFY(writeBytes(bigDir.filePath(QStringLiteral("profiles.json")), profilesJson(profiles)));
    const Result<Config> big = ProfileStore(bigDir.path()).load();
    QVERIFY2(big, big ? "" : qPrintable(big.error().detail));

    QTemporaryDir tmp;
    ProfileStore store(tmp.path());
    const QByteArray old = profilesJson(2);
    QVERIFY(writeBytes(store.filePath(), old));
    QVERIFY(store.load());

    Result<void> saved;
    {
        TestEnv::FileSizeLimit limit(4096);
        QVERIFY(limit.isActive());
        saved = store.save(*big);
    }
    QVERIFY2(!saved, "ProfileStore::save reported success on a full disk");
    QCOMPARE(errorCodeName(saved.error().code), errorCodeName(ErrorCode::ConfigIo));
    QCOMPARE(readBytes(store.filePath()), old);
    const Result<Config> reloaded = ProfileStore(tmp.path()).load();
    QVERIFY2(reloaded, reloaded ? "" : qPrintable(reloaded.error().detail));
    QCOMPARE(reloaded->profiles.size(), 2);
}

void tst_SafeFile::refusesSpecialFiles_data()
{
    QTest::addColumn<Special>("kind");
    QTest::addColumn<QString>("phrase");
    QTest::newRow("FIFO") << Special::Fifo << "is a FIFO";
    QTest::newRow("directory") << Special::Directory << "is a directory";
    QTest::newRow("link to /dev/null") << Special::Device << "is a device";
    QTest::newRow("socket") << Special::Socket << "is a socket";
}

void tst_SafeFile::refusesSpecialFiles()
{
    QFETCH(Special, kind);
    QFETCH(QString, phrase);
    QTemporaryDir tmp;
    const QString path = tmp.filePath(QStringLiteral("s"));
    QVERIFY(makeSpecial(kind, path));

    // A FIFO would block a plain open() until a writer came: these return at once.
    const auto read = readRegularFile(path, 1024);
    QVERIFY(!read);
    QCOMPARE(errorCodeName(read.error().code), errorCodeName(ErrorCode::ConfigIo));
    QVERIFY2(read.error().detail.contains(phrase), qPrintable(read.error().detail));
    QVERIFY2(read.error().detail.contains(path), qPrintable(read.error().detail));

    const auto written = writeFileAtomically(path, "x", QFileDevice::ReadOwner);
    QVERIFY(!written);
    QVERIFY2(written.error().detail.contains(phrase), qPrintable(written.error().detail));

    if (kind != Special::Device) // the link itself is refused as a link
        QVERIFY(!checkNotSpecialFile(path));
    QVERIFY(checkNotSpecialFile(tmp.filePath(QStringLiteral("absent"))));
    QVERIFY(writeBytes(tmp.filePath(QStringLiteral("plain")), "x"));
    QVERIFY(checkNotSpecialFile(tmp.filePath(QStringLiteral("plain"))));
}

void tst_SafeFile::profileStoreRefusesFifo()
{
    QTemporaryDir tmp;
    ProfileStore store(tmp.path());
    QVERIFY(makeSpecial(Special::Fifo, store.filePath()));
    const Result<Config> loaded = store.load();
    QVERIFY(!loaded);
    QCOMPARE(errorCodeName(loaded.error().code), errorCodeName(ErrorCode::ConfigIo));
    QVERIFY2(loaded.error().detail.contains(QLatin1String("is a FIFO")),
             qPrintable(loaded.error().detail));
    QVERIFY(store.isReadOnly());
    QVERIFY(!store.save(Config {}));
    QVERIFY(isFifo(store.filePath()));

    // A FIFO as the lock file: QLockFile would read it to learn the owner and hang.
    QTemporaryDir other;
    ProfileStore locked(other.path());
    QVERIFY(makeSpecial(Special::Fifo, other.filePath(QStringLiteral("profiles.json.lock"))));
    const auto lock = locked.lockForUpdate(1000);
    QVERIFY(!lock);
    QVERIFY2(lock.error().detail.contains(QLatin1String("is a FIFO")),
             qPrintable(lock.error().detail));
}

QTEST_GUILESS_MAIN(tst_SafeFile)
#include "tst_safefile.moc"
