#pragma once

#include "core/secrets/secretbackend.h"

#include <QHash>
#include <QPair>

namespace TokenTray {

// A SecretBackend over a map, for tests that need secrets but not the real keyring. Every
// answer comes asynchronously (after `delayMs` through a QTimer, next turn of the event loop
// by default); it can be locked (every request and the probe answer Locked), or made to fail
// every read, write and remove with a given status; it counts what it was asked.
class MemorySecretBackend final : public SecretBackend
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MemorySecretBackend)
public:
    using Operation = SecretBackendJob::Operation;
    using Status = SecretBackendJob::Status;

    explicit MemorySecretBackend(QObject *parent = nullptr);
    ~MemorySecretBackend() override;

    [[nodiscard]] SecretBackendJob *create(Operation operation, const QString &service,
                                           const QString &key, const Secret &value,
                                           QObject *parent) override;

    void setLocked(bool locked) { m_locked = locked; }
    [[nodiscard]] bool isLocked() const { return m_locked; }
    // How a locked backend answers. Plainly: every request says Locked. LikeSecretService: as
    // the Secret Service does through QtKeychain, which SecretStore must see through: a read
    // finds nothing, a removal is "done" and removes nothing, a write is denied; only the probe
    // says Locked.
    enum class LockedAnswers { Plainly, LikeSecretService };
    void setLockedAnswers(LockedAnswers answers) { m_lockedAnswers = answers; }
    void setDelay(int msecs) { m_delayMs = msecs; }
    [[nodiscard]] int delay() const { return m_delayMs; }
    // Reads, writes and removes answer `status` (Ok: work normally) with `message`.
    void setFailure(Status status, const QString &message = QString());

    [[nodiscard]] bool contains(const QString &service, const QString &key) const;
    [[nodiscard]] QByteArray value(const QString &service, const QString &key) const;
    void insert(const QString &service, const QString &key, const QByteArray &value);
    [[nodiscard]] int size() const { return static_cast<int>(m_items.size()); }
    void clear() { m_items.clear(); }

    // Requests created per operation (probes included), and all of them.
    [[nodiscard]] int calls(Operation operation) const { return m_calls.value(operation); }
    [[nodiscard]] int totalCalls() const;
    void resetCalls() { m_calls.clear(); }

private:
    friend class MemorySecretJob;
    struct Answer
    {
        Status status = Status::Ok;
        Secret value; // what a read found
        QString message;
    };
    // Answers one request now.
    Answer answer(Operation operation, const QString &service, const QString &key,
                  const Secret &value);

    QHash<QPair<QString, QString>, Secret> m_items;
    QHash<Operation, int> m_calls;
    Status m_failure = Status::Ok;
    QString m_failureMessage;
    int m_delayMs = 0;
    LockedAnswers m_lockedAnswers = LockedAnswers::Plainly;
    bool m_locked = false;
};

} // namespace TokenTray
