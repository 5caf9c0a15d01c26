// The desktop app's edits against another process's locks: a CLI refresh (the refresh lock)
// never delays a switch; a held config lock is retried on timers, never waited on, and reported
// when it stays held, by a switch and by the jobs that edit the config (SecretSaveJob,
// RemovalJob).
#include "core/oauth/oauthendpoints.h"
#include "core/refresh/tokenengine.h"
#include "core/secrets/secretstore.h"
#include "core/store/profilestore.h"
#include "core/util/clock.h"
#include "core/workspace/removaljob.h"
#include "core/workspace/secretsavejob.h"
#include "core/workspace/workspace.h"
#include "tests/support/memorysecretbackend.h"

#include <QLockFile>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>
#include <optional>

using namespace TokenTray;

namespace {

Environment oauthEnv(const QString &name)
{
    Environment e;
    e.name = name;
    e.tokenUrl = QUrl("https://login.example.com/oauth2/token");
    e.clientId = "client";
    return e;
}

Config sampleConfig()
{
    Profile api;
    api.id = "id-api";
    api.name = "api";
    api.grant = Grant::ClientCredentials;
    api.environments = {oauthEnv("QA"), oauthEnv("DEV")};
    api.activeEnvironment = "QA";
    Config c;
    c.profiles = {api};
    c.currentProfileId = "id-api";
    return c;
}

// Another process holding a lock of the config dir until release().
class LockHolder
{
public:
    LockHolder(const QString &which, const QString &dir)
    {
        m_process.start(QString::fromLocal8Bit(qgetenv("TOKENTRAY_BIN_DIR")) + "/lockholder",
                        {which, dir});
    }
    ~LockHolder() { release(); }
    bool waitHeld()
    {
        return m_process.waitForStarted() && m_process.waitForReadyRead(10000)
            && m_process.readLine() == "held\n";
    }
    void release()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.closeWriteChannel();
        m_process.waitForFinished(10000);
    }

private:
    QProcess m_process;
};

// Counts the turns of the event loop: a GUI thread blocked on a lock would count none.
class LoopTicker
{
public:
    LoopTicker()
    {
        m_timer.setInterval(0);
        QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] { ++m_ticks; });
        m_timer.start();
    }
    [[nodiscard]] int ticks() const { return m_ticks; }

private:
    QTimer m_timer;
    int m_ticks = 0;
};

} // namespace

class tst_WorkspaceLock : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void switchesWhileACliRefreshHoldsTheRefreshLock();
    void updateNeverWaitsOnTheConfigLock();
    void retriesUntilTheConfigLockIsReleased();
    void reportsBusyWhenTheConfigLockStaysHeld();
    void secretSaveRetriesUntilTheConfigLockIsReleased();
    void secretSaveReportsBusyWhenTheConfigLockStaysHeld();
    void removalRetriesUntilTheConfigLockIsReleased();
    void removalReportsBusyWhenTheConfigLockStaysHeld();

private:
    std::optional<Result<void>> switchAndWait(const QString &env);
    QString activeOnDisk() const;
    Config configOnDisk() const;
    SecretSaveJob *saveClientSecret(const QByteArray &value);
    [[nodiscard]] QString clientSecretKey() const
    {
        return secretKey("id-api", "QA", "client_secret");
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    ManualClock m_clock {QDateTime(QDate(2026, 11, 21), QTime(12, 0), Qt::UTC)};
    QNetworkAccessManager m_nam;
    MemorySecretBackend m_keychain;
    SecretStore m_secrets {&m_keychain, "tokentray-test-workspacelock"};
    DiscoveryCache m_discovery;
    std::unique_ptr<TokenEngine> m_engine;
    std::unique_ptr<ProfileStore> m_store;
    std::unique_ptr<Workspace> m_workspace;
    std::optional<Result<void>> m_done;
    std::unique_ptr<Job> m_job;
};

void tst_WorkspaceLock::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_keychain.clear();
    m_secrets.forgetCache();
    m_engine
        = std::make_unique<TokenEngine>(FetchServices {&m_nam, &m_secrets, &m_discovery, &m_clock});
    m_store = std::make_unique<ProfileStore>(m_dir->path());
    QVERIFY(m_store->save(sampleConfig()));
    m_workspace = std::make_unique<Workspace>(m_store.get(), m_engine.get(), &m_clock);
    QVERIFY(m_workspace->load());
    m_done.reset();
}

void tst_WorkspaceLock::cleanup()
{
    m_job.reset();
    m_workspace.reset();
    m_store.reset();
    m_engine.reset();
    m_dir.reset();
}

std::optional<Result<void>> tst_WorkspaceLock::switchAndWait(const QString &env)
{
    m_workspace->switchTo("api", env, this, [this](const Result<void> &r) { m_done = r; });
    return m_done; // never answered before switchTo() returns
}

QString tst_WorkspaceLock::activeOnDisk() const
{
    ProfileStore other(m_dir->path());
    const auto loaded = other.load();
    return loaded && !loaded->profiles.isEmpty() ? loaded->profiles.first().activeEnvironment
                                                 : QString();
}

