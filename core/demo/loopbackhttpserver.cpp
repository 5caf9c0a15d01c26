#include "core/demo/loopbackhttpserver.h"

#include <QTcpSocket>
#include <QTimer>
#include <QUrlQuery>

namespace TokenTray {

QByteArray RecordedRequest::header(const QByteArray &name) const
{
    const QByteArray lower = name.toLower();
    for (const auto &[key, value] : headers) {
        if (key == lower)
            return value;
    }
    return {};
}

QHash<QString, QString> RecordedRequest::form() const
{
    QHash<QString, QString> out;
    for (const QByteArray &pair : body.split('&')) {
        if (pair.isEmpty())
            continue;
        const qsizetype eq = pair.indexOf('=');
        QByteArray key = eq < 0 ? pair : pair.left(eq);
        QByteArray value = eq < 0 ? QByteArray() : pair.mid(eq + 1);
        key.replace('+', ' ');
        value.replace('+', ' ');
        out.insert(QString::fromUtf8(QByteArray::fromPercentEncoding(key)),
                   QString::fromUtf8(QByteArray::fromPercentEncoding(value)));
    }
    return out;
}

ScriptedReply ScriptedReply::json(int status, const QByteArray &body)
{
    ScriptedReply r;
    r.status = status;
    r.body = body;
    r.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
    return r;
}

ScriptedReply &ScriptedReply::withHeader(const QByteArray &name, const QByteArray &value)
{
    headers.append({name, value});
    return *this;
}

ScriptedReply &ScriptedReply::withDelay(int ms)
{
    delayMs = ms;
    return *this;
}

LoopbackHttpServer::LoopbackHttpServer(QObject *parent)
    : QObject(parent)
{
    connect(&m_server, &QTcpServer::newConnection, this, &LoopbackHttpServer::onNewConnection);
}

LoopbackHttpServer::~LoopbackHttpServer() = default;

bool LoopbackHttpServer::listen()
{
    return m_server.listen(QHostAddress::LocalHost, 0);
}

quint16 LoopbackHttpServer::port() const
{
    return m_server.serverPort();
}

QUrl LoopbackHttpServer::url(const QString &path) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port()).arg(path));
}

void LoopbackHttpServer::enqueue(const QByteArray &path, const ScriptedReply &reply)
{
    m_queued[path].push_back(reply);
}

void LoopbackHttpServer::setHandler(const QByteArray &path, const Handler &handler)
{
    m_handlers.insert(path, handler);
}

void LoopbackHttpServer::setDefault(const QByteArray &path, const ScriptedReply &reply)
{
    m_defaults.insert(path, reply);
}

QList<RecordedRequest> LoopbackHttpServer::requests(const QByteArray &path) const
{
    if (path.isEmpty())
        return m_records;
    QList<RecordedRequest> out;
    for (const RecordedRequest &r : m_records) {
        if (r.path == path)
            out << r;
    }
    return out;
}

int LoopbackHttpServer::requestCount(const QByteArray &path) const
{
    return static_cast<int>(requests(path).size());
}

void LoopbackHttpServer::clearRecords()
{
    m_records.clear();
    m_peakOutstanding = m_outstanding;
}

void LoopbackHttpServer::onNewConnection()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        ++m_connections;
        socket->setParent(this);
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            m_buffers.remove(socket);
            socket->deleteLater();
        });
    }
}

