#include "core/ipc/singleinstance.h"

#include "core/ipc/privatedir.h"
#include "core/util/logging.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLocalServer>
#include <QLocalSocket>
#include <QStandardPaths>

namespace TokenTray {

namespace {
constexpr QByteArrayView kRaise = "raise\n";
}

SingleInstance::SingleInstance(const QString &configDir, QObject *parent)
    : QObject(parent)
    , m_socketPath(socketPathFor(configDir))
{
}

SingleInstance::~SingleInstance() = default;

QString SingleInstance::socketPathFor(const QString &configDir)
{
    QString runtime = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
    if (runtime.isEmpty())
        runtime = QDir::tempPath();
    const QByteArray hash
        = QCryptographicHash::hash(QDir::cleanPath(QDir(configDir).absolutePath()).toUtf8(),
                                   QCryptographicHash::Sha256)
              .toHex()
              .left(16);
    return QDir(runtime).filePath(QStringLiteral("tokentray/app-") + QString::fromLatin1(hash));
}

bool SingleInstance::claim()
{
    QLocalSocket probe;
    probe.connectToServer(m_socketPath);
    if (probe.waitForConnected(1000)) {
        probe.write(kRaise.data(), kRaise.size());
        probe.waitForBytesWritten(1000);
        probe.disconnectFromServer();
        return false;
    }
    if (auto dir = preparePrivateSocketDirectory(QFileInfo(m_socketPath).absolutePath()); !dir) {
        qCWarning(lcIpc).noquote() << "cannot listen for a second launch:" << dir.error().detail;
        return true; // run anyway: a second instance is the lesser evil than none
    }
    QLocalServer::removeServer(m_socketPath); // a socket file left by a crashed instance
    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    if (!m_server->listen(m_socketPath)) {
        qCWarning(lcIpc).noquote()
            << "cannot listen on" << m_socketPath << ":" << m_server->errorString();
        return true; // run anyway: a second instance is the lesser evil than none
    }
    connect(m_server, &QLocalServer::newConnection, this, [this] {
        while (QLocalSocket *socket = m_server->nextPendingConnection()) {
            connect(socket, &QLocalSocket::readyRead, this, [this, socket] {
                if (socket->readAll().startsWith("raise"))
                    Q_EMIT raiseRequested();
                socket->disconnectFromServer();
            });
            connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        }
    });
    return true;
}

} // namespace TokenTray
