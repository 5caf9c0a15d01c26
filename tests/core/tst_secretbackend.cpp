// SecretStore over MemorySecretBackend: the store's contract against the SecretBackend seam,
// with the backend locked, slow or failing, and counting what the store asks of it.
#include "core/secrets/secretstore.h"
#include "tests/support/memorysecretbackend.h"
#include "tests/support/secretjobs.h"

#include <QSignalSpy>
#include <QTest>

using namespace TokenTray;

namespace {
const QString kService = QStringLiteral("tokentray-test-backend");
const QString kKey = QStringLiteral("p1/QA/client_secret");
} // namespace

class tst_SecretBackend : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void backendJobsNeverFinishFromStart();
    void writeThenReadComesFromTheCache();
    void missingItemIsNotFound();
    void lockedBackendIsReportedAndKeptValuesAreWrittenLater();
    void slowBackendMeetsTheDeadline();
    void cancelFreesTheTurnAtTheBackend();
    void failuresAreReported_data();
    void failuresAreReported();
};

void tst_SecretBackend::backendJobsNeverFinishFromStart()
{
    MemorySecretBackend backend;
    backend.insert(kService, kKey, "s3cret");
    for (const auto operation :
         {SecretBackendJob::Operation::Read, SecretBackendJob::Operation::Write,
          SecretBackendJob::Operation::Remove, SecretBackendJob::Operation::Probe}) {
        SecretBackendJob *job = backend.create(operation, kService, kKey, Secret("x"), this);
        QSignalSpy finished(job, &SecretBackendJob::finished);
        job->start();
        QCOMPARE(finished.count(), 0);
        QCOMPARE(job->status(), SecretBackendJob::Status::Pending);
        QVERIFY(finished.wait(5000));
        QCOMPARE(job->status(), SecretBackendJob::Status::Ok);
        QTest::qWait(0); // a second emission would come from the event loop
        QCOMPARE(finished.count(), 1);
        delete job;
    }
    QCOMPARE(backend.totalCalls(), 4);
}

void tst_SecretBackend::writeThenReadComesFromTheCache()
{
    MemorySecretBackend backend;
    SecretStore store(&backend, kService);
    QVERIFY(TestEnv::runSecretJob(store.write(kKey, Secret("v1"))));
    QCOMPARE(backend.value(kService, kKey), QByteArray("v1"));
    QCOMPARE(backend.calls(SecretBackendJob::Operation::Write), 1);

    const auto read = TestEnv::runSecretJob(store.read(kKey));
    QVERIFY(read);
    QCOMPARE(read->expose(), QByteArray("v1"));
    QCOMPARE(backend.calls(SecretBackendJob::Operation::Read), 0); // answered from memory

    SecretStore fresh(&backend, kService); // as after a restart
    const auto reread = TestEnv::runSecretJob(fresh.read(kKey));
    QVERIFY(reread);
    QCOMPARE(reread->expose(), QByteArray("v1"));
    QCOMPARE(backend.calls(SecretBackendJob::Operation::Read), 1);

    QVERIFY(TestEnv::runSecretJob(fresh.remove(kKey)));
    QVERIFY(!backend.contains(kService, kKey));
    QVERIFY(!fresh.isCached(kKey));
}

void tst_SecretBackend::missingItemIsNotFound()
{
    MemorySecretBackend backend;
    SecretStore store(&backend, kService);
    const auto r = TestEnv::runSecretJob(store.read(kKey));
    QVERIFY(!r);
    QCOMPARE(errorCodeName(r.error().code), errorCodeName(ErrorCode::SecretNotFound));
    // "Not found" is double-checked against a lock: the backend was probed after the read.
    QVERIFY(backend.calls(SecretBackendJob::Operation::Probe) >= 1);
}