Config tst_WorkspaceLock::configOnDisk() const
{
    ProfileStore other(m_dir->path());
    const auto loaded = other.load();
    return loaded ? *loaded : Config();
}

SecretSaveJob *tst_WorkspaceLock::saveClientSecret(const QByteArray &value)
{
    auto *job = new SecretSaveJob(m_workspace.get(), &m_secrets, "id-api", "QA",
                                  {{"client_secret", Secret(value)}});
    m_job.reset(job);
    return job;
}

void tst_WorkspaceLock::switchesWhileACliRefreshHoldsTheRefreshLock()
{
    LockHolder refreshing("refresh", m_dir->path());
    QVERIFY(refreshing.waitHeld());
    // No retry could finish within the test: success can only come from the first try.
    m_workspace->setLockRetryDelays({3600 * 1000});
    QSignalSpy switched(m_workspace.get(), &Workspace::switched);
    QVERIFY(!switchAndWait("DEV"));
    QTRY_VERIFY_WITH_TIMEOUT(m_done.has_value(), 10000);
    QVERIFY2(*m_done, m_done->has_value() ? "" : qPrintable(m_done->error().detail));
    QCOMPARE(switched.count(), 1);
    QCOMPARE(switched.first().at(1).toString(), QStringLiteral("DEV"));
    QCOMPARE(activeOnDisk(), QStringLiteral("DEV"));
    // The synchronous edit path too.
    QVERIFY(m_workspace->update([](Config &c) -> Result<void> {
        c.profiles.first().activeEnvironment = "QA";
        return {};
    }));
    QCOMPARE(activeOnDisk(), QStringLiteral("QA"));
}

void tst_WorkspaceLock::updateNeverWaitsOnTheConfigLock()
{
    LockHolder editing("config", m_dir->path());
    QVERIFY(editing.waitHeld());
    bool changed = false;
    const Result<void> r = m_workspace->update([&changed](Config &c) -> Result<void> {
        changed = true;
        c.profiles.first().activeEnvironment = "DEV";
        return {};
    });
    QVERIFY(!r);
    QCOMPARE(errorCodeName(r.error().code), errorCodeName(ErrorCode::ConfigIo));
    QVERIFY2(r.error().detail.contains(QLatin1String("busy")), qPrintable(r.error().detail));
    QVERIFY2(r.error().detail.contains(QLatin1String("not saved")), qPrintable(r.error().detail));
    QVERIFY(!changed);
    QCOMPARE(activeOnDisk(), QStringLiteral("QA"));
    QVERIFY(!m_workspace->isReadOnly()); // busy is not broken
}

void tst_WorkspaceLock::retriesUntilTheConfigLockIsReleased()
{
    auto editing = std::make_unique<LockHolder>("config", m_dir->path());
    QVERIFY(editing->waitHeld());
    m_workspace->setLockRetryDelays({20, 40, 80, 160, 320, 640, 1280, 2560, 5120});
    QSignalSpy switched(m_workspace.get(), &Workspace::switched);
    LoopTicker ticker;
    QVERIFY(!switchAndWait("DEV"));
    // The event loop keeps turning while the lock is held, and the switch waits for it.
    QTRY_VERIFY_WITH_TIMEOUT(ticker.ticks() >= 50, 10000);
    QVERIFY(!m_done.has_value());
    QCOMPARE(switched.count(), 0);
    QCOMPARE(activeOnDisk(), QStringLiteral("QA"));

    editing->release();
    const int ticksAtRelease = ticker.ticks();
    QTRY_VERIFY_WITH_TIMEOUT(m_done.has_value(), 20000);
    QVERIFY2(*m_done, m_done->has_value() ? "" : qPrintable(m_done->error().detail));
    QVERIFY(ticker.ticks() > ticksAtRelease);
    QCOMPARE(switched.count(), 1);
    QCOMPARE(activeOnDisk(), QStringLiteral("DEV"));
    QCOMPARE(m_workspace->config().profiles.first().activeEnvironment, QStringLiteral("DEV"));
}

void tst_WorkspaceLock::reportsBusyWhenTheConfigLockStaysHeld()
{
    LockHolder editing("config", m_dir->path());
    QVERIFY(editing.waitHeld());
    m_workspace->setLockRetryDelays({10, 20, 40});
    QSignalSpy switched(m_workspace.get(), &Workspace::switched);
    LoopTicker ticker;
    QVERIFY(!switchAndWait("DEV"));
    QTRY_VERIFY_WITH_TIMEOUT(m_done.has_value(), 20000);
    QVERIFY(!*m_done);
    QCOMPARE(errorCodeName(m_done->error().code), errorCodeName(ErrorCode::ConfigIo));
    QVERIFY2(m_done->error().detail.contains(QLatin1String("busy")),
             qPrintable(m_done->error().detail));
    QVERIFY2(m_done->error().detail.contains(m_store->filePath()),
             qPrintable(m_done->error().detail));
    // It waited on timers: the loop turned meanwhile.
    QVERIFY(ticker.ticks() > 0);
    QCOMPARE(switched.count(), 0);
    QCOMPARE(activeOnDisk(), QStringLiteral("QA"));
    QCOMPARE(m_workspace->config().profiles.first().activeEnvironment, QStringLiteral("QA"));
}

