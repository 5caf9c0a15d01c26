#pragma once

#include "core/util/error.h"
#include "core/util/result.h"

#include <QObject>
#include <QPointer>

#include <optional>

namespace TokenTray {

// The base of every asynchronous operation in core, with QtKeychain's contract:
// - start() runs the job's first step at once but never emits finished() synchronously: a
//   finish reached from inside start() is delivered from the event loop.
// - finished() is emitted exactly once; error() and the subclass's result are readable after it.
// - cancel() is the one way to stop a job and is idempotent. The rule: a job cancelled before it
//   finished always finishes, with ErrorCode::Cancelled (at once, or from the event loop when
//   called before or inside start()); cancelling a finished job does nothing.
// - autoDelete (on by default) deletes the job with deleteLater() after finished() returns.
class Job : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Job)
public:
    explicit Job(QObject *parent = nullptr);
    ~Job() override;

    void start();
    void cancel();

    [[nodiscard]] bool isStarted() const { return m_started; }
    [[nodiscard]] bool isFinished() const { return m_finished; }
    [[nodiscard]] bool isCancelled() const { return m_cancelled; }
    // Empty when the job succeeded (or has not finished).
    [[nodiscard]] const std::optional<Error> &error() const { return m_error; }

    [[nodiscard]] bool autoDelete() const { return m_autoDelete; }
    void setAutoDelete(bool autoDelete) { m_autoDelete = autoDelete; }

Q_SIGNALS:
    void finished();

protected:
    // The job's first step; called once, from start().
    virtual void doStart() = 0;
    // Stops the work in flight (aborts replies, cancels sub-jobs). The base finishes the job with
    // ErrorCode::Cancelled afterwards (through finishWithError()) unless doCancel() finished it.
    virtual void doCancel() { }
    // How the base finishes the job with an error (a cancellation, a sub-job's error). A job
    // with a typed result overrides it to store the error in its result.
    virtual void finishWithError(const Error &error);
    // The job's detail for a cancellation.
    [[nodiscard]] virtual QString cancelledDetail() const;

    // Finishes the job once: later calls return false and do nothing.
    bool emitFinished(const std::optional<Error> &error = std::nullopt);
    // Finishes the job once with a typed result's error (none when it holds a value).
    template<typename T> bool emitFinished(const Result<T> &result)
    {
        return emitFinished(result ? std::nullopt : std::optional<Error>(result.error()));
    }

    // Starts `sub` (a child of this job, not auto-deleted: it is deleted after `onSuccess` runs).
    // Its error, if any, finishes this job with the same error; otherwise `onSuccess(sub)` runs.
    // Cancelling this job cancels the sub-job in flight.
    template<typename SubJob, typename OnSuccess> void runSubJob(SubJob *sub, OnSuccess onSuccess)
    {
        adoptSubJob(sub);
        connect(sub, &Job::finished, this, [this, sub, onSuccess] {
            sub->deleteLater();
            if (m_subJob == sub)
                m_subJob = nullptr;
            if (sub->error()) {
                finishWithError(*sub->error());
                return;
            }
            onSuccess(sub);
        });
        sub->start();
    }

private:
    void adoptSubJob(Job *sub);
    void deliverFinished();

    QPointer<Job> m_subJob;
    std::optional<Error> m_error;
    bool m_started = false;
    bool m_starting = false;
    bool m_finished = false;
    bool m_cancelled = false;
    bool m_autoDelete = true;
};

} // namespace TokenTray
