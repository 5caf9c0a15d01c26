#pragma once

#include "core/util/secret.h"

#include <QObject>

namespace TokenTray {

// One request to a secret backend, with QtKeychain's contract: start() never emits
// synchronously and finished() is emitted exactly once. The backend only answers; SecretStore
// adds the deadline, the queue, the cache and the double-checks of ambiguous answers.
class SecretBackendJob : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SecretBackendJob)
public:
    // Probe asks whether the backend can be used right now, without prompting.
    enum class Operation { Read, Write, Remove, Probe };
    Q_ENUM(Operation)
    // For Probe: Ok (usable), Locked, or NoBackend (no keychain at all).
    enum class Status { Pending, Ok, NotFound, Locked, Denied, NoBackend, Failed };
    Q_ENUM(Status)

    ~SecretBackendJob() override;

    void start(); // queued: run() comes on the next turn of the event loop
    [[nodiscard]] Operation operation() const { return m_operation; }
    [[nodiscard]] QString service() const { return m_service; }
    [[nodiscard]] QString key() const { return m_key; }
    [[nodiscard]] Status status() const { return m_status; }
    // What the backend said, for logs; never a secret.
    [[nodiscard]] QString message() const { return m_message; }
    // The value to write (Write) or the value read (Read, after finished()).
    [[nodiscard]] const Secret &value() const { return m_value; }

Q_SIGNALS:
    void finished();

protected:
    SecretBackendJob(Operation operation, const QString &service, const QString &key,
                     const Secret &value, QObject *parent);
    virtual void run() = 0;
    // Emits finished() once; later calls are ignored.
    void finish(Status status, const QString &message = QString(), const Secret &value = Secret());

private:
    Operation m_operation;
    QString m_service;
    QString m_key;
    Secret m_value;
    QString m_message;
    Status m_status = Status::Pending;
    bool m_started = false;
};

// Where secrets live: the OS keychain in production (KeychainBackend), a map in tests.
class SecretBackend : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SecretBackend)
public:
    explicit SecretBackend(QObject *parent = nullptr);
    ~SecretBackend() override;

    // A job parented to `parent`, not started yet. `value` is used by Write only; Probe ignores
    // `service` and `key`.
    [[nodiscard]] virtual SecretBackendJob *create(SecretBackendJob::Operation operation,
                                                   const QString &service, const QString &key,
                                                   const Secret &value, QObject *parent)
        = 0;
};

} // namespace TokenTray
