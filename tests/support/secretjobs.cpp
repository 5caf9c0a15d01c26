#include "tests/support/secretjobs.h"

#include <QSignalSpy>
#include <QTest>

#include <algorithm>

using namespace TokenTray;

namespace TestEnv {

Result<Secret> runSecretJob(SecretJob *job, int timeoutMs)
{
    job->setAutoDelete(false);
    QSignalSpy done(job, &SecretJob::finished);
    job->start();
    Result<Secret> result
        = Error {ErrorCode::Internal, QStringLiteral("the keychain job did not finish")};
    if (done.wait(timeoutMs))
        result = job->result();
    delete job;
    return result;
}

bool writeSecrets(SecretStore *store, const QList<std::pair<QString, QByteArray>> &items,
                  int timeoutMs)
{
    QList<SecretJob *> jobs;
    for (const auto &[key, value] : items) {
        SecretJob *job = store->write(key, Secret(value));
        job->setAutoDelete(false);
        jobs.append(job);
    }
    for (SecretJob *job : std::as_const(jobs))
        job->start();
    const bool finished = QTest::qWaitFor(
        [&jobs] {
            return std::all_of(jobs.cbegin(), jobs.cend(),
                               [](const SecretJob *job) { return job->isFinished(); });
        },
        timeoutMs);
    const bool written = finished
        && std::all_of(jobs.cbegin(), jobs.cend(),
                       [](const SecretJob *job) { return job->result().has_value(); });
    qDeleteAll(jobs);
    return written;
}

bool writeSecret(SecretStore *store, const QString &key, const QByteArray &value)
{
    return runSecretJob(store->write(key, Secret(value))).has_value();
}

bool removeSecret(SecretStore *store, const QString &key)
{
    return runSecretJob(store->remove(key)).has_value();
}

} // namespace TestEnv
