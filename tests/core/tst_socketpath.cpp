// The Qt-free socket path functions (core/ipc/socketpath.h, used by tokentray-cli's front)
// against the Qt code they stand in for: QDir::cleanPath/absolutePath,
// ProfileStore::resolveConfigDir, QStandardPaths::RuntimeLocation and agentSocketPathFor.
#include "core/ipc/agentserver.h"
#include "core/ipc/socketpath.h"
#include "core/store/profilestore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <optional>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace TokenTray;

namespace {

std::string toStd(const QString &s)
{
    return QFile::encodeName(s).toStdString();
}

QString fromStd(const std::string &s)
{
    return QFile::decodeName(QByteArray::fromStdString(s));
}

// Sets or unsets environment variables for one scope and restores them afterwards.
class EnvScope
{
public:
    void set(const char *name, const std::optional<QByteArray> &value)
    {
        if (!m_saved.contains(name))
            m_saved.insert(name,
                           qEnvironmentVariableIsSet(name)
                               ? std::optional<QByteArray>(qgetenv(name))
                               : std::nullopt);
        if (value)
            qputenv(name, *value);
        else
            qunsetenv(name);
    }
    ~EnvScope()
    {
        for (auto it = m_saved.cbegin(); it != m_saved.cend(); ++it) {
            if (it.value())
                qputenv(it.key().constData(), *it.value());
            else
                qunsetenv(it.key().constData());
        }
    }

private:
    QHash<QByteArray, std::optional<QByteArray>> m_saved;
};

mode_t modeOf(const QString &path)
{
    struct stat st
    {
    };
    ::lstat(QFile::encodeName(path).constData(), &st);
    return st.st_mode & 07777;
}

} // namespace

class tst_SocketPath : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanPathMatchesQt_data();
    void cleanPathMatchesQt();
    void absolutePathMatchesQt_data();
    void absolutePathMatchesQt();
    void configDirMatchesProfileStore_data();
    void configDirMatchesProfileStore();
    void runtimeDirMatchesQStandardPaths_data();
    void runtimeDirMatchesQStandardPaths();
    void socketPathShape();
    void socketPathMatchesQtSide();

private:
    QTemporaryDir m_tmp;
};

void tst_SocketPath::initTestCase()
{
    QVERIFY(m_tmp.isValid());
    QVERIFY(QDir(m_tmp.path()).mkpath(QStringLiteral("work/sub/deeper")));
    QVERIFY(QDir(m_tmp.path()).mkpath(QStringLiteral("ünïcødé конфиг")));
    // A private runtime dir unless a test sets its own.
    const QString runtime = m_tmp.filePath(QStringLiteral("runtime"));
    QVERIFY(::mkdir(QFile::encodeName(runtime).constData(), 0700) == 0);
    qputenv("XDG_RUNTIME_DIR", QFile::encodeName(runtime));
}

void tst_SocketPath::cleanPathMatchesQt_data()
{
    QTest::addColumn<QString>("path");
    for (const char *p : {"/",
                          "//",
                          "///a",
                          "/a/b",
                          "/a/b/",
                          "/a//b",
                          "/a/./b",
                          "/a/../b",
                          "/a/b/..",
                          "/..",
                          "/../a",
                          "/a/../..",
                          "/a/./b/../../..",
                          "/.",
                          "/./",
                          "/a/...",
                          "/a/.b/..c",
                          "/a/b/./.",
                          "a",
                          "a/",
                          "a/..",
                          "a/../..",
                          "../a",
                          "./a",
                          ".",
                          "..",
                          "a//b/./c/",
                          "/é/ü/../ß",
                          "/x/./../y/.././z/"})
        QTest::newRow(p) << QString::fromUtf8(p);
}

void tst_SocketPath::cleanPathMatchesQt()
{
    QFETCH(QString, path);
    QCOMPARE(fromStd(cleanPath(toStd(path))), QDir::cleanPath(path));
}

void tst_SocketPath::absolutePathMatchesQt_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("cwd"); // relative to the temporary dir
    for (const char *p : {"", ".", "x", "x/", "../x", "../../../../../../../../..", "a//b/./c/",
                          "/abs/path/", "/abs/../x", "ünïcødé конфиг", "./ünïcødé конфиг/"}) {
        QTest::newRow(qPrintable(QStringLiteral("%1 in work/sub").arg(QString::fromUtf8(p))))
            << QString::fromUtf8(p) << QStringLiteral("work/sub");
        QTest::newRow(qPrintable(QStringLiteral("%1 in tmp").arg(QString::fromUtf8(p))))
            << QString::fromUtf8(p) << QString();
    }
}

