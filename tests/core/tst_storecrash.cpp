// Crash consistency of ProfileStore::save(): a writer process (tests/support/storewriter.cpp)
// is SIGKILLed at random points while it rewrites profiles.json; what is left must always load,
// and must be the last save the writer reported or the one it was in the middle of.

#include "core/store/profilestore.h"
#include "tests/support/testenv.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLockFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace TokenTray;

namespace {

constexpr int kRounds = 25;
constexpr int kProfiles = 40; // as storewriter writes them

// The iteration a config written by storewriter encodes, or -1 if its profiles disagree
// (which would mean a torn file).
int iterationOf(const Config &config)
{
    if (config.profiles.size() != kProfiles)
        return -1;
    static const QRegularExpression re(QStringLiteral("^p(\\d+)-(\\d+)$"));
    int iteration = -1;
    for (qsizetype k = 0; k < config.profiles.size(); ++k) {
        const QRegularExpressionMatch m = re.match(config.profiles.at(k).name);
        if (!m.hasMatch() || m.captured(1).toInt() != k)
            return -1;
        const int i = m.captured(2).toInt();
        if (iteration != -1 && i != iteration)
            return -1;
        iteration = i;
        for (const Environment &env : config.profiles.at(k).environments) {
            if (env.clientId != QStringLiteral("client-%1-%2").arg(k).arg(i))
                return -1;
        }
    }
    if (config.currentProfileId != QStringLiteral("id-%1").arg(iteration % kProfiles))
        return -1;
    return iteration;
}

// Whole lines printed so far, as numbers; `ok` is false if one is not the next integer.
QList<int> parseCounters(const QByteArray &out, bool *ok)
{
    QList<int> counters;
    *ok = true;
    const qsizetype end = out.lastIndexOf('\n');
    if (end < 0)
        return counters;
    const QList<QByteArray> lines = out.left(end).split('\n');
    for (const QByteArray &line : lines) {
        bool isNumber = false;
        const int n = line.toInt(&isNumber);
        if (!isNumber || n != counters.size() + 1)
            *ok = false;
        counters << n;
    }
    return counters;
}

} // namespace

class tst_StoreCrash : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void killedWriterLeavesALoadableFile();

private:
    QString m_writer;
};

void tst_StoreCrash::initTestCase()
{
    m_writer = TestEnv::binary(QStringLiteral("storewriter"));
    QVERIFY2(qEnvironmentVariableIsSet("TOKENTRAY_BIN_DIR"),
             "run through ctest (TOKENTRAY_BIN_DIR)");
    QVERIFY2(QFileInfo(m_writer).isExecutable(),
             qPrintable(m_writer + QStringLiteral(" is not built")));
}

void tst_StoreCrash::killedWriterLeavesALoadableFile()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString dir = tmp.filePath(QStringLiteral("config"));

    // Leftovers of an earlier crash that must neither break loading nor be mistaken for data.
    QVERIFY(QDir().mkpath(dir));
    {
        QFile stray(QDir(dir).filePath(QStringLiteral("profiles.json.Xa1b2C")));
        QVERIFY(stray.open(QIODevice::WriteOnly));
        stray.write("{\"schemaVersion\": 1, \"profiles\": [{\"id\": \"half");
    }

    const quint32 seed = qEnvironmentVariableIsSet("TOKENTRAY_CRASH_SEED")
        ? qEnvironmentVariable("TOKENTRAY_CRASH_SEED").toUInt()
        : QRandomGenerator::system()->generate();
    qInfo("seed %u (set TOKENTRAY_CRASH_SEED to repeat)", seed);
    QRandomGenerator rng(seed);

    int landedInFlight = 0;
    int ownerlessTakeovers = 0;
    for (int round = 0; round < kRounds; ++round) {
        const int target = rng.bounded(1, 41);

        QProcess writer;
        writer.start(m_writer, {dir, QStringLiteral("1000000")});
        QVERIFY2(writer.waitForStarted(10000), qPrintable(writer.errorString()));

        QByteArray out;
        while (out.count('\n') < target) {
            if (!writer.waitForReadyRead(30000)) {
                writer.kill();
                writer.waitForFinished(5000);
                QFAIL(qPrintable(QStringLiteral("round %1: writer stopped after %2 lines: %3")
                                     .arg(round)
                                     .arg(out.count('\n'))
                                     .arg(QString::fromLocal8Bit(writer.readAllStandardError()))));
            }
            out += writer.readAllStandardOutput();
        }
        writer.kill(); // SIGKILL: no destructors, no QSaveFile cleanup
        QVERIFY(writer.waitForFinished(10000));
        QCOMPARE(writer.exitStatus(), QProcess::CrashExit);
        out += writer.readAllStandardOutput(); // whatever it printed before dying
        // The only thing a writer may say: that it took over the lock file a predecessor was
        // killed in the middle of creating (QLockFile writes the owner right after creating it).
        const QList<QByteArray> errLines = writer.readAllStandardError().split('\n');
        for (const QByteArray &line : errLines) {
            if (line.contains("removing the ownerless lock file"))
                ++ownerlessTakeovers;
            else
                QVERIFY2(line.isEmpty(), line.constData());
        }

        bool consecutive = false;
        const QList<int> counters = parseCounters(out, &consecutive);
        QVERIFY2(consecutive, out.constData());
        QVERIFY(counters.size() >= target);
        const int last = counters.last();

        ProfileStore store(dir);
        const Result<Config> loaded = store.load();
        QVERIFY2(loaded,
                 qPrintable(QStringLiteral("round %1 (after line %2): %3")
                                .arg(round)
                                .arg(last)
                                .arg(loaded ? QString() : loaded.error().detail)));
        QVERIFY(!store.isReadOnly());
        const int saved = iterationOf(*loaded);
        QVERIFY2(saved == last || saved == last + 1,
                 qPrintable(QStringLiteral("round %1: file holds iteration %2, last printed %3")
                                .arg(round)
                                .arg(saved)
                                .arg(last)));
        if (saved == last + 1)
            ++landedInFlight;
    }
    // Usually 0: a save that commits is reported microseconds later, so a kill rarely falls in
    // between. Most kills land in load/encode/validate, some inside QSaveFile's write.
    qInfo("%d of %d kills landed after a save that was not yet reported", landedInFlight, kRounds);
    qInfo("%d writers took over an ownerless lock file", ownerlessTakeovers);
    qInfo("left in the config dir: %s",
          qPrintable(QDir(dir).entryList(QDir::Files | QDir::Hidden).join(QStringLiteral(", "))));

    // The killed writer's lock file is stale, not a reason to wait; and whatever else a kill
    // left behind does not stop the next ordinary update cycle.
    ProfileStore store(dir);
    auto lock = store.lockForUpdate(5000);
    QVERIFY2(lock, lock ? "" : qPrintable(lock.error().detail));
    Result<Config> config = store.load();
    QVERIFY(config);
    config->settings.maxConcurrency = 5;
    const Result<void> saved = store.save(*config);
    QVERIFY2(saved, saved ? "" : qPrintable(saved.error().detail));
    QCOMPARE(ProfileStore(dir).load()->settings.maxConcurrency, 5);

    // The file stays owner-only however often it was replaced.
    QCOMPARE(QFileInfo(QDir(dir).filePath(QStringLiteral("profiles.json"))).permissions()
                 & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup
                    | QFileDevice::WriteOther),
             QFileDevice::Permissions());
}

QTEST_GUILESS_MAIN(tst_StoreCrash)
#include "tst_storecrash.moc"
