#pragma once

// The project's scripted, fault-injecting HTTP server (tests, benchmarks, the demo authority):
// a QTcpServer on 127.0.0.1:0 only, that answers scripted replies (status, headers, body, delay,
// hang, close early, drip-feed) and records every request, so a test asserts both what the client
// sent and what it did. HTTP/1.1 with keep-alive; bodies by Content-Length.

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTcpServer>
#include <QUrl>

#include <deque>
#include <functional>

class QTcpSocket;

namespace TokenTray {

struct RecordedRequest
{
    QByteArray method;
    QByteArray path; // without the query
    QByteArray query;
    QList<std::pair<QByteArray, QByteArray>> headers; // names lower-cased
    QByteArray body;

    [[nodiscard]] QByteArray header(const QByteArray &name) const;
    // Form fields of an application/x-www-form-urlencoded body, decoded.
    [[nodiscard]] QHash<QString, QString> form() const;
};

struct ScriptedReply
{
    enum class Behaviour {
        Normal,
        Hang, // accept, read, never answer
        CloseAtOnce, // close the connection without a byte
        CloseMidBody, // send the headers and half the body, then close
        Drip, // send the body one byte every dripMs
    };
    int status = 200;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;
    int delayMs = 0;
    Behaviour behaviour = Behaviour::Normal;
    int dripMs = 50;

    static ScriptedReply json(int status, const QByteArray &body);
    ScriptedReply &withHeader(const QByteArray &name, const QByteArray &value);
    ScriptedReply &withDelay(int ms);
};

class LoopbackHttpServer final : public QObject
{
    Q_OBJECT
public:
    using Handler = std::function<ScriptedReply(const RecordedRequest &)>;

    explicit LoopbackHttpServer(QObject *parent = nullptr);
    ~LoopbackHttpServer() override;

    bool listen(); // 127.0.0.1, ephemeral port
    [[nodiscard]] quint16 port() const;
    [[nodiscard]] QUrl url(const QString &path = QString()) const;

    // Replies for `path`: queued ones first (one each), then the handler, then the default.
    void enqueue(const QByteArray &path, const ScriptedReply &reply);
    void setHandler(const QByteArray &path, const Handler &handler);
    void setDefault(const QByteArray &path, const ScriptedReply &reply);

    [[nodiscard]] QList<RecordedRequest> requests(const QByteArray &path = QByteArray()) const;
    [[nodiscard]] int requestCount(const QByteArray &path = QByteArray()) const;
    [[nodiscard]] int peakOutstanding() const { return m_peakOutstanding; }
    [[nodiscard]] int outstanding() const { return m_outstanding; }
    [[nodiscard]] int connectionsAccepted() const { return m_connections; }
    void clearRecords();

Q_SIGNALS:
    void requestReceived(const QByteArray &path);

private:
    void onNewConnection();
    void onReadyRead(QTcpSocket *socket);
    void respond(QTcpSocket *socket, const RecordedRequest &request);
    void send(QPointer<QTcpSocket> socket, const ScriptedReply &reply, bool keepAlive);

    QTcpServer m_server;
    QHash<QByteArray, std::deque<ScriptedReply>> m_queued;
    QHash<QByteArray, Handler> m_handlers;
    QHash<QByteArray, ScriptedReply> m_defaults;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QList<RecordedRequest> m_records;
    int m_outstanding = 0;
    int m_peakOutstanding = 0;
    int m_connections = 0;
};

} // namespace TokenTray
