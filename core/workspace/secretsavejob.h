#pragma once

#include "core/util/job.h"
#include "core/util/result.h"
#include "core/util/secret.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

#include <utility>

namespace TokenTray {

class SecretBatchJob;
class SecretStore;
class Workspace;

// Stores the secrets a person typed for one (profile, environment). The names go into the
// profile's secretIndex first (an indexed item never written is harmless; an item written but
// not indexed would outlive its profile), then the values into the keychain. When the keychain
// refuses (locked, missing), the entries this job added are taken out of the index again and
// result() says why. The index is edited through Workspace::updateSoon: a config file another
// process holds briefly is tried again, never waited on. A Job; not auto-deleted: the caller
// reads the result.
class SecretSaveJob final : public Job
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SecretSaveJob)
public:
    // `secrets`: (name, value) pairs such as ("client_secret", …); empty values are skipped.
    SecretSaveJob(Workspace *workspace, SecretStore *store, const QString &profileId,
                  const QString &envName, const QList<std::pair<QString, Secret>> &secrets,
                  QObject *parent = nullptr);
    ~SecretSaveJob() override;

    [[nodiscard]] const Result<void> &result() const { return m_result; }
    // The names that reached the keychain (valid after finished()).
    [[nodiscard]] QStringList stored() const { return m_stored; }

protected:
    void doStart() override; // queued
    void finishWithError(const Error &error) override;

private:
    void run();
    void write();
    void onWritten();
    void dropTokenCache(const Result<void> &written);
    void finish(const Result<void> &result);

    Workspace *m_workspace;
    SecretStore *m_store;
    QString m_profileId;
    QString m_env;
    QList<std::pair<QString, Secret>> m_secrets;
    QStringList m_added; // index entries this job added
    QPointer<SecretBatchJob> m_batch;
    QStringList m_stored;
    Result<void> m_result;
};

} // namespace TokenTray
