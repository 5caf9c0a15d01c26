#pragma once

#include "core/util/job.h"
#include "core/util/result.h"
#include "core/util/secret.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>

class QTimer;

namespace TokenTray {

class SecretBackend;
class SecretBackendJob;
class SecretStore;

// One keychain operation, a Job (QtKeychain's contract) plus what QtKeychain lacks: the job
// enforces its own deadline, and a locked keychain is reported as KeychainLocked (never as "not
// found" or "deleted"). Deletes itself after finished() (autoDelete, like QKeychain::Job).
class SecretJob final : public Job
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SecretJob)
public:
    enum class Operation { Read, Write, Remove };
    Q_ENUM(Operation)

    ~SecretJob() override;

    [[nodiscard]] Operation operation() const { return m_operation; }
    [[nodiscard]] QString key() const { return m_key; }
    // The secret for Read; an empty Secret for Write and Remove. Valid after finished().
    [[nodiscard]] const Result<Secret> &result() const { return m_result; }

protected:
    void doStart() override;
    void finishWithError(const Error &error) override;

private:
    friend class SecretStore;
    SecretJob(SecretStore *store, Operation operation, const QString &key, const Secret &value,
              bool kept = false);

    void begin();
    void probe(void (SecretJob::*next)(), bool allowRecent);
    void runBackend();
    void onBackendFinished();
    void unavailable(const Error &error);
    void confirmNotLocked();
    void succeed();
    void finish(const Result<Secret> &result);

    SecretStore *m_store;
    Operation m_operation;
    QString m_key;
    Secret m_value;
    Result<Secret> m_result = Secret();
    std::optional<Error> m_pendingError; // what to report if the re-probe finds no lock
    QTimer *m_deadline = nullptr;
    QPointer<SecretBackendJob> m_backendJob;
    QPointer<SecretBackendJob> m_probe;
    bool m_kept = false; // SecretStore::keep(): the value stays in memory until written
};

// The secrets of one service name in a SecretBackend (the OS keychain in production:
// KeychainBackend), with an in-memory copy of what was read so each item is read once per
// unlock. Never falls back to plaintext.
class SecretStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SecretStore)
public:
    static constexpr int kDefaultTimeoutMs = 10000;
    // Jobs talking to the backend at once; the rest wait their turn (their deadline starts
    // when their turn comes). The Secret Service answers one request at a time anyway.
    static constexpr int kMaxActiveJobs = 4;
    // A keychain seen unlocked this recently is not asked again before a job (answers that
    // QtKeychain gets wrong on a locked keychain are always double-checked).
    static constexpr int kProbeReuseMs = 1000;

    // The backend is not owned and must outlive the store.
    explicit SecretStore(SecretBackend *backend,
                         const QString &service = QStringLiteral("tokentray"),
                         QObject *parent = nullptr);
    ~SecretStore() override;

    [[nodiscard]] QString service() const { return m_service; }
    [[nodiscard]] SecretBackend *backend() const { return m_backend; }
    void setTimeout(int msecs) { m_timeoutMs = msecs; }
    [[nodiscard]] int timeout() const { return m_timeoutMs; }

    // Each returns a job parented to the store; call start() on it.
    [[nodiscard]] SecretJob *read(const QString &key);
    [[nodiscard]] SecretJob *write(const QString &key, const Secret &value);
    [[nodiscard]] SecretJob *remove(const QString &key);
    // A write of a value that must not be lost (a rotated refresh token, a token cache): from
    // start() on, reads of the key answer this value; if the keychain cannot take it (locked,
    // gone, timed out) the job still reports the failure, but the store keeps the value in
    // memory and writes it again later (with backoff, when the keychain is seen available again,
    // and on flushUnsaved()), until a write, a newer write or a remove of the key lands.
    [[nodiscard]] SecretJob *keep(const QString &key, const Secret &value);

    // Values kept in memory that have not reached the keychain yet.
    [[nodiscard]] int unsavedCount() const { return static_cast<int>(m_unsaved.size()); }
    [[nodiscard]] bool hasUnsaved(const QString &key) const { return m_unsaved.contains(key); }
    // Writes every unsaved value now (before quitting, after an unlock).
    void flushUnsaved();
    // No job started and unfinished: what was written has reached the keychain or failed.
    [[nodiscard]] bool isIdle() const { return m_running == 0; }
    // Asks the keychain whether it is usable again after it was found locked or missing;
    // keychainAvailable() follows if it is.
    void probeAvailability();

    // Forget every value held in memory (the keychain was locked, the user signed out).
    void forgetCache();
    [[nodiscard]] bool isCached(const QString &key) const { return m_cache.contains(key); }
    // The value held in memory, if any: what a read() would answer without the backend.
    [[nodiscard]] std::optional<Secret> cached(const QString &key) const;

Q_SIGNALS:
    // The keychain was found locked or missing by some job; the UI shows the Locked state.
    void keychainUnavailable(const TokenTray::Error &error);
    // The keychain answered again after keychainUnavailable(): unsaved values are being written.
    void keychainAvailable();
    // The last started job finished.
    void idle();

private:
    friend class SecretJob;
    void enqueue(SecretJob *job);
    void release(SecretJob *job);
    void noteProbe(bool available);
    [[nodiscard]] bool recentlyAvailable() const;
    void noteStarted();
    void noteFinished(SecretJob *job);
    void scheduleRetry();

    [[nodiscard]] static std::optional<Error> probeError(const SecretBackendJob *probe);

    SecretBackend *m_backend;
    QString m_service;
    int m_timeoutMs = kDefaultTimeoutMs;
    QHash<QString, Secret> m_cache;
    QList<QPointer<SecretJob>> m_waiting;
    QSet<SecretJob *> m_active;
    QDateTime m_availableAt; // monotonic enough for a one-second window
    QHash<QString, Secret> m_unsaved; // kept values not yet in the keychain
    QSet<QString> m_rewriting; // unsaved keys with a write under way
    QTimer *m_retryTimer = nullptr;
    int m_retryDelayMs = 0;
    int m_running = 0;
    bool m_unavailable = false; // keychainUnavailable() was the last word
    QPointer<SecretBackendJob> m_availabilityProbe;
};

} // namespace TokenTray
