#include "core/util/job.h"

#include <QTimer>

namespace TokenTray {

Job::Job(QObject *parent)
    : QObject(parent)
{
}

Job::~Job() = default;

void Job::start()
{
    if (m_started)
        return;
    m_started = true;
    if (m_finished) // cancelled before start: its finish is already on its way
        return;
    m_starting = true;
    doStart();
    m_starting = false;
}

void Job::cancel()
{
    if (m_finished || m_cancelled)
        return;
    m_cancelled = true;
    if (m_subJob)
        m_subJob->cancel();
    doCancel();
    if (!m_finished)
        finishWithError(Error {ErrorCode::Cancelled, cancelledDetail()});
}

void Job::finishWithError(const Error &error)
{
    emitFinished(error);
}

QString Job::cancelledDetail() const
{
    return QStringLiteral("cancelled");
}

bool Job::emitFinished(const std::optional<Error> &error)
{
    if (m_finished)
        return false;
    m_finished = true;
    m_error = error;
    // The contract: never finished from inside start(), nor before it.
    if (m_starting || !m_started)
        QTimer::singleShot(0, this, &Job::deliverFinished);
    else
        deliverFinished();
    return true;
}

void Job::deliverFinished()
{
    Q_EMIT finished();
    if (m_autoDelete)
        deleteLater();
}

void Job::adoptSubJob(Job *sub)
{
    sub->setParent(this);
    sub->setAutoDelete(false);
    m_subJob = sub;
}

} // namespace TokenTray
