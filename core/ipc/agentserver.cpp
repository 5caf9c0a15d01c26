#include "core/ipc/agentserver.h"

#include "core/ipc/frame.h"
#include "core/ipc/privatedir.h"
#include "core/ipc/socketpath.h"
#include "core/util/logging.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLocalSocket>
#include <QPointer>
#include <QSocketNotifier>
#include <QStandardPaths>
#include <QTimer>

#include <cerrno>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace TokenTray {

QString agentSocketPathFor(const QString &configDir)
{
    const QString runtime = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
    const QString cleanDir = QDir::cleanPath(QDir(configDir).absolutePath());
    return QFile::decodeName(QByteArray::fromStdString(agentSocketPath(
        QFile::encodeName(cleanDir).toStdString(), QFile::encodeName(runtime).toStdString())));
}

namespace {

QString systemError(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

QJsonObject errorReply(const QString &code, const QString &message)
{
    return {{QStringLiteral("v"), kIpcProtocolVersion},
            {QStringLiteral("ok"), false},
            {QStringLiteral("error"),
             QJsonObject {{QStringLiteral("code"), code}, {QStringLiteral("message"), message}}}};
}

// True when a server accepts connections on `path` (EAGAIN: alive, its backlog is full).
bool somethingAnswers(const QByteArray &path)
{
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    sockaddr_un address {};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.constData(), size_t(path.size()));
    const int rc = ::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address);
    const int error = errno;
    ::close(fd);
    return rc == 0 || error == EAGAIN;
}

} // namespace

// One client: reads frames with a deadline, hands requests to the server one at a time, writes
// replies. Deletes itself when the client goes.
class AgentConnection final : public QObject
{
    Q_DISABLE_COPY_MOVE(AgentConnection)
public:
    AgentConnection(QLocalSocket *socket, AgentServer *server);

    bool sendReply(QJsonObject reply);
    [[nodiscard]] bool isOpen() const
    {
        return !m_closing && m_socket->state() == QLocalSocket::ConnectedState;
    }
    void drop();
    [[nodiscard]] qint64 unsentBytes() const { return m_socket->bytesToWrite(); }

private:
    void pump();
    void onBytesWritten();
    void failAndClose(const QString &reason);
    void onDeadline();
    void onDisconnected();

    QLocalSocket *m_socket;
    QPointer<AgentServer> m_server;
    FrameReader m_reader {kMaxRequestFrameSize};
    std::deque<QJsonObject> m_pending;
    std::optional<FrameError> m_failure;
    QTimer m_deadline;
    bool m_busy = false;
    bool m_stalled = false; // too many unread replies: nothing more is read until they go
    bool m_closing = false;
    bool m_gone = false;
};

struct AgentServer::Responder::State
{
    Q_DISABLE_COPY_MOVE(State)
    explicit State(AgentConnection *c)
        : connection(c)
    {
    }
    ~State()
    {
        if (!replied && connection)
            connection->sendReply(errorReply(QStringLiteral("internal"),
                                             QStringLiteral("the agent dropped the request")));
    }
    QPointer<AgentConnection> connection;
    bool replied = false;
};

AgentConnection::AgentConnection(QLocalSocket *socket, AgentServer *server)
    : QObject(server)
    , m_socket(socket)
    , m_server(server)
{
    m_socket->setParent(this);
    // Never buffer more than one maximal request: a flooding client meets kernel backpressure.
    m_socket->setReadBufferSize(kMaxRequestFrameSize + kFrameHeaderSize);
    m_deadline.setSingleShot(true);
    m_deadline.setInterval(server->requestTimeout());
    connect(&m_deadline, &QTimer::timeout, this, &AgentConnection::onDeadline);
    connect(m_socket, &QLocalSocket::readyRead, this, &AgentConnection::pump);
    connect(m_socket, &QLocalSocket::bytesWritten, this, &AgentConnection::onBytesWritten);
    connect(m_socket, &QLocalSocket::disconnected, this, &AgentConnection::onDisconnected);
    m_deadline.start();
    QMetaObject::invokeMethod(this, &AgentConnection::pump, Qt::QueuedConnection);
}

