#pragma once

#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

class QSocketNotifier;

namespace TokenTray {

class AgentConnection;

// The agent socket for a config directory: <runtime dir>/tokentray/agent-<hash>, the same path
// the Qt-free tokentray-cli computes (core/ipc/socketpath.h). Empty without a usable runtime dir.
QString agentSocketPathFor(const QString &configDir);

// The tray's side of "one refresher for the whole desktop": a private local socket that CLI
// processes of the same user send requests to (length-prefixed versioned JSON, core/ipc/frame).
// Each connection is independent: a read deadline per request, a size limit, several requests
// one after another. Malformed input gets a "bad-request" reply and the connection is closed.
// Load never fails a client: beyond maxClients, connections wait unaccepted in the kernel's
// listen queue, and a client that does not read its replies is not read from either, so every
// client costs bounded memory.
// Connections from another uid are dropped unanswered. {"op":"ping"} is answered here; every
// other request goes to the handler, which replies through its Responder, now or later.
class AgentServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AgentServer)
public:
    // Sends the one reply to one request. Copyable; copies share the request: the first reply
    // wins, later ones are ignored. Replying after the client went away does nothing. If every
    // copy is destroyed without a reply, the client gets an "internal" error instead of waiting.
    // Use it on the server's thread.
    class Responder
    {
    public:
        Responder() = default;

        // Sends `reply` with "v": 1 added. False when already replied or the client is gone.
        bool send(QJsonObject reply) const;
        // {"v":1,"ok":true, ...fields}
        bool ok(QJsonObject fields = {}) const;
        // {"v":1,"ok":false,"error":{"code":code,"message":message}}
        bool fail(const QString &code, const QString &message) const;
        bool operator()(const QJsonObject &reply) const { return send(reply); }

        [[nodiscard]] bool isConnected() const;
        [[nodiscard]] bool hasReplied() const;

    private:
        friend class AgentConnection;
        struct State;
        explicit Responder(std::shared_ptr<State> state);
        std::shared_ptr<State> m_state;
    };

    using Handler = std::function<void(const QJsonObject &request, Responder respond)>;

    explicit AgentServer(const QString &socketPath, QObject *parent = nullptr);
    ~AgentServer() override;

    // Requests other than ping; without a handler they are answered "unsupported".
    void setHandler(Handler handler);
    // Time a client has to send one complete request (from connecting, or from the last reply).
    void setRequestTimeout(int milliseconds);
    [[nodiscard]] int requestTimeout() const { return m_requestTimeoutMs; }
    // Connections served at once; later ones wait in the listen queue until one of these ends.
    void setMaxClients(int count);

    // Replies buffered for one client beyond which its further requests wait (it is not read
    // from) until it takes them; one that takes none within requestTimeout() is dropped.
    static constexpr qint64 kMaxUnsentReplyBytes = 1024 * 1024;

    // Prepares the directory (0700, ours), refuses when another agent serves this path, removes
    // a stale socket, listens (socket 0600). False with errorString() on failure.
    bool listen();
    // Stops listening and drops every connection (their pending requests get no reply).
    void close();

    [[nodiscard]] bool isListening() const;
    [[nodiscard]] QString socketPath() const { return m_socketPath; }
    [[nodiscard]] QString errorString() const { return m_errorString; }
    [[nodiscard]] int clientCount() const { return int(m_connections.size()); }
    // Reply bytes written but not yet taken by the clients, over all connections.
    [[nodiscard]] qint64 unsentReplyBytes() const;

    // The uid of the process at the other end of a connected Unix socket (SO_PEERCRED on Linux,
    // getpeereid elsewhere); nullopt if it cannot be told.
    static std::optional<uint> peerUid(qintptr socketDescriptor);

Q_SIGNALS:
    void clientCountChanged(int count);
    void peerRejected(uint uid); // a process of another user connected; it was dropped
    void requestRejected(const QString &reason); // bad frame, deadline, replies never read
    void clientStalled(); // a client left kMaxUnsentReplyBytes unread: its requests now wait
    void requestReceived(const QString &op);

private:
    friend class AgentConnection;
    void acceptConnections();
    void connectionClosed(AgentConnection *connection);
    void dispatch(AgentConnection *connection, const QJsonObject &request, Responder respond);
    bool takeLock();
    void releaseLock();

    QString m_socketPath;
    QString m_errorString;
    Handler m_handler;
    int m_requestTimeoutMs = 5000;
    int m_maxClients = 64;
    int m_lockFd = -1;
    int m_listenFd = -1;
    QSocketNotifier *m_acceptNotifier = nullptr;
    QSet<AgentConnection *> m_connections;
};

} // namespace TokenTray
