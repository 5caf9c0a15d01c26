#include "core/util/job.h"
#include "core/util/randomsource.h"

#include <QPointer>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

using namespace TokenTray;

namespace {

// A job the test drives by hand: it finishes when told, or at once from doStart() if asked.
class ManualJob final : public Job
{
public:
    using Job::emitFinished;
    using Job::Job;
    bool finishInStart = false;
    std::optional<Error> startError;
    int starts = 0;
    int cancels = 0;

protected:
    void doStart() override
    {
        ++starts;
        if (finishInStart)
            emitFinished(startError);
    }
    void doCancel() override { ++cancels; }
};

// Runs a ManualJob as its sub-job and records what it saw.
class ParentJob final : public Job
{
public:
    using Job::Job;
    QPointer<ManualJob> sub;
    bool successRan = false;

protected:
    void doStart() override
    {
        sub = new ManualJob;
        runSubJob(sub.data(), [this](ManualJob *) {
            successRan = true;
            emitFinished();
        });
    }
};

} // namespace

class tst_Job : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void finishesOnce();
    void startNeverEmitsSynchronously();
    void startTwiceRunsOnce();
    void cancelBeforeStart();
    void cancelWhileRunning();
    void cancelAfterFinishDoesNothing();
    void cancelIsIdempotent();
    void autoDeleteDeletesAfterFinished();
    void autoDeleteOffKeepsTheJob();
    void subJobErrorIsForwarded();
    void subJobSuccessContinues();
    void cancelReachesTheSubJob();
    void fixedRandomSourceIsInRange();
};

void tst_Job::finishesOnce()
{
    ManualJob job;
    job.setAutoDelete(false);
    QSignalSpy spy(&job, &Job::finished);
    job.start();
    QVERIFY(job.emitFinished(Error {ErrorCode::Network, QStringLiteral("first")}));
    QVERIFY(!job.emitFinished());
    QVERIFY(!job.emitFinished(Error {ErrorCode::Parse}));
    QCOMPARE(spy.count(), 1);
    QVERIFY(job.isFinished());
    QVERIFY(job.error().has_value());
    QCOMPARE(job.error()->code, ErrorCode::Network);
    QCOMPARE(job.error()->detail, QStringLiteral("first"));
}

void tst_Job::startNeverEmitsSynchronously()
{
    ManualJob job;
    job.setAutoDelete(false);
    job.finishInStart = true;
    QSignalSpy spy(&job, &Job::finished);
    job.start();
    QCOMPARE(job.starts, 1); // the first step ran at once
    QCOMPARE(spy.count(), 0); // but its finish waits for the event loop
    QVERIFY(spy.wait(5000));
    QCOMPARE(spy.count(), 1);
    QVERIFY(!job.error().has_value());
}

void tst_Job::startTwiceRunsOnce()
{
    ManualJob job;
    job.setAutoDelete(false);
    job.start();
    job.start();
    QCOMPARE(job.starts, 1);
    QVERIFY(job.isStarted());
}

void tst_Job::cancelBeforeStart()
{
    ManualJob job;
    job.setAutoDelete(false);
    QSignalSpy spy(&job, &Job::finished);
    job.cancel();
    QCOMPARE(spy.count(), 0); // not before start()'s caller could connect
    job.start();
    QCOMPARE(job.starts, 0); // never began
    QVERIFY(spy.wait(5000));
    QCOMPARE(spy.count(), 1);
    QVERIFY(job.isCancelled());
    QVERIFY(job.error().has_value());
    QCOMPARE(job.error()->code, ErrorCode::Cancelled);
    QTest::qWait(0);
    QCOMPARE(spy.count(), 1);
}

void tst_Job::cancelWhileRunning()
{
    ManualJob job;
    job.setAutoDelete(false);
    QSignalSpy spy(&job, &Job::finished);
    job.start();
    job.cancel();
    QCOMPARE(job.cancels, 1);
    QCOMPARE(spy.count(), 1); // at once: the caller knows the job is over
    QCOMPARE(job.error()->code, ErrorCode::Cancelled);
    QVERIFY(!job.emitFinished()); // a late answer changes nothing
    QCOMPARE(spy.count(), 1);
}