void AgentConnection::pump()
{
    while (!m_busy && !m_closing) {
        if (m_socket->bytesToWrite() > AgentServer::kMaxUnsentReplyBytes) {
            // Replies pile up unread. While nothing more comes that is a large reply on its way;
            // a client that sends more without reading is not read either, so the kernel's
            // buffers, not our memory, hold what it keeps sending.
            const bool more = !m_pending.empty() || m_failure || m_socket->bytesAvailable() > 0;
            if (more && !m_stalled) {
                m_stalled = true;
                qCInfo(lcIpc) << "agent: a client does not read its replies; its requests wait";
                if (m_server)
                    Q_EMIT m_server->clientStalled();
            }
            break;
        }
        if (!m_pending.empty()) {
            QJsonObject request = std::move(m_pending.front());
            m_pending.pop_front();
            const QJsonValue op = request.value(QLatin1String("op"));
            if (!op.isString() || op.toString().isEmpty()) {
                failAndClose(QStringLiteral("request without \"op\""));
                return;
            }
            m_busy = true;
            m_deadline.stop();
            if (m_server)
                m_server->dispatch(
                    this, request,
                    AgentServer::Responder(std::make_shared<AgentServer::Responder::State>(this)));
            continue; // a handler that replied at once leaves us free for the next request
        }
        if (m_failure) {
            failAndClose(frameErrorText(*m_failure));
            return;
        }
        if (m_socket->bytesAvailable() <= 0)
            break;
        // Only when nothing is queued: at most one buffer's worth of frames waits at a time.
        const QByteArray bytes = m_socket->read(kMaxRequestFrameSize + kFrameHeaderSize);
        FrameReader::Output out = m_reader.feed(bytes);
        for (QJsonObject &frame : out.frames)
            m_pending.push_back(std::move(frame));
        m_failure = out.error;
    }
    if (!m_busy && !m_closing && !m_deadline.isActive())
        m_deadline.start();
}

void AgentConnection::onBytesWritten()
{
    if (!m_stalled || m_socket->bytesToWrite() > AgentServer::kMaxUnsentReplyBytes)
        return;
    m_stalled = false;
    m_deadline.stop(); // it was counting the client's time to take its replies
    pump();
}

bool AgentConnection::sendReply(QJsonObject reply)
{
    if (!isOpen())
        return false;
    reply.insert(QStringLiteral("v"), kIpcProtocolVersion);
    QByteArray frame = encodeFrame(reply);
    if (frame.size() - kFrameHeaderSize > kMaxReplyFrameSize) {
        qCWarning(lcIpc) << "agent reply of" << frame.size() << "bytes is over the limit";
        frame = encodeFrame(errorReply(QStringLiteral("internal"),
                                       QStringLiteral("the reply was too large to send")));
    }
    m_socket->write(frame);
    m_busy = false;
    // Not re-entrant: the handler may be replying from inside dispatch().
    QMetaObject::invokeMethod(this, &AgentConnection::pump, Qt::QueuedConnection);
    return true;
}

void AgentConnection::failAndClose(const QString &reason)
{
    if (m_closing)
        return;
    qCInfo(lcIpc).noquote() << "agent: bad request:" << reason;
    if (m_server)
        Q_EMIT m_server->requestRejected(reason);
    m_socket->write(encodeFrame(errorReply(QStringLiteral("bad-request"), reason)));
    m_closing = true;
    m_deadline.stop();
    m_pending.clear();
    // A client that never reads must not keep us waiting for the flush.
    QTimer::singleShot(2000, this, &AgentConnection::drop);
    m_socket->disconnectFromServer();
}

void AgentConnection::onDeadline()
{
    if (m_busy || m_closing)
        return;
    const int ms = m_deadline.interval();
    if (m_stalled) {
        // It cannot be told why: it does not read. Its slot goes to clients that do.
        qCInfo(lcIpc) << "agent: dropped a client that took no reply within" << ms << "ms";
        if (m_server)
            Q_EMIT m_server->requestRejected(
                QStringLiteral("replies not read within %1 ms").arg(ms));
        drop();
        return;
    }
    if (m_reader.pendingBytes() > 0)
        failAndClose(QStringLiteral("incomplete request after %1 ms").arg(ms));
    else
        failAndClose(QStringLiteral("no request within %1 ms").arg(ms));
}

void AgentConnection::drop()
{
    m_closing = true;
    m_socket->abort();
    onDisconnected();
}

void AgentConnection::onDisconnected()
{
    if (m_gone)
        return;
    m_gone = true;
    m_closing = true;
    m_deadline.stop();
    if (m_server)
        m_server->connectionClosed(this);
    deleteLater();
}

// ---- Responder ------------------------------------------------------------------------------

AgentServer::Responder::Responder(std::shared_ptr<State> state)
    : m_state(std::move(state))
{
}

bool AgentServer::Responder::send(QJsonObject reply) const
{
    if (!m_state || m_state->replied)
        return false;
    m_state->replied = true;
    return m_state->connection && m_state->connection->sendReply(std::move(reply));
}

