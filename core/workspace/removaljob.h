#pragma once

#include "core/util/job.h"
#include "core/util/result.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>

namespace TokenTray {

class SecretBatchJob;
class SecretStore;
class Workspace;

// Removes a profile (envName empty) or one of its environments with everything it keeps in the
// keychain: first the keychain items (secretEntriesToRemove), then the config entry through
// Workspace::updateSoon (a config file another process holds briefly is tried again, never
// waited on). If the keychain refuses any removal (locked, missing), the config keeps the
// profile and the index keeps what is still there, so nothing is orphaned; result() says why
// and notRemovedEntries() what is left. A Job; not auto-deleted: the caller reads the result.
class RemovalJob final : public Job
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RemovalJob)
public:
    RemovalJob(Workspace *workspace, SecretStore *store, const QString &profileId,
               const QString &envName = QString(), QObject *parent = nullptr);
    ~RemovalJob() override;

    [[nodiscard]] const Result<void> &result() const { return m_result; }
    [[nodiscard]] QString profileId() const { return m_profileId; }
    [[nodiscard]] QString environmentName() const { return m_env; }
    // After a failure: the entries ("<env>/<name>") removed (or never there) before the keychain
    // refused, and those not removed, or whose removal it did not confirm.
    [[nodiscard]] QStringList removedEntries() const { return m_removed; }
    [[nodiscard]] QStringList notRemovedEntries() const { return m_notRemoved; }

protected:
    void doStart() override; // queued
    void finishWithError(const Error &error) override;

private:
    void run();
    void onRemoved();
    void finish(const Result<void> &result);

    Workspace *m_workspace;
    SecretStore *m_store;
    QString m_profileId;
    QString m_env;
    QStringList m_entries;
    QStringList m_removed;
    QStringList m_notRemoved;
    QPointer<SecretBatchJob> m_batch;
    Result<void> m_result;
};

} // namespace TokenTray