void tst_WorkspaceLock::secretSaveRetriesUntilTheConfigLockIsReleased()
{
    auto editing = std::make_unique<LockHolder>("config", m_dir->path());
    QVERIFY(editing->waitHeld());
    m_workspace->setLockRetryDelays({20, 40, 80, 160, 320, 640, 1280, 2560, 5120});
    SecretSaveJob *job = saveClientSecret("s3cret-value");
    QSignalSpy finished(job, &Job::finished);
    LoopTicker ticker;
    job->start();
    // Indexing waits for the lock on timers; nothing reaches the keychain before the index.
    QTRY_VERIFY_WITH_TIMEOUT(ticker.ticks() >= 50, 10000);
    QCOMPARE(finished.count(), 0);
    QVERIFY(!m_keychain.contains(m_secrets.service(), clientSecretKey()));
    QVERIFY(configOnDisk().profiles.first().secretIndex.isEmpty());

    editing->release();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
    QVERIFY2(job->result(), job->result() ? "" : qPrintable(job->result().error().detail));
    QVERIFY(!job->error());
    QCOMPARE(job->stored(), QStringList {"client_secret"});
    QCOMPARE(configOnDisk().profiles.first().secretIndex, QStringList {"QA/client_secret"});
    QCOMPARE(m_keychain.value(m_secrets.service(), clientSecretKey()), QByteArray("s3cret-value"));
}

void tst_WorkspaceLock::secretSaveReportsBusyWhenTheConfigLockStaysHeld()
{
    LockHolder editing("config", m_dir->path());
    QVERIFY(editing.waitHeld());
    m_workspace->setLockRetryDelays({10, 20, 40});
    SecretSaveJob *job = saveClientSecret("s3cret-value");
    QSignalSpy finished(job, &Job::finished);
    job->start();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
    QVERIFY(!job->result());
    QCOMPARE(errorCodeName(job->result().error().code), errorCodeName(ErrorCode::ConfigIo));
    QVERIFY2(job->result().error().detail.contains(QLatin1String("busy")),
             qPrintable(job->result().error().detail));
    QVERIFY(job->error());
    QCOMPARE(job->error()->detail, job->result().error().detail);
    QVERIFY(job->stored().isEmpty());
    // Not indexed, so not written either.
    QVERIFY(!m_keychain.contains(m_secrets.service(), clientSecretKey()));
    QVERIFY(configOnDisk().profiles.first().secretIndex.isEmpty());
}

void tst_WorkspaceLock::removalRetriesUntilTheConfigLockIsReleased()
{
    auto editing = std::make_unique<LockHolder>("config", m_dir->path());
    QVERIFY(editing->waitHeld());
    m_workspace->setLockRetryDelays({20, 40, 80, 160, 320, 640, 1280, 2560, 5120});
    auto *job = new RemovalJob(m_workspace.get(), &m_secrets, "id-api", "DEV");
    m_job.reset(job);
    QSignalSpy finished(job, &Job::finished);
    LoopTicker ticker;
    job->start();
    QTRY_VERIFY_WITH_TIMEOUT(ticker.ticks() >= 50, 10000);
    QCOMPARE(finished.count(), 0);
    QCOMPARE(configOnDisk().profiles.first().environments.size(), 2);

    editing->release();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
    QVERIFY2(job->result(), job->result() ? "" : qPrintable(job->result().error().detail));
    const Config after = configOnDisk();
    QCOMPARE(after.profiles.first().environments.size(), 1);
    QVERIFY(!after.profiles.first().environment("DEV"));
    QVERIFY(!m_workspace->config().profiles.first().environment("DEV"));
}

void tst_WorkspaceLock::removalReportsBusyWhenTheConfigLockStaysHeld()
{
    LockHolder editing("config", m_dir->path());
    QVERIFY(editing.waitHeld());
    m_workspace->setLockRetryDelays({10, 20, 40});
    auto *job = new RemovalJob(m_workspace.get(), &m_secrets, "id-api", "DEV");
    m_job.reset(job);
    QSignalSpy finished(job, &Job::finished);
    job->start();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
    QVERIFY(!job->result());
    QCOMPARE(errorCodeName(job->result().error().code), errorCodeName(ErrorCode::ConfigIo));
    QVERIFY2(job->result().error().detail.contains(QLatin1String("busy")),
             qPrintable(job->result().error().detail));
    QVERIFY2(job->result().error().detail.contains(m_store->filePath()),
             qPrintable(job->result().error().detail));
    QVERIFY(configOnDisk().profiles.first().environment("DEV"));
    QVERIFY(m_workspace->config().profiles.first().environment("DEV"));
}

QTEST_GUILESS_MAIN(tst_WorkspaceLock)
#include "tst_workspacelock.moc"