bool AgentServer::Responder::ok(QJsonObject fields) const
{
    fields.insert(QStringLiteral("ok"), true);
    return send(std::move(fields));
}

bool AgentServer::Responder::fail(const QString &code, const QString &message) const
{
    return send(errorReply(code, message));
}

bool AgentServer::Responder::isConnected() const
{
    return m_state && m_state->connection && m_state->connection->isOpen();
}

bool AgentServer::Responder::hasReplied() const
{
    return m_state && m_state->replied;
}

// ---- AgentServer ----------------------------------------------------------------------------

AgentServer::AgentServer(const QString &socketPath, QObject *parent)
    : QObject(parent)
    , m_socketPath(socketPath)
{
}

AgentServer::~AgentServer()
{
    close();
}

void AgentServer::setHandler(Handler handler)
{
    m_handler = std::move(handler);
}

void AgentServer::setRequestTimeout(int milliseconds)
{
    m_requestTimeoutMs = milliseconds;
}

void AgentServer::setMaxClients(int count)
{
    m_maxClients = count;
    if (m_acceptNotifier)
        QMetaObject::invokeMethod(this, &AgentServer::acceptConnections, Qt::QueuedConnection);
}

qint64 AgentServer::unsentReplyBytes() const
{
    qint64 total = 0;
    for (const AgentConnection *connection : m_connections)
        total += connection->unsentBytes();
    return total;
}

bool AgentServer::isListening() const
{
    return m_listenFd >= 0;
}

