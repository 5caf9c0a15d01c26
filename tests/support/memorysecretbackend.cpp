#include "tests/support/memorysecretbackend.h"

#include <QPointer>
#include <QTimer>

namespace TokenTray {

class MemorySecretJob final : public SecretBackendJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MemorySecretJob)
public:
    MemorySecretJob(MemorySecretBackend *backend, Operation operation, const QString &service,
                    const QString &key, const Secret &value, QObject *parent)
        : SecretBackendJob(operation, service, key, value, parent)
        , m_backend(backend)
    {
    }
    ~MemorySecretJob() override = default;

protected:
    void run() override
    {
        // The backend state counts when the answer comes, as with a real keychain.
        QTimer::singleShot(m_backend ? m_backend->delay() : 0, this, [this] {
            if (!m_backend) {
                finish(Status::NoBackend, QStringLiteral("the backend is gone"));
                return;
            }
            const MemorySecretBackend::Answer a
                = m_backend->answer(operation(), service(), key(), value());
            finish(a.status, a.message, a.value);
        });
    }

private:
    QPointer<MemorySecretBackend> m_backend;
};

MemorySecretBackend::MemorySecretBackend(QObject *parent)
    : SecretBackend(parent)
{
}

MemorySecretBackend::~MemorySecretBackend() = default;

SecretBackendJob *MemorySecretBackend::create(Operation operation, const QString &service,
                                              const QString &key, const Secret &value,
                                              QObject *parent)
{
    ++m_calls[operation];
    return new MemorySecretJob(this, operation, service, key, value, parent);
}

void MemorySecretBackend::setFailure(Status status, const QString &message)
{
    m_failure = status;
    m_failureMessage = message;
}

bool MemorySecretBackend::contains(const QString &service, const QString &key) const
{
    return m_items.contains({service, key});
}

QByteArray MemorySecretBackend::value(const QString &service, const QString &key) const
{
    return m_items.value({service, key}).expose();
}

void MemorySecretBackend::insert(const QString &service, const QString &key,
                                 const QByteArray &value)
{
    m_items.insert({service, key}, Secret(value));
}

int MemorySecretBackend::totalCalls() const
{
    int total = 0;
    for (const int n : m_calls)
        total += n;
    return total;
}

MemorySecretBackend::Answer MemorySecretBackend::answer(Operation operation, const QString &service,
                                                        const QString &key, const Secret &value)
{
    if (m_locked && (operation == Operation::Probe || m_lockedAnswers == LockedAnswers::Plainly))
        return {Status::Locked, {}, QStringLiteral("the memory keychain is locked")};
    if (m_locked) {
        switch (operation) {
        case Operation::Read:
            return {Status::NotFound, {}, QStringLiteral("no such item")};
        case Operation::Remove:
            return {};
        case Operation::Write:
        case Operation::Probe:
            break;
        }
        return {Status::Denied, {}, QStringLiteral("the collection is locked")};
    }
    if (operation == Operation::Probe)
        return {};
    if (m_failure != Status::Ok)
        return {m_failure, {}, m_failureMessage};
    const QPair<QString, QString> id {service, key};
    switch (operation) {
    case Operation::Read:
        if (!m_items.contains(id))
            return {Status::NotFound, {}, QStringLiteral("no such item")};
        return {Status::Ok, m_items.value(id), {}};
    case Operation::Write:
        m_items.insert(id, value);
        break;
    case Operation::Remove: // like the Secret Service: removing nothing is done too
        m_items.remove(id);
        break;
    case Operation::Probe:
        break;
    }
    return {};
}

} // namespace TokenTray

#include "memorysecretbackend.moc"