void tst_SecretBackend::lockedBackendIsReportedAndKeptValuesAreWrittenLater()
{
    MemorySecretBackend backend;
    backend.insert(kService, kKey, "old");
    SecretStore store(&backend, kService);
    QSignalSpy unavailable(&store, &SecretStore::keychainUnavailable);
    QSignalSpy available(&store, &SecretStore::keychainAvailable);
    backend.setLocked(true);

    const auto r = TestEnv::runSecretJob(store.read(kKey));
    QVERIFY(!r);
    QCOMPARE(errorCodeName(r.error().code), errorCodeName(ErrorCode::KeychainLocked));
    QCOMPARE(unavailable.count(), 1);

    const auto kept = TestEnv::runSecretJob(store.keep(kKey, Secret("new")));
    QVERIFY(!kept);
    QCOMPARE(errorCodeName(kept.error().code), errorCodeName(ErrorCode::KeychainLocked));
    QVERIFY(store.hasUnsaved(kKey));
    QCOMPARE(backend.value(kService, kKey), QByteArray("old")); // nothing lost or overwritten
    QCOMPARE(store.cached(kKey).value_or(Secret()).expose(), QByteArray("new"));

    backend.setLocked(false);
    store.probeAvailability();
    QVERIFY(available.wait(5000));
    QTRY_COMPARE_WITH_TIMEOUT(backend.value(kService, kKey), QByteArray("new"), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(!store.hasUnsaved(kKey), 10000);
}

void tst_SecretBackend::slowBackendMeetsTheDeadline()
{
    MemorySecretBackend backend;
    backend.setDelay(60000);
    SecretStore store(&backend, kService);
    store.setTimeout(100);
    const auto r = TestEnv::runSecretJob(store.read(kKey));
    QVERIFY(!r);
    QCOMPARE(errorCodeName(r.error().code), errorCodeName(ErrorCode::KeychainTimeout));

    backend.setDelay(20); // slow but in time
    store.setTimeout(10000);
    QVERIFY(TestEnv::runSecretJob(store.write(kKey, Secret("v"))));
    QCOMPARE(backend.value(kService, kKey), QByteArray("v"));
}

void tst_SecretBackend::cancelFreesTheTurnAtTheBackend()
{
    MemorySecretBackend backend;
    backend.setDelay(60000);
    SecretStore store(&backend, kService);
    QList<SecretJob *> hanging;
    for (int i = 0; i < SecretStore::kMaxActiveJobs; ++i) {
        SecretJob *job = store.write(kKey + QString::number(i), Secret("h"));
        job->setAutoDelete(false);
        job->start();
        hanging << job;
    }
    SecretJob *waiting = store.write(kKey, Secret("w"));
    waiting->setAutoDelete(false);
    QSignalSpy waitingDone(waiting, &Job::finished);
    waiting->start();
    // Every turn is taken by a job whose probe hangs; the last one waits.
    QTRY_COMPARE_WITH_TIMEOUT(backend.calls(SecretBackendJob::Operation::Probe),
                              SecretStore::kMaxActiveJobs, 5000);
    QCOMPARE(waitingDone.count(), 0);

    backend.setDelay(0);
    QSignalSpy cancelledDone(hanging.first(), &Job::finished);
    hanging.first()->cancel();
    QCOMPARE(cancelledDone.count(), 1); // a running job finishes at once
    QVERIFY(!hanging.first()->result());
    QCOMPARE(errorCodeName(hanging.first()->result().error().code),
             errorCodeName(ErrorCode::Cancelled));
    QVERIFY(hanging.first()->error());
    // Its turn went to the waiting job.
    QVERIFY(waitingDone.wait(5000));
    QVERIFY2(waiting->result(),
             waiting->result() ? "" : qPrintable(waiting->result().error().detail));
    QCOMPARE(backend.value(kService, kKey), QByteArray("w"));
    QVERIFY(!backend.contains(kService, kKey + QString::number(0)));
    QVERIFY(!store.isIdle());

    for (SecretJob *job : std::as_const(hanging))
        job->cancel();
    QVERIFY(store.isIdle());
    QCOMPARE(cancelledDone.count(), 1); // cancelling a finished job does nothing
    qDeleteAll(hanging);
    delete waiting;
}

void tst_SecretBackend::failuresAreReported_data()
{
    QTest::addColumn<SecretBackendJob::Status>("status");
    QTest::addColumn<ErrorCode>("expected");
    QTest::newRow("denied") << SecretBackendJob::Status::Denied << ErrorCode::KeychainFailure;
    QTest::newRow("no backend") << SecretBackendJob::Status::NoBackend << ErrorCode::NoKeychain;
    QTest::newRow("other") << SecretBackendJob::Status::Failed << ErrorCode::KeychainFailure;
}

void tst_SecretBackend::failuresAreReported()
{
    QFETCH(SecretBackendJob::Status, status);
    QFETCH(ErrorCode, expected);
    MemorySecretBackend backend;
    backend.setFailure(status, QStringLiteral("scripted failure"));
    SecretStore store(&backend, kService);
    for (SecretJob *job : {store.read(kKey), store.write(kKey, Secret("v")), store.remove(kKey)}) {
        const auto r = TestEnv::runSecretJob(job);
        QVERIFY(!r);
        QCOMPARE(errorCodeName(r.error().code), errorCodeName(expected));
        QVERIFY2(r.error().detail.contains(QLatin1String("scripted failure")),
                 qPrintable(r.error().detail));
    }
    QVERIFY(!backend.contains(kService, kKey));
    QCOMPARE(backend.calls(SecretBackendJob::Operation::Write), 1);
}

QTEST_GUILESS_MAIN(tst_SecretBackend)
#include "tst_secretbackend.moc"