void tst_SocketPath::absolutePathMatchesQt()
{
    QFETCH(QString, path);
    QFETCH(QString, cwd);
    const QString before = QDir::currentPath();
    QVERIFY(QDir::setCurrent(QDir(m_tmp.path()).filePath(cwd)));
    const QString qt = QDir::cleanPath(QDir(path).absolutePath());
    const std::string lean = cleanAbsolutePath(toStd(path), currentDirectory());
    QDir::setCurrent(before);
    QCOMPARE(fromStd(lean), qt);
}

void tst_SocketPath::configDirMatchesProfileStore_data()
{
    QTest::addColumn<QString>("option");
    QTest::addColumn<QByteArray>("configEnv"); // TOKENTRAY_CONFIG_DIR; "-" = unset
    QTest::addColumn<QByteArray>("xdgConfigHome");
    QTest::addColumn<QByteArray>("home");

    const QByteArray unset = "-";
    QTest::newRow("option absolute") << "/etc/tt//x/" << unset << unset << QByteArray("/root");
    QTest::newRow("option relative") << "cfg" << unset << unset << QByteArray("/root");
    QTest::newRow("option dotdot") << "../../cfg/./x/" << unset << unset << QByteArray("/root");
    QTest::newRow("option unicode") << "ünïcødé конфиг/" << unset << unset << QByteArray("/root");
    QTest::newRow("option beats env") << "a" << QByteArray("/b") << unset << QByteArray("/root");
    QTest::newRow("env absolute") << "" << QByteArray("/srv/tt/") << unset << QByteArray("/root");
    QTest::newRow("env relative") << "" << QByteArray("rel/../tt") << unset << QByteArray("/root");
    QTest::newRow("env empty = unset")
        << "" << QByteArray("") << QByteArray("/xdg") << QByteArray("/root");
    QTest::newRow("xdg") << "" << unset << QByteArray("/xdg/conf") << QByteArray("/root");
    QTest::newRow("xdg trailing slashes")
        << "" << unset << QByteArray("/xdg//conf//") << QByteArray("/root");
    QTest::newRow("xdg relative") << "" << unset << QByteArray("relconf") << QByteArray("/root");
    QTest::newRow("xdg unicode") << "" << unset << QByteArray("/xdg/ü") << QByteArray("/root");
    QTest::newRow("home") << "" << unset << unset << QByteArray("/home/someone");
    QTest::newRow("home trailing slash") << "" << unset << unset << QByteArray("/home/someone/");
    QTest::newRow("home with dots") << "" << unset << unset << QByteArray("/home/./a/../b");
    QTest::newRow("home empty") << "" << unset << unset << QByteArray("");
    QTest::newRow("home unset") << "" << unset << unset << unset;
    QTest::newRow("home relative") << "" << unset << unset << QByteArray("relhome");
}

void tst_SocketPath::configDirMatchesProfileStore()
{
    QFETCH(QString, option);
    QFETCH(QByteArray, configEnv);
    QFETCH(QByteArray, xdgConfigHome);
    QFETCH(QByteArray, home);
    auto value = [](const QByteArray &v) {
        return v == "-" ? std::nullopt : std::optional<QByteArray>(v);
    };
    EnvScope env;
    env.set("TOKENTRAY_CONFIG_DIR", value(configEnv));
    env.set("XDG_CONFIG_HOME", value(xdgConfigHome));
    env.set("HOME", value(home));
    const QString before = QDir::currentPath();
    QVERIFY(QDir::setCurrent(QDir(m_tmp.path()).filePath(QStringLiteral("work/sub/deeper"))));

    const QString qt = ProfileStore::resolveConfigDir(option);
    const QString qtClean = QDir::cleanPath(QDir(qt).absolutePath());
    const QByteArray optionBytes = QFile::encodeName(option);
    const std::string lean = resolveConfigDir(option.isEmpty() ? nullptr : optionBytes.constData());
    const QString qtSocket = agentSocketPathFor(qt);
    QDir::setCurrent(before);

    QCOMPARE(fromStd(lean), qtClean);
    // What the two sides hash must be the same bytes, so the sockets are the same file.
    QVERIFY(!qtSocket.isEmpty());
    QCOMPARE(fromStd(agentSocketPath(
                 lean, toStd(QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation)))),
             qtSocket);
}

