#include "core/delivery/credentialserver.h"

#include "core/delivery/freshcredentialjob.h"
#include "core/refresh/tokenengine.h"
#include "core/util/clock.h"
#include "core/util/redact.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QTcpSocket>
#include <QTimer>
#include <QUrlQuery>

#include <algorithm>
#include <array>

#include <sys/socket.h>

namespace TokenTray {
namespace {

Q_LOGGING_CATEGORY(lcServe, "tokentray.serve", QtInfoMsg)

constexpr char kAwsPath[] = "/aws/credentials";
constexpr char kTokenPath[] = "/token";

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 431:
        return "Request Header Fields Too Large";
    case 503:
        return "Service Unavailable";
    default:
        return "Error";
    }
}

// RFC 9110 token characters, for header names and the method.
bool isToken(const QByteArray &text)
{
    if (text.isEmpty())
        return false;
    for (const char c : text) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
        if (!ok)
            return false;
    }
    return true;
}

// Where the header block ends (the blank line), and where the body would start; -1 while
// incomplete. Bare LF line ends are accepted as RFC 9112 allows.
std::pair<qsizetype, qsizetype> headerEnd(const QByteArray &buffer)
{
    const qsizetype crlf = buffer.indexOf("\r\n\r\n");
    const qsizetype lf = buffer.indexOf("\n\n");
    if (crlf >= 0 && (lf < 0 || crlf + 2 <= lf))
        return {crlf, crlf + 4};
    if (lf >= 0)
        return {lf, lf + 2};
    return {-1, -1};
}

} // namespace

struct CredentialServer::Connection
{
    QPointer<QTcpSocket> socket;
    QTimer *deadline = nullptr; // child of the socket
    QByteArray buffer;
    bool answered = false; // the request was read: nothing more is read from this client
    bool closing = false; // the answer is written; what the client still sends is discarded
    QByteArray method; // for the log line
    QByteArray path;
};

struct CredentialServer::Request
{
    QByteArray method;
    QByteArray target;
    QList<std::pair<QByteArray, QByteArray>> headers; // names lower-cased

    [[nodiscard]] int count(const QByteArray &name) const
    {
        int n = 0;
        for (const auto &[key, value] : headers)
            n += key == name ? 1 : 0;
        return n;
    }
    [[nodiscard]] QByteArray header(const QByteArray &name) const
    {
        for (const auto &[key, value] : headers) {
            if (key == name)
                return value;
        }
        return {};
    }
};

CredentialServer::CredentialServer(TokenEngine *engine, const Clock *clock, const Scope &scope,
                                   QObject *parent)
    : QObject(parent)
    , m_engine(engine)
    , m_clock(clock)
    , m_scope(scope)
{
    // 32 random bytes from the OS generator, as 43 base64url characters.
    std::array<quint32, 8> words {};
    QRandomGenerator::system()->fillRange(words.data(), words.size());
    QByteArray raw(reinterpret_cast<const char *>(words.data()),
                   static_cast<qsizetype>(words.size() * sizeof(quint32)));
    m_token = Secret(raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    raw.fill('\0');
    words.fill(0);
    connect(&m_server, &QTcpServer::newConnection, this, &CredentialServer::onNewConnection);
}

CredentialServer::~CredentialServer() = default;

Result<void> CredentialServer::listen(quint16 port)
{
    if (!m_server.listen(QHostAddress::LocalHost, port))
        return Error {ErrorCode::Network,
                      QStringLiteral("cannot listen on 127.0.0.1:%1: %2")
                          .arg(port)
                          .arg(m_server.errorString())};
    qCInfo(lcServe).noquote() << "serving" << m_scope.profileName << m_scope.environment << "on"
                              << m_server.serverAddress().toString() << m_server.serverPort();
    return {};
}

void CredentialServer::close()
{
    m_server.close();
}

QUrl CredentialServer::awsCredentialsUrl() const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port()).arg(QLatin1String(kAwsPath)));
}

QUrl CredentialServer::tokenUrl() const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port()).arg(QLatin1String(kTokenPath)));
}

