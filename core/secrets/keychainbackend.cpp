#include "core/secrets/keychainbackend.h"

#include "core/secrets/keychainprobe.h"

#include <QPointer>

#include <qt6keychain/keychain.h>

namespace TokenTray {

namespace {

// Read, Write or Remove through QtKeychain.
class KeychainJob final : public SecretBackendJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KeychainJob)
public:
    KeychainJob(Operation operation, const QString &service, const QString &key,
                const Secret &value, QObject *parent)
        : SecretBackendJob(operation, service, key, value, parent)
    {
    }
    ~KeychainJob() override
    {
        // A QtKeychain job still running deletes itself when it ends; it must not call back
        // into a deleted object.
        if (m_job)
            m_job->disconnect(this);
    }

protected:
    void run() override;

private:
    void onFinished(QKeychain::Job *job);
    QPointer<QKeychain::Job> m_job;
};

void KeychainJob::run()
{
    QKeychain::Job *job = nullptr;
    switch (operation()) {
    case Operation::Read:
        job = new QKeychain::ReadPasswordJob(service());
        break;
    case Operation::Write: {
        auto *write = new QKeychain::WritePasswordJob(service());
        write->setTextData(value().exposeUtf8());
        job = write;
        break;
    }
    case Operation::Remove:
        job = new QKeychain::DeletePasswordJob(service());
        break;
    case Operation::Probe: // KeychainBackend::create() gives probes a KeychainProbeJob
        finish(Status::Failed, QStringLiteral("a keychain item job cannot probe"));
        return;
    }
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(key());
    m_job = job;
    connect(job, &QKeychain::Job::finished, this, &KeychainJob::onFinished);
    job->start();
}

void KeychainJob::onFinished(QKeychain::Job *job)
{
    const QString message = job->errorString();
    switch (job->error()) {
    case QKeychain::NoError:
        if (operation() == Operation::Read)
            finish(Status::Ok, QString(),
                   Secret(static_cast<QKeychain::ReadPasswordJob *>(job)->textData().toUtf8()));
        else
            finish(Status::Ok);
        return;
    case QKeychain::EntryNotFound:
        finish(Status::NotFound, message);
        return;
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        finish(Status::Denied, message);
        return;
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        finish(Status::NoBackend, message);
        return;
    case QKeychain::CouldNotDeleteEntry:
    case QKeychain::OtherError:
        break;
    }
    finish(Status::Failed, message);
}

// The lock-state probe.
class KeychainProbeJob final : public SecretBackendJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KeychainProbeJob)
public:
    explicit KeychainProbeJob(QObject *parent)
        : SecretBackendJob(Operation::Probe, QString(), QString(), Secret(), parent)
    {
    }
    ~KeychainProbeJob() override = default;

protected:
    void run() override
    {
        auto *probe = new KeychainProbe(this);
        connect(probe, &KeychainProbe::finished, this, [this, probe] {
            probe->deleteLater();
            switch (probe->state()) {
            case KeychainProbe::State::Locked:
                finish(Status::Locked, probe->detail());
                return;
            case KeychainProbe::State::Missing:
                finish(Status::NoBackend, probe->detail());
                return;
            case KeychainProbe::State::Available:
            case KeychainProbe::State::Unknown:
                break;
            }
            finish(Status::Ok, probe->detail());
        });
        probe->start();
    }
};

} // namespace

KeychainBackend::KeychainBackend(QObject *parent)
    : SecretBackend(parent)
{
}

KeychainBackend::~KeychainBackend() = default;

SecretBackendJob *KeychainBackend::create(SecretBackendJob::Operation operation,
                                          const QString &service, const QString &key,
                                          const Secret &value, QObject *parent)
{
    if (operation == SecretBackendJob::Operation::Probe)
        return new KeychainProbeJob(parent);
    return new KeychainJob(operation, service, key, value, parent);
}

} // namespace TokenTray

#include "keychainbackend.moc"
