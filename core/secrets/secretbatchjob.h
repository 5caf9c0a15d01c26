#pragma once

#include "core/util/job.h"
#include "core/util/result.h"
#include "core/util/secret.h"

#include <QList>
#include <QObject>
#include <QStringList>

namespace TokenTray {

class SecretJob;
class SecretStore;

// Several keychain writes and removals as one Job: finished() comes after every operation has
// answered. A removal of an item that is not there counts as done. Not auto-deleted: the caller
// reads the result.
class SecretBatchJob final : public Job
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SecretBatchJob)
public:
    explicit SecretBatchJob(SecretStore *store, QObject *parent = nullptr);
    ~SecretBatchJob() override;

    // Before start().
    void addWrite(const QString &key, const Secret &value);
    void addRemove(const QString &key);

    [[nodiscard]] QStringList keys() const { return m_keys; }
    // Valid after finished(): the keys whose operation succeeded, and the first failure.
    [[nodiscard]] QStringList succeeded() const { return m_succeeded; }
    [[nodiscard]] const Result<void> &result() const { return m_result; }

protected:
    void doStart() override;
    void finishWithError(const Error &error) override;

private:
    void onJobFinished(SecretJob *job);

    SecretStore *m_store;
    QList<SecretJob *> m_jobs;
    QStringList m_keys;
    QStringList m_succeeded;
    Result<void> m_result;
    int m_pending = 0;
};

} // namespace TokenTray
