#include "core/secrets/keychainprobe.h"

#include "core/util/logging.h"

#include <QTimer>

#if defined(Q_OS_UNIX) && !defined(Q_OS_DARWIN) && !defined(Q_OS_ANDROID)
#define TOKENTRAY_SECRET_SERVICE 1
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusObjectPath>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDBusVariant>
#endif

namespace TokenTray {
namespace {
#ifdef TOKENTRAY_SECRET_SERVICE
const QString kService = QStringLiteral("org.freedesktop.secrets");
const QString kServicePath = QStringLiteral("/org/freedesktop/secrets");
const QString kDBusService = QStringLiteral("org.freedesktop.DBus");
const QString kDBusPath = QStringLiteral("/org/freedesktop/DBus");
#endif
} // namespace

KeychainProbe::KeychainProbe(QObject *parent)
    : Job(parent)
{
    setAutoDelete(false); // the caller reads state() and deletes it
}

KeychainProbe::~KeychainProbe() = default;

void KeychainProbe::doStart()
{
    QTimer::singleShot(0, this, [this] {
        if (!isFinished()) // not cancelled before it began
            run();
    });
}

std::optional<Error> KeychainProbe::verdict(State state, const QString &detail)
{
    switch (state) {
    case State::Locked:
        return Error {ErrorCode::KeychainLocked, detail};
    case State::Missing:
        return Error {ErrorCode::NoKeychain, detail};
    case State::Available:
    case State::Unknown:
        break;
    }
    return std::nullopt;
}

void KeychainProbe::finish(State state, const QString &detail)
{
    if (isFinished())
        return;
    m_state = state;
    m_detail = detail;
    qCDebug(lcSecrets) << "keychain probe:" << state << detail;
    emitFinished(verdict(state, detail));
}

#ifdef TOKENTRAY_SECRET_SERVICE

void KeychainProbe::run()
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected()) {
        finish(State::Missing,
               QStringLiteral("there is no D-Bus session bus (") + bus.lastError().message()
                   + QLatin1Char(')'));
        return;
    }
    checkOwner();
}

void KeychainProbe::checkOwner()
{
    QDBusMessage call = QDBusMessage::createMethodCall(kDBusService, kDBusPath, kDBusService,
                                                       QStringLiteral("NameHasOwner"));
    call << kService;
    auto *watcher
        = new QDBusPendingCallWatcher(QDBusConnection::sessionBus().asyncCall(call), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this](QDBusPendingCallWatcher *w) {
        w->deleteLater();
        const QDBusPendingReply<bool> reply = *w;
        if (reply.isError()) {
            finish(State::Missing, reply.error().message());
            return;
        }
        if (reply.value())
            readDefaultAlias();
        else
            checkActivatable();
    });
}

void KeychainProbe::checkActivatable()
{
    const QDBusMessage call = QDBusMessage::createMethodCall(
        kDBusService, kDBusPath, kDBusService, QStringLiteral("ListActivatableNames"));
    auto *watcher
        = new QDBusPendingCallWatcher(QDBusConnection::sessionBus().asyncCall(call), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this](QDBusPendingCallWatcher *w) {
        w->deleteLater();
        const QDBusPendingReply<QStringList> reply = *w;
        if (reply.isError() || !reply.value().contains(kService)) {
            finish(State::Missing,
                   QStringLiteral("no Secret Service (org.freedesktop.secrets) "
                                  "is running or installed on the session bus"));
            return;
        }
        readDefaultAlias(); // the call below starts the service
    });
}

void KeychainProbe::readDefaultAlias()
{
    QDBusMessage call = QDBusMessage::createMethodCall(
        kService, kServicePath, QStringLiteral("org.freedesktop.Secret.Service"),
        QStringLiteral("ReadAlias"));
    call << QStringLiteral("default");
    auto *watcher
        = new QDBusPendingCallWatcher(QDBusConnection::sessionBus().asyncCall(call), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this](QDBusPendingCallWatcher *w) {
        w->deleteLater();
        const QDBusPendingReply<QDBusObjectPath> reply = *w;
        if (reply.isError()) {
            finish(State::Missing,
                   QStringLiteral("the Secret Service did not answer: ") + reply.error().message());
            return;
        }
        const QString path = reply.value().path();
        if (path.isEmpty() || path == QLatin1String("/")) {
            finish(State::Missing,
                   QStringLiteral("the Secret Service has no default keyring; "
                                  "create one in your desktop's keyring manager"));
            return;
        }
        readLocked(path);
    });
}

void KeychainProbe::readLocked(const QString &collectionPath)
{
    QDBusMessage call = QDBusMessage::createMethodCall(
        kService, collectionPath, QStringLiteral("org.freedesktop.DBus.Properties"),
        QStringLiteral("Get"));
    call << QStringLiteral("org.freedesktop.Secret.Collection") << QStringLiteral("Locked");
    auto *watcher
        = new QDBusPendingCallWatcher(QDBusConnection::sessionBus().asyncCall(call), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this,
            [this, collectionPath](QDBusPendingCallWatcher *w) {
                w->deleteLater();
                const QDBusPendingReply<QDBusVariant> reply = *w;
                if (reply.isError()) {
                    finish(State::Missing,
                           QStringLiteral("cannot read the keyring's state: ")
                               + reply.error().message());
                    return;
                }
                if (reply.value().variant().toBool())
                    finish(State::Locked,
                           QStringLiteral("the keyring (") + collectionPath
                               + QStringLiteral(") is locked"));
                else
                    finish(State::Available);
            });
}

#else

void KeychainProbe::run()
{
    finish(State::Available);
}

void KeychainProbe::checkOwner() { }
void KeychainProbe::checkActivatable() { }
void KeychainProbe::readDefaultAlias() { }
void KeychainProbe::readLocked(const QString &) { }

#endif

} // namespace TokenTray