void tst_SocketPath::runtimeDirMatchesQStandardPaths_data()
{
    QTest::addColumn<QString>("xdg"); // "-" = unset; "%T" = the temporary dir
    QTest::addColumn<QString>("tmpdir"); // TMPDIR; "-" = unset
    QTest::addColumn<QString>("prepare");

    QTest::newRow("xdg ok") << "%T/rt-ok"
                            << "-"
                            << "dir700";
    QTest::newRow("xdg ok, trailing slash") << "%T/rt-ok/"
                                            << "-"
                                            << "dir700";
    QTest::newRow("xdg missing: created") << "%T/rt-new"
                                          << "-"
                                          << "";
    QTest::newRow("xdg parent missing") << "%T/nope/rt"
                                        << "%T/tmpA"
                                        << "tmpA";
    QTest::newRow("xdg mode 0755: not used") << "%T/rt-wide"
                                             << "%T/tmpG"
                                             << "dir755 tmpG";
    QTest::newRow("xdg mode 1700: used") << "%T/rt-sticky"
                                         << "-"
                                         << "dir1700";
    QTest::newRow("fallback mode 0755: none") << "%T/rt-wide"
                                              << "%T/tmpH"
                                              << "dir755 tmpH wide";
    QTest::newRow("xdg is a file") << "%T/rt-file"
                                   << "%T/tmpB"
                                   << "file tmpB";
    QTest::newRow("xdg is a symlink") << "%T/rt-link"
                                      << "%T/tmpC"
                                      << "symlink tmpC";
    QTest::newRow("xdg other owner") << "%T/rt-other"
                                     << "%T/tmpD"
                                     << "other tmpD";
    QTest::newRow("xdg unset, TMPDIR") << "-"
                                       << "%T/tmpE"
                                       << "tmpE";
    QTest::newRow("xdg empty, TMPDIR unclean") << ""
                                               << "%T//tmpF/./"
                                               << "tmpF";
    QTest::newRow("xdg unset, TMPDIR missing") << "-"
                                               << "%T/no-such-tmp"
                                               << "";
    QTest::newRow("xdg unset, TMPDIR unicode") << "-"
                                               << "%T/tmpünïcødé"
                                               << "tmpünïcødé";
}

void tst_SocketPath::runtimeDirMatchesQStandardPaths()
{
    QFETCH(QString, xdg);
    QFETCH(QString, tmpdir);
    QFETCH(QString, prepare);

    QTemporaryDir scratch(m_tmp.filePath(QStringLiteral("rt-XXXXXX")));
    QVERIFY(scratch.isValid());
    const QString t = scratch.path();
    const QString xdgPath = QString(xdg).replace(QStringLiteral("%T"), t);
    const QString tmpPath = QString(tmpdir).replace(QStringLiteral("%T"), t);
    const QStringList steps = prepare.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    QDir().mkpath(t + QStringLiteral("/tmpA"));
    for (const QString &step : steps) {
        if (step.startsWith(QStringLiteral("tmp")))
            QVERIFY(QDir().mkpath(t + QLatin1Char('/') + step));
        else if (step.startsWith(QStringLiteral("dir")))
            QVERIFY(::mkdir(QFile::encodeName(xdgPath).constData(), 0700) == 0);
        else if (step == QStringLiteral("wide")) {
            // The fallback <TMPDIR>/runtime-<user> exists with a wider mode.
            const QString fallback = tmpPath + QStringLiteral("/runtime-")
                + QFile::decodeName(::getpwuid(::geteuid())->pw_name);
            QVERIFY(::mkdir(QFile::encodeName(fallback).constData(), 0755) == 0);
            QVERIFY(::chmod(QFile::encodeName(fallback).constData(), 0755) == 0);
        } else if (step == QStringLiteral("file")) {
            QFile f(xdgPath);
            QVERIFY(f.open(QIODevice::WriteOnly));
        } else if (step == QStringLiteral("symlink")) {
            QVERIFY(QDir().mkpath(t + QStringLiteral("/target")));
            QVERIFY(QFile::link(t + QStringLiteral("/target"), xdgPath));
        } else if (step == QStringLiteral("other")) {
            if (::geteuid() != 0)
                QSKIP("needs root to give a directory to another user");
            QVERIFY(QDir().mkpath(xdgPath));
            QVERIFY(::chown(QFile::encodeName(xdgPath).constData(), 65534, 65534) == 0);
        }
    }
    if (steps.contains(QStringLiteral("dir755")))
        QVERIFY(::chmod(QFile::encodeName(xdgPath).constData(), 0755) == 0);
    if (steps.contains(QStringLiteral("dir1700")))
        QVERIFY(::chmod(QFile::encodeName(xdgPath).constData(), 01700) == 0);

    EnvScope env;
    env.set("XDG_RUNTIME_DIR",
            xdg == QStringLiteral("-") ? std::nullopt
                                       : std::optional<QByteArray>(QFile::encodeName(xdgPath)));
    env.set("TMPDIR",
            tmpdir == QStringLiteral("-") ? std::nullopt
                                          : std::optional<QByteArray>(QFile::encodeName(tmpPath)));

    // A missing TMPDIR makes Qt's fallback "/runtime-<user>" (its canonical temp path is ""):
    // remove it again if this test created it.
    const QString rootFallback = QStringLiteral("/runtime-")
        + QFile::decodeName(::getpwuid(::geteuid()) ? ::getpwuid(::geteuid())->pw_name : "");
    const bool rootFallbackExisted = QFileInfo::exists(rootFallback);

    // Both may create the directory they then use, so Qt, asked second, meets the state the lean
    // code left; the reverse order is checked where the directory is created.
    const std::string lean = runtimeDirectory();
    const QString qt = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
    QCOMPARE(fromStd(lean), qt);
    if (steps.contains(QStringLiteral("dir755")))
        QCOMPARE(modeOf(xdgPath), mode_t(0755)); // neither repairs it
    if (prepare.isEmpty() && xdg != QStringLiteral("-") && !xdg.isEmpty()) {
        QDir(xdgPath).removeRecursively();
        const QString qtFirst = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
        QCOMPARE(modeOf(xdgPath), mode_t(0700));
        QDir(xdgPath).removeRecursively();
        QCOMPARE(fromStd(runtimeDirectory()), qtFirst);
        QCOMPARE(modeOf(xdgPath), mode_t(0700));
    }
    if (!rootFallbackExisted && QFileInfo::exists(rootFallback))
        QDir().rmdir(rootFallback);
}

