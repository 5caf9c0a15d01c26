#pragma once

#include "core/util/job.h"

#include <QObject>
#include <QPointer>

class QTimer;

namespace TokenTray {

class SecretStore;
class TokenEngine;

// Writes what must outlive this process before it ends: the token caches the engine deferred
// and the values the secret store keeps in memory because the keychain could not take them yet
// (a rotated refresh token). Refreshes under way are waited for first, since one may bring a
// rotated refresh token. finished() follows once everything is written or failed, or at the
// deadline; unsavedCount() then tells what could only be kept in memory.
class PersistJob final : public Job
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PersistJob)
public:
    static constexpr int kDefaultTimeoutMs = 3000;

    PersistJob(TokenEngine *engine, SecretStore *secrets, QObject *parent = nullptr);
    ~PersistJob() override;

    void setTimeout(int msecs) { m_timeoutMs = msecs; }
    // Values still only in memory when it finished; 0 means everything reached the keychain.
    [[nodiscard]] int unsavedCount() const { return m_unsaved; }
    [[nodiscard]] bool timedOut() const { return m_timedOut; }

protected:
    void doStart() override; // queued
    void finishWithError(const Error &error) override;

private:
    void run();
    void check();
    void finish(const std::optional<Error> &error = std::nullopt);

    QPointer<TokenEngine> m_engine;
    QPointer<SecretStore> m_secrets;
    QTimer *m_deadline;
    int m_timeoutMs = kDefaultTimeoutMs;
    int m_unsaved = 0;
    bool m_running = false;
    bool m_timedOut = false;
};

} // namespace TokenTray