EnvExport CredentialServer::consumerVariables() const
{
    EnvExport out;
    if (isAwsKind(m_scope.kind)) {
        out.set.append({QStringLiteral("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
                        Secret(awsCredentialsUrl().toString().toUtf8())});
        out.set.append({QStringLiteral("AWS_CONTAINER_AUTHORIZATION_TOKEN"), m_token});
        // Keys in the environment would win over the endpoint in every SDK's chain.
        out.unset << QStringLiteral("AWS_ACCESS_KEY_ID") << QStringLiteral("AWS_SECRET_ACCESS_KEY")
                  << QStringLiteral("AWS_SESSION_TOKEN") << QStringLiteral("AWS_SECURITY_TOKEN")
                  << QStringLiteral("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
                  << QStringLiteral("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    } else {
        out.set.append(
            {QStringLiteral("TOKENTRAY_TOKEN_URL"), Secret(tokenUrl().toString().toUtf8())});
        out.set.append({QStringLiteral("TOKENTRAY_AUTHORIZATION_TOKEN"), m_token});
    }
    return out;
}

void CredentialServer::onNewConnection()
{
    while (m_server.hasPendingConnections()) {
        if (connectionCount() >= m_maxConnections && !evictIdleConnection()) {
            // Every slot is at work on a request: the rest wait, unaccepted, until one is done.
            m_server.pauseAccepting();
            return;
        }
        QTcpSocket *socket = m_server.nextPendingConnection();
        socket->setParent(this);
        // Never buffer more than a request's headers may take.
        socket->setReadBufferSize(kMaxHeaderBytes + 4);
        auto connection = std::make_shared<Connection>();
        connection->socket = socket;
        connection->deadline = new QTimer(socket);
        connection->deadline->setSingleShot(true);
        // A slow or silent client is cut off; it never holds up the others.
        connect(connection->deadline, &QTimer::timeout, socket, [socket, c = connection.get()] {
            if (c->closing)
                qCInfo(lcServe) << "a client kept sending after its answer; disconnected";
            else
                qCInfo(lcServe) << "a client sent no complete request in time; disconnected";
            socket->abort();
            socket->deleteLater();
        });
        connection->deadline->start(m_readTimeoutMs);
        connect(socket, &QTcpSocket::readyRead, this,
                [this, connection] { onReadyRead(connection); });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QObject::destroyed, this,
                [this, c = connection.get()] { connectionGone(c); });
        m_open.push_back(connection);
        if (socket->bytesAvailable() > 0)
            onReadyRead(connection);
    }
}

bool CredentialServer::evictIdleConnection()
{
    // Answered ones first, then the oldest still sending its headers: a client holding a slot
    // without a request must not deny service to one that has a request.
    // (An answered one whose answer is still on its way is not one: abort() would drop it.)
    auto victim = std::find_if(m_open.begin(), m_open.end(), [](const auto &c) {
        return c->closing && (!c->socket || c->socket->bytesToWrite() == 0);
    });
    if (victim == m_open.end())
        victim = std::find_if(m_open.begin(), m_open.end(),
                              [](const auto &c) { return !c->answered; });
    if (victim == m_open.end())
        return false;
    const std::shared_ptr<Connection> connection = *victim;
    m_open.erase(victim);
    qCInfo(lcServe) << "all connections in use; the oldest idle one was closed";
    if (QTcpSocket *socket = connection->socket) {
        socket->abort();
        socket->deleteLater();
    }
    return true;
}

void CredentialServer::connectionGone(const Connection *connection)
{
    std::erase_if(m_open, [connection](const auto &c) { return c.get() == connection; });
    if (!m_server.isListening() || connectionCount() >= m_maxConnections)
        return;
    m_server.resumeAccepting(); // harmless when not paused
    // Connections the server accepted before it paused wait in its own queue.
    if (m_server.hasPendingConnections())
        QMetaObject::invokeMethod(this, &CredentialServer::onNewConnection, Qt::QueuedConnection);
}

void CredentialServer::onReadyRead(const std::shared_ptr<Connection> &connection)
{
    QTcpSocket *socket = connection->socket;
    if (!socket)
        return;
    if (connection->answered) {
        socket->readAll(); // a body or a second request: ignored, the connection closes
        return;
    }
    connection->buffer += socket->read(kMaxHeaderBytes + 4 - connection->buffer.size());
    const auto [end, bodyStart] = headerEnd(connection->buffer);
    if (end < 0 || end > kMaxHeaderBytes) {
        if (connection->buffer.size() >= kMaxHeaderBytes || end > kMaxHeaderBytes) {
            connection->answered = true;
            connection->deadline->stop();
            respondError(connection, 431, QStringLiteral("request headers too large"));
        }
        return;
    }
    connection->answered = true;
    connection->deadline->stop();

    QList<QByteArray> lines = connection->buffer.left(end).split('\n');
    connection->buffer.clear();
    for (QByteArray &line : lines) {
        if (line.endsWith('\r'))
            line.chop(1);
    }
    Request request;
    const QList<QByteArray> parts = lines.value(0).split(' ');
    if (parts.size() != 3 || !isToken(parts.at(0)) || parts.at(1).isEmpty()
        || !parts.at(2).startsWith("HTTP/1."))
        return respondError(connection, 400, QStringLiteral("malformed request line"));
    request.method = parts.at(0);
    request.target = parts.at(1);
    connection->method = request.method.left(16);
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines.at(i);
        const qsizetype colon = line.indexOf(':');
        // No obsolete line folding, no whitespace before the colon (RFC 9112 §5.1).
        if (colon <= 0 || !isToken(line.left(colon)))
            return respondError(connection, 400, QStringLiteral("malformed header line"));
        request.headers.append({line.left(colon).toLower(), line.mid(colon + 1).trimmed()});
    }
    handle(connection, request);
}

void CredentialServer::handle(const std::shared_ptr<Connection> &connection, const Request &request)
{
    const qsizetype q = request.target.indexOf('?');
    connection->path = q < 0 ? request.target : request.target.left(q);

    // DNS rebinding: a web page that got its own name to resolve to 127.0.0.1 still sends its
    // own name here.
    if (request.count("host") != 1)
        return respondError(connection, 400, QStringLiteral("exactly one Host header is required"));
    const QByteArray host = request.header("host").toLower();
    const QByteArray port = QByteArray::number(this->port());
    const bool hostOk = host == "127.0.0.1:" + port || host == "localhost:" + port
        || (this->port() == 80 && (host == "127.0.0.1" || host == "localhost"));
    if (!hostOk)
        return respondError(connection, 403, QStringLiteral("foreign Host header"));
    // Browsers send Origin on cross-origin requests; tools never need a browser's help.
    if (request.count("origin") > 0)
        return respondError(connection, 403, QStringLiteral("requests from web pages are refused"));
    if (request.method != "GET")
        return respondError(connection, 405, QStringLiteral("only GET is supported"),
                            "Allow: GET\r\n");
    if (!request.target.startsWith('/'))
        return respondError(connection, 400, QStringLiteral("malformed request target"));

    const bool aws = connection->path == kAwsPath;
    const bool bearer = connection->path == kTokenPath;
    if (request.count("authorization") > 1)
        return respondError(connection, 400, QStringLiteral("more than one Authorization header"));
    // AWS SDKs send the token raw; bearer clients may say "Bearer <token>".
    QByteArray presented = request.header("authorization");
    if (bearer && presented.size() > 7 && presented.left(7).toLower() == "bearer ")
        presented = presented.mid(7).trimmed();
    if (presented.isEmpty() || !Secret(presented).constantTimeEquals(m_token))
        return respondError(connection, 401,
                            QStringLiteral("missing or wrong authorization token"));
    if (!aws && !bearer)
        return respondError(connection, 404, QStringLiteral("no such path"));

    Scope scope = m_scope;
    const QUrlQuery query(QString::fromUtf8(q < 0 ? QByteArray() : request.target.mid(q + 1)));
    const auto items = query.queryItems(QUrl::FullyDecoded);
    if (!items.isEmpty()) {
        QString profileName;
        QString env;
        for (const auto &[key, value] : items) {
            if (key == QLatin1String("profile"))
                profileName = value;
            else if (key == QLatin1String("env"))
                env = value;
            else
                return respondError(connection, 400,
                                    QStringLiteral("unknown query parameter \"%1\"").arg(key));
        }
        if (!m_resolver)
            return respondError(connection, 404,
                                QStringLiteral("this endpoint serves only %1/%2")
                                    .arg(m_scope.profileName, m_scope.environment));
        auto resolved = m_resolver(profileName.isEmpty() ? m_scope.profileName : profileName, env);
        if (!resolved)
            return respondError(connection, 404, redactSecrets(resolved.error().detail));
        // A protected (PROD) environment is served only when it was named at start.
        if (resolved->isProtected && !(*resolved == m_scope))
            return respondError(connection, 403,
                                QStringLiteral("%1/%2 is protected: start a server for it")
                                    .arg(resolved->profileName, resolved->environment));
        scope = *resolved;
    }
    if (aws != isAwsKind(scope.kind))
        return respondError(connection, 404,
                            aws ? QStringLiteral("%1 is not an AWS profile; use %2")
                                      .arg(scope.profileName, QLatin1String(kTokenPath))
                                : QStringLiteral("%1 is an AWS profile; use %2")
                                      .arg(scope.profileName, QLatin1String(kAwsPath)));
    if (!m_source)
        return serveFromEngine(connection, scope, aws);
    m_source(scope, [this, connection, scope, aws](const std::optional<Result<Credential>> &r) {
        if (!r)
            return serveFromEngine(connection, scope, aws);
        answer(connection, scope, aws, *r);
    });
}

void CredentialServer::serveFromEngine(const std::shared_ptr<Connection> &connection,
                                       const Scope &scope, bool aws)
{
    if (!m_gate)
        return serve(connection, scope, aws);
    m_gate->enter([this, connection, scope, aws](const std::optional<Error> &refused) {
        if (refused)
            return respondError(connection, 503,
                                QStringLiteral("TokenTray is busy: ")
                                    + redactSecrets(refused->detail));
        serve(connection, scope, aws);
    });
}

void CredentialServer::serve(const std::shared_ptr<Connection> &connection, const Scope &scope,
                             bool aws)
{
    auto *job = new FreshCredentialJob(m_engine, m_clock, scope.profileId, scope.environment, this);
    connect(job, &FreshCredentialJob::finished, this, [this, job, connection, scope, aws] {
        job->deleteLater();
        if (m_gate)
            m_gate->leave();
        answer(connection, scope, aws, job->result());
    });
    job->start();
}

void CredentialServer::answer(const std::shared_ptr<Connection> &connection, const Scope &scope,
                              bool aws, const Result<Credential> &r)
{
    if (!r) {
        const Error &e = r.error();
        const int status = e.code == ErrorCode::NotFound ? 404 : 503;
        QString message = QStringLiteral("TokenTray could not get a credential for %1/%2")
                              .arg(scope.profileName, scope.environment);
        if (!e.detail.isEmpty())
            message += QStringLiteral(": ") + redactSecrets(e.detail);
        return respondError(connection, status, message);
    }
    respond(connection, 200, aws ? awsContainerJson(*r, m_clock->nowUtc()) : bearerTokenJson(*r));
}

void CredentialServer::respondError(const std::shared_ptr<Connection> &connection, int status,
                                    const QString &message, const QByteArray &extraHeaders)
{
    const QJsonObject o {{QStringLiteral("error"), message}};
    respond(connection, status, QJsonDocument(o).toJson(QJsonDocument::Compact), extraHeaders);
}

void CredentialServer::respond(const std::shared_ptr<Connection> &connection, int status,
                               const QByteArray &body, const QByteArray &extraHeaders)
{
    qCInfo(lcServe).noquote() << QString::fromLatin1(connection->method)
                              << QString::fromUtf8(connection->path.left(200)) << status;
    QTcpSocket *socket = connection->socket;
    if (!socket || socket->state() != QAbstractSocket::ConnectedState) {
        Q_EMIT requestHandled(status);
        return;
    }
    // No Access-Control-* headers, ever: browsers must not read these answers.
    const QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status)
        + "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size())
        + "\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n" + extraHeaders
        + "Connection: close\r\n\r\n";
    socket->write(head + body);
    closeAfterAnswer(connection);
    Q_EMIT requestHandled(status);
}

void CredentialServer::closeAfterAnswer(const std::shared_ptr<Connection> &connection)
{
    // Closing with the client's bytes unread (a body, an oversized header still arriving) would
    // reset the connection, and the client could lose the answer: send it, half-close, and
    // discard what still comes until the client closes or the read deadline passes.
    QTcpSocket *socket = connection->socket;
    connection->closing = true;
    auto halfClose = [socket] {
        if (socket->bytesToWrite() == 0)
            ::shutdown(int(socket->socketDescriptor()), SHUT_WR);
    };
    connect(socket, &QTcpSocket::bytesWritten, socket, halfClose);
    socket->flush();
    halfClose();
    connection->deadline->start(m_readTimeoutMs);
    if (socket->bytesAvailable() > 0)
        socket->readAll();
}

} // namespace TokenTray
