#include "core/secrets/secretbackend.h"

#include <QTimer>

#include <utility>

namespace TokenTray {

SecretBackendJob::SecretBackendJob(Operation operation, const QString &service, const QString &key,
                                   const Secret &value, QObject *parent)
    : QObject(parent)
    , m_operation(operation)
    , m_service(service)
    , m_key(key)
    , m_value(value)
{
}

SecretBackendJob::~SecretBackendJob() = default;

void SecretBackendJob::start()
{
    if (std::exchange(m_started, true))
        return;
    QTimer::singleShot(0, this, &SecretBackendJob::run);
}

void SecretBackendJob::finish(Status status, const QString &message, const Secret &value)
{
    if (m_status != Status::Pending)
        return;
    m_status = status;
    m_message = message;
    m_value = value;
    Q_EMIT finished();
}

SecretBackend::SecretBackend(QObject *parent)
    : QObject(parent)
{
}

SecretBackend::~SecretBackend() = default;

} // namespace TokenTray
