#include "core/ipc/agentclient.h"

#include "core/ipc/frame.h"
#include "core/ipc/socketpath.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QLocalSocket>
#include <QTimer>

namespace TokenTray {

namespace {

bool agentDisabled()
{
    return qEnvironmentVariableIsSet("TOKENTRAY_NO_AGENT");
}

// Where the agent for configDir listens, found the way the lean front finds it (socketpath.h
// mirrors QStandardPaths), so an unusable runtime directory costs the client no Qt warnings.
QString socketPathFor(const QString &configDir)
{
    if (agentDisabled())
        return QString();
    const QString cleanDir = QDir::cleanPath(QDir(configDir).absolutePath());
    return QFile::decodeName(QByteArray::fromStdString(
        agentSocketPath(QFile::encodeName(cleanDir).toStdString(), runtimeDirectory())));
}

const QString kMalformedReply = QStringLiteral("the agent sent a malformed reply");
const QString kNoAnswer = QStringLiteral("the agent did not answer in time");

} // namespace

std::optional<Result<QJsonObject>> askAgent(const QString &configDir, QJsonObject request,
                                            int timeoutMs)
{
    const QString path = socketPathFor(configDir);
    if (path.isEmpty())
        return std::nullopt;
    QLocalSocket socket;
    socket.connectToServer(path);
    if (!socket.waitForConnected(1000))
        return std::nullopt;
    request.insert(QStringLiteral("v"), 1);
    socket.write(encodeFrame(request));
    const QDeadlineTimer deadline(timeoutMs);
    FrameReader reader(kMaxReplyFrameSize);
    while (!deadline.hasExpired()) {
        if (!socket.bytesAvailable()
            && !socket.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime()))))
            break;
        const FrameReader::Output out = reader.feed(socket.readAll());
        if (!out.frames.isEmpty())
            return out.frames.first();
        if (out.error)
            return Error {ErrorCode::Parse, kMalformedReply};
    }
    return Error {ErrorCode::Timeout, kNoAnswer};
}

QJsonObject credentialRequest(const QString &profileId, const QString &env, const QString &mfaCode)
{
    QJsonObject request {{QStringLiteral("op"), QStringLiteral("credential")},
                         {QStringLiteral("profileId"), profileId},
                         {QStringLiteral("env"), env}};
    if (!mfaCode.isEmpty())
        request.insert(QStringLiteral("mfaCode"), mfaCode);
    return request;
}

Result<Credential> credentialFromReply(const Result<QJsonObject> &reply)
{
    if (!reply)
        return reply.error();
    const QJsonObject &o = *reply;
    if (!o.value(QStringLiteral("ok")).toBool()) {
        const QJsonObject e = o.value(QStringLiteral("error")).toObject();
        Error error {errorCodeFromName(e.value(QStringLiteral("code")).toString()),
                     e.value(QStringLiteral("message")).toString(),
                     e.value(QStringLiteral("httpStatus")).toInt(),
                     e.value(QStringLiteral("reason")).toString()};
        error.requestId = e.value(QStringLiteral("requestId")).toString();
        return error;
    }
    Credential c;
    c.accessToken = Secret::fromUtf8(o.value(QStringLiteral("accessToken")).toString());
    c.tokenType = o.value(QStringLiteral("tokenType")).toString();
    c.accessKeyId = o.value(QStringLiteral("accessKeyId")).toString();
    c.secretAccessKey = Secret::fromUtf8(o.value(QStringLiteral("secretAccessKey")).toString());
    c.sessionToken = Secret::fromUtf8(o.value(QStringLiteral("sessionToken")).toString());
    c.expiresAt
        = QDateTime::fromString(o.value(QStringLiteral("expiresAt")).toString(), Qt::ISODateWithMs);
    c.issuedAt
        = QDateTime::fromString(o.value(QStringLiteral("issuedAt")).toString(), Qt::ISODateWithMs);
    return c;
}

AgentRequestJob::AgentRequestJob(const QString &configDir, const QJsonObject &request,
                                 int timeoutMs, QObject *parent)
    : Job(parent)
    , m_configDir(configDir)
    , m_request(request)
    , m_timeoutMs(timeoutMs)
    , m_timeout(new QTimer(this))
    , m_reader(kMaxReplyFrameSize)
{
    setAutoDelete(false); // the caller reads result() and deletes it
    m_timeout->setSingleShot(true);
    // Still connecting: an agent listens but does not take the connection (its queue is full);
    // it is still the one refresher, so this is a failure, not "no agent". Connected: the agent
    // took too long.
    connect(m_timeout, &QTimer::timeout, this, [this] {
        finish(Result<QJsonObject>(m_connected
                                       ? Error {ErrorCode::Timeout, kNoAnswer}
                                       : Error {ErrorCode::Timeout,
                                                QStringLiteral("the TokenTray agent did not "
                                                               "accept the connection in "
                                                               "time")}));
    });
}

AgentRequestJob::~AgentRequestJob() = default;

void AgentRequestJob::doStart()
{
    // Queued: a refused connection is reported on the next turn of the event loop.
    QTimer::singleShot(0, this, &AgentRequestJob::connectToAgent);
}

void AgentRequestJob::finishWithError(const Error &error)
{
    finish(Result<QJsonObject>(error));
}

void AgentRequestJob::connectToAgent()
{
    if (isFinished())
        return; // cancelled before it began
    const QString path = socketPathFor(m_configDir);
    if (path.isEmpty())
        return finish(std::nullopt);
    m_socket = new QLocalSocket(this);
    connect(m_socket, &QLocalSocket::connected, this, [this] {
        m_connected = true;
        m_request.insert(QStringLiteral("v"), 1);
        m_socket->write(encodeFrame(m_request));
    });
    connect(m_socket, &QLocalSocket::readyRead, this, &AgentRequestJob::onReadyRead);
    connect(m_socket, &QLocalSocket::errorOccurred, this, [this](QLocalSocket::LocalSocketError e) {
        // Nobody listens (no socket, or a stale one): the caller may do the work itself. Any
        // other failure before the request went out means an agent that is there but busy: it
        // stays the one refresher, so this is an error, never a second refresher.
        if (!m_connected
            && (e == QLocalSocket::ServerNotFoundError
                || e == QLocalSocket::ConnectionRefusedError))
            return finish(std::nullopt);
        if (!m_connected)
            return finish(
                Error {ErrorCode::Network,
                       QStringLiteral("the TokenTray agent is busy: ") + m_socket->errorString()});
        finish(Error {ErrorCode::Network,
                      QStringLiteral("the connection to the TokenTray agent broke")});
    });
    m_timeout->start(m_timeoutMs);
    m_socket->connectToServer(path);
}

void AgentRequestJob::onReadyRead()
{
    const FrameReader::Output out = m_reader.feed(m_socket->readAll());
    if (!out.frames.isEmpty())
        return finish(out.frames.first());
    if (out.error)
        finish(Error {ErrorCode::Parse, kMalformedReply});
}

void AgentRequestJob::finish(const std::optional<Result<QJsonObject>> &result)
{
    if (isFinished())
        return;
    m_timeout->stop();
    m_result = result;
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
    }
    std::optional<Error> error; // none when no agent answers: the caller does the work itself
    if (result && !*result)
        error = result->error();
    emitFinished(error);
}

} // namespace TokenTray