bool AgentServer::takeLock()
{
    // Held while listening; the kernel releases it when the process dies. Two agents starting at
    // once cannot both pass the stale-socket check and replace each other's socket.
    const QByteArray lockPath = QFile::encodeName(m_socketPath + QStringLiteral(".lock"));
    m_lockFd = ::open(lockPath.constData(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (m_lockFd < 0) {
        m_errorString = QStringLiteral("cannot open %1: %2")
                            .arg(QFile::decodeName(lockPath), systemError(errno));
        return false;
    }
    if (::flock(m_lockFd, LOCK_EX | LOCK_NB) != 0) {
        const int error = errno;
        releaseLock();
        m_errorString = error == EWOULDBLOCK
            ? QStringLiteral("another TokenTray agent already serves this configuration (%1)")
                  .arg(m_socketPath)
            : QStringLiteral("cannot lock %1: %2")
                  .arg(QFile::decodeName(lockPath), systemError(error));
        return false;
    }
    return true;
}

void AgentServer::releaseLock()
{
    if (m_lockFd >= 0)
        ::close(m_lockFd);
    m_lockFd = -1;
}

bool AgentServer::listen()
{
    if (isListening())
        return true;
    m_errorString.clear();
    const QByteArray native = QFile::encodeName(m_socketPath);
    if (m_socketPath.isEmpty() || !m_socketPath.startsWith(QLatin1Char('/'))) {
        m_errorString = QStringLiteral("no usable runtime directory (XDG_RUNTIME_DIR) for the "
                                       "agent socket");
        return false;
    }
    if (size_t(native.size()) >= sizeof(sockaddr_un::sun_path)) {
        m_errorString = QStringLiteral("the agent socket path is too long: %1").arg(m_socketPath);
        return false;
    }
    if (auto dir = preparePrivateSocketDirectory(QFileInfo(m_socketPath).absolutePath()); !dir) {
        m_errorString = dir.error().detail;
        return false;
    }
    if (!takeLock())
        return false;

    struct stat st
    {
    };
    if (::lstat(native.constData(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            m_errorString = QStringLiteral("%1 exists and is not a socket").arg(m_socketPath);
            releaseLock();
            return false;
        }
        // Under our lock nothing else should listen here; something that does predates locks.
        if (somethingAnswers(native)) {
            m_errorString = QStringLiteral("another TokenTray agent already serves this "
                                           "configuration (%1)")
                                .arg(m_socketPath);
            releaseLock();
            return false;
        }
        qCInfo(lcIpc).noquote() << "agent: removing the stale socket" << m_socketPath;
        ::unlink(native.constData());
    }

    // Our own listening socket rather than QLocalServer's: only here can accepting stop while
    // every slot is busy, leaving later clients queued in the kernel (SOMAXCONN deep) instead of
    // accepted and refused, and an accept() failure (out of descriptors) not close the server.
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_un address {};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, native.constData(), size_t(native.size()));
    if (fd < 0 || ::bind(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0
        || ::listen(fd, SOMAXCONN) != 0) {
        m_errorString
            = QStringLiteral("cannot listen on %1: %2").arg(m_socketPath, systemError(errno));
        if (fd >= 0)
            ::close(fd);
        releaseLock();
        return false;
    }
    if (::chmod(native.constData(), 0600) != 0)
        qCWarning(lcIpc).noquote() << "agent: cannot chmod" << m_socketPath << systemError(errno);
    m_listenFd = fd;
    m_acceptNotifier = new QSocketNotifier(qintptr(fd), QSocketNotifier::Read, this);
    connect(m_acceptNotifier, &QSocketNotifier::activated, this, &AgentServer::acceptConnections);
    qCInfo(lcIpc).noquote() << "agent: listening on" << m_socketPath;
    return true;
}

void AgentServer::close()
{
    if (m_listenFd >= 0) {
        delete m_acceptNotifier;
        m_acceptNotifier = nullptr;
        ::close(m_listenFd);
        m_listenFd = -1;
        // While we still hold the lock, so it cannot be another agent's socket.
        ::unlink(QFile::encodeName(m_socketPath).constData());
    }
    const QSet<AgentConnection *> connections = m_connections;
    for (AgentConnection *connection : connections)
        connection->drop();
    releaseLock();
}

std::optional<uint> AgentServer::peerUid(qintptr socketDescriptor)
{
    const int fd = int(socketDescriptor);
#if defined(Q_OS_LINUX)
    struct ucred credentials
    {
    };
    socklen_t length = sizeof credentials;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0
        || length != sizeof credentials)
        return std::nullopt;
    return uint(credentials.uid);
#elif defined(Q_OS_UNIX)
    uid_t uid = 0;
    gid_t gid = 0;
    if (::getpeereid(fd, &uid, &gid) != 0)
        return std::nullopt;
    return uint(uid);
#else
    Q_UNUSED(fd);
    return std::nullopt;
#endif
}

void AgentServer::acceptConnections()
{
    // Level-triggered: while the queue is not empty and a slot is free, this runs again.
    while (m_listenFd >= 0 && m_connections.size() < m_maxClients) {
        const int fd = ::accept4(m_listenFd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) {
            const int error = errno;
            if (error == EINTR || error == ECONNABORTED)
                continue;
            if (error == EAGAIN || error == EWOULDBLOCK)
                break;
            // Out of descriptors or memory: the clients stay queued; retry when one leaves, or
            // shortly when none is connected.
            qCWarning(lcIpc).noquote()
                << "agent: cannot accept a connection:" << systemError(error);
            m_acceptNotifier->setEnabled(false);
            if (m_connections.isEmpty())
                QTimer::singleShot(100, this, &AgentServer::acceptConnections);
            return;
        }
        const std::optional<uint> uid = peerUid(fd);
        if (!uid || *uid != uint(::geteuid())) {
            qCWarning(lcIpc) << "agent: dropped a connection from uid"
                             << (uid ? qint64(*uid) : qint64(-1));
            ::close(fd);
            Q_EMIT peerRejected(uid.value_or(uint(-1)));
            continue;
        }
        auto *socket = new QLocalSocket;
        if (!socket->setSocketDescriptor(fd)) {
            ::close(fd);
            delete socket;
            continue;
        }
        m_connections.insert(new AgentConnection(socket, this));
        Q_EMIT clientCountChanged(clientCount());
    }
    if (m_acceptNotifier)
        m_acceptNotifier->setEnabled(m_connections.size() < m_maxClients);
}

void AgentServer::connectionClosed(AgentConnection *connection)
{
    if (m_connections.remove(connection))
        Q_EMIT clientCountChanged(clientCount());
    // A slot is free: the next queued client, if any, is taken from the listen queue.
    if (m_acceptNotifier && !m_acceptNotifier->isEnabled())
        QMetaObject::invokeMethod(this, &AgentServer::acceptConnections, Qt::QueuedConnection);
}

void AgentServer::dispatch(AgentConnection *connection, const QJsonObject &request,
                           Responder respond)
{
    Q_UNUSED(connection);
    const QString op = request.value(QLatin1String("op")).toString();
    Q_EMIT requestReceived(op);
    if (op == QLatin1String("ping")) {
        respond.ok({{QStringLiteral("op"), QStringLiteral("pong")},
                    {QStringLiteral("pid"), QCoreApplication::applicationPid()}});
        return;
    }
    if (!m_handler) {
        respond.fail(QStringLiteral("unsupported"),
                     QStringLiteral("this agent does not handle \"%1\"").arg(op));
        return;
    }
    m_handler(request, std::move(respond));
}

} // namespace TokenTray