void tst_Job::cancelAfterFinishDoesNothing()
{
    ManualJob job;
    job.setAutoDelete(false);
    QSignalSpy spy(&job, &Job::finished);
    job.start();
    job.emitFinished();
    job.cancel();
    QCOMPARE(job.cancels, 0);
    QCOMPARE(spy.count(), 1);
    QVERIFY(!job.error().has_value());
    QVERIFY(!job.isCancelled());
}

void tst_Job::cancelIsIdempotent()
{
    ManualJob job;
    job.setAutoDelete(false);
    QSignalSpy spy(&job, &Job::finished);
    job.start();
    job.cancel();
    job.cancel();
    QCOMPARE(job.cancels, 1);
    QCOMPARE(spy.count(), 1);
}

void tst_Job::autoDeleteDeletesAfterFinished()
{
    QPointer<ManualJob> job = new ManualJob;
    QVERIFY(job->autoDelete());
    bool readableInSlot = false;
    QObject context;
    connect(job.data(), &Job::finished, &context,
            [&] { readableInSlot = job && job->error()->code == ErrorCode::Timeout; });
    job->start();
    job->emitFinished(Error {ErrorCode::Timeout});
    QVERIFY(readableInSlot);
    QTRY_VERIFY_WITH_TIMEOUT(job.isNull(), 5000);
}

void tst_Job::autoDeleteOffKeepsTheJob()
{
    QObject owner;
    QPointer<ManualJob> job = new ManualJob(&owner);
    job->setAutoDelete(false);
    QSignalSpy spy(job.data(), &Job::finished);
    job->finishInStart = true;
    job->start();
    QVERIFY(spy.wait(5000));
    QTest::qWait(0);
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    QVERIFY(!job.isNull());
}

void tst_Job::subJobErrorIsForwarded()
{
    ParentJob parent;
    parent.setAutoDelete(false);
    QSignalSpy spy(&parent, &Job::finished);
    parent.start();
    QVERIFY(parent.sub);
    QVERIFY(!parent.sub->autoDelete()); // the parent reads it before deleting it
    parent.sub->emitFinished(Error {ErrorCode::InvalidGrant, QStringLiteral("revoked"), 400});
    QCOMPARE(spy.count(), 1);
    QVERIFY(!parent.successRan);
    QCOMPARE(parent.error()->code, ErrorCode::InvalidGrant);
    QCOMPARE(parent.error()->detail, QStringLiteral("revoked"));
    QCOMPARE(parent.error()->httpStatus, 400);
    QTRY_VERIFY_WITH_TIMEOUT(parent.sub.isNull(), 5000);
}

void tst_Job::subJobSuccessContinues()
{
    ParentJob parent;
    parent.setAutoDelete(false);
    QSignalSpy spy(&parent, &Job::finished);
    parent.start();
    parent.sub->emitFinished();
    QVERIFY(parent.successRan);
    QCOMPARE(spy.count(), 1);
    QVERIFY(!parent.error().has_value());
}

void tst_Job::cancelReachesTheSubJob()
{
    ParentJob parent;
    parent.setAutoDelete(false);
    QSignalSpy spy(&parent, &Job::finished);
    parent.start();
    QPointer<ManualJob> sub = parent.sub;
    parent.cancel();
    QVERIFY(sub);
    QCOMPARE(sub->cancels, 1);
    QVERIFY(sub->isCancelled());
    QCOMPARE(spy.count(), 1);
    QCOMPARE(parent.error()->code, ErrorCode::Cancelled);
    QVERIFY(!parent.successRan);
}

void tst_Job::fixedRandomSourceIsInRange()
{
    FixedRandomSource random(0.25);
    QCOMPARE(random.generateDouble(), 0.25);
    QCOMPARE(random.bounded(100), qint64(25));
    QCOMPARE(random.bounded(0), qint64(0));
    random.setFraction(1.0);
    QCOMPARE(random.bounded(10), qint64(9)); // never reaches the bound
    SystemRandomSource *system = SystemRandomSource::instance();
    for (int i = 0; i < 100; ++i) {
        const qint64 value = system->bounded(7);
        QVERIFY(value >= 0 && value < 7);
        const double d = system->generateDouble();
        QVERIFY(d >= 0.0 && d < 1.0);
    }
}

QTEST_GUILESS_MAIN(tst_Job)
#include "tst_job.moc"