void tst_SocketPath::socketPathShape()
{
    // FNV-1a 64 test vectors.
    QCOMPARE(fnv1a64(""), 0xcbf29ce484222325ULL);
    QCOMPARE(fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
    QCOMPARE(fnv1a64("foobar"), 0x85944171f73967e8ULL);

    const QString path = fromStd(agentSocketPath("/home/u/.config/tokentray", "/run/user/1000"));
    QVERIFY2(QRegularExpression(QStringLiteral("^/run/user/1000/tokentray/agent-[0-9a-f]{16}$"))
                 .match(path)
                 .hasMatch(),
             qPrintable(path));
    QCOMPARE(agentSocketPath("/a", "/run/user/1000/"), agentSocketPath("/a", "/run/user/1000"));
    QVERIFY(agentSocketPath("/a", "/r") != agentSocketPath("/b", "/r"));
    QCOMPARE(agentSocketPath("/a", ""), std::string());
    QCOMPARE(agentSocketPath("/a", "relative/runtime"), std::string());
    QCOMPARE(agentSocketPath("", "/"), std::string("/tokentray/agent-cbf29ce484222325"));
}

void tst_SocketPath::socketPathMatchesQtSide()
{
    QTemporaryDir runtime;
    QVERIFY(runtime.isValid());
    ::chmod(QFile::encodeName(runtime.path()).constData(), 0700);
    EnvScope env;
    env.set("XDG_RUNTIME_DIR", QFile::encodeName(runtime.path()));
    const QString before = QDir::currentPath();
    QVERIFY(QDir::setCurrent(m_tmp.path()));
    for (const char *dir : {"/x/y", "/x/y/", "/x//y", "/x/z/../y", "work/../x", "ünïcødé конфиг"}) {
        const QString qt = agentSocketPathFor(QString::fromUtf8(dir));
        const std::string lean
            = agentSocketPath(cleanAbsolutePath(dir, currentDirectory()), runtimeDirectory());
        QCOMPARE(fromStd(lean), qt);
        QVERIFY(qt.startsWith(runtime.path() + QStringLiteral("/tokentray/agent-")));
    }
    QCOMPARE(agentSocketPathFor(QStringLiteral("/x/y")),
             agentSocketPathFor(QStringLiteral("/x/y/")));
    QDir::setCurrent(before);
}

QTEST_GUILESS_MAIN(tst_SocketPath)
#include "tst_socketpath.moc"