void LoopbackHttpServer::onReadyRead(QTcpSocket *socket)
{
    QByteArray &buffer = m_buffers[socket];
    buffer += socket->readAll();
    for (;;) {
        const qsizetype headerEnd = buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            return;
        const QList<QByteArray> lines = buffer.left(headerEnd).split('\n');
        RecordedRequest request;
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        request.method = requestLine.value(0);
        const QByteArray target = requestLine.value(1);
        const qsizetype q = target.indexOf('?');
        request.path = q < 0 ? target : target.left(q);
        request.query = q < 0 ? QByteArray() : target.mid(q + 1);
        qsizetype contentLength = 0;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines.at(i).trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0)
                continue;
            const QByteArray name = line.left(colon).trimmed().toLower();
            const QByteArray value = line.mid(colon + 1).trimmed();
            request.headers.append({name, value});
            if (name == "content-length")
                contentLength = value.toLongLong();
        }
        if (buffer.size() < headerEnd + 4 + contentLength)
            return; // body not complete yet
        request.body = buffer.mid(headerEnd + 4, contentLength);
        buffer.remove(0, headerEnd + 4 + contentLength);
        m_records.append(request);
        respond(socket, request);
        Q_EMIT requestReceived(request.path);
        if (!m_buffers.contains(socket))
            return;
    }
}

void LoopbackHttpServer::respond(QTcpSocket *socket, const RecordedRequest &request)
{
    ScriptedReply reply;
    auto queued = m_queued.find(request.path);
    if (queued != m_queued.end() && !queued->empty()) {
        reply = queued->front();
        queued->pop_front();
    } else if (m_handlers.contains(request.path)) {
        reply = m_handlers.value(request.path)(request);
    } else if (m_defaults.contains(request.path)) {
        reply = m_defaults.value(request.path);
    } else {
        reply = ScriptedReply::json(404, R"({"error":"not_found"})");
    }
    const bool keepAlive = request.header("connection").toLower() != "close";
    ++m_outstanding;
    m_peakOutstanding = qMax(m_peakOutstanding, m_outstanding);
    QPointer<QTcpSocket> guarded(socket);
    if (reply.behaviour == ScriptedReply::Behaviour::Hang) {
        // Never answered: counted as outstanding until the client goes away.
        connect(socket, &QTcpSocket::disconnected, this, [this] { --m_outstanding; });
        return;
    }
    if (reply.delayMs > 0)
        QTimer::singleShot(reply.delayMs, this,
                           [this, guarded, reply, keepAlive] { send(guarded, reply, keepAlive); });
    else
        send(guarded, reply, keepAlive);
}

void LoopbackHttpServer::send(QPointer<QTcpSocket> socket, const ScriptedReply &reply,
                              bool keepAlive)
{
    --m_outstanding;
    if (!socket || socket->state() != QAbstractSocket::ConnectedState)
        return;
    if (reply.behaviour == ScriptedReply::Behaviour::CloseAtOnce) {
        socket->abort();
        return;
    }
    QByteArray head = "HTTP/1.1 " + QByteArray::number(reply.status) + " Scripted\r\n";
    bool hasLength = false;
    for (const auto &[name, value] : reply.headers) {
        head += name + ": " + value + "\r\n";
        hasLength = hasLength || name.toLower() == "content-length";
    }
    if (!hasLength)
        head += "Content-Length: " + QByteArray::number(reply.body.size()) + "\r\n";
    const bool close = !keepAlive || reply.behaviour == ScriptedReply::Behaviour::CloseMidBody;
    head += close ? "Connection: close\r\n\r\n" : "Connection: keep-alive\r\n\r\n";

    switch (reply.behaviour) {
    case ScriptedReply::Behaviour::CloseMidBody:
        socket->write(head + reply.body.left(reply.body.size() / 2));
        socket->flush();
        socket->disconnectFromHost();
        return;
    case ScriptedReply::Behaviour::Drip: {
        socket->write(head);
        auto *timer = new QTimer(socket);
        auto sent = std::make_shared<qsizetype>(0);
        connect(timer, &QTimer::timeout, socket, [socket, timer, sent, body = reply.body] {
            if (*sent >= body.size()) {
                timer->stop();
                return;
            }
            socket->write(body.mid((*sent)++, 1));
        });
        timer->start(reply.dripMs);
        return;
    }
    case ScriptedReply::Behaviour::Normal:
    case ScriptedReply::Behaviour::Hang:
    case ScriptedReply::Behaviour::CloseAtOnce:
        break;
    }
    socket->write(head + reply.body);
    if (close)
        socket->disconnectFromHost();
}

} // namespace TokenTray
