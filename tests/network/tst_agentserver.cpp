// The agent socket (core/ipc/agentserver) in-process, driven by QLocalSocket clients, raw
// sockets and the real Qt-free tokentray-cli front (app/cli/lean) against stub handlers.
#include "core/ipc/agentclient.h"
#include "core/ipc/agentserver.h"
#include "core/ipc/frame.h"
#include "tests/support/testenv.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QLocalServer>
#include <QLocalSocket>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QtEndian>

#include <algorithm>
#include <cstring>

#include <grp.h>
#include <memory>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

using namespace TokenTray;

namespace {

mode_t modeOf(const QString &path)
{
    struct stat st
    {
    };
    if (::lstat(QFile::encodeName(path).constData(), &st) != 0)
        return 0;
    return st.st_mode & 07777;
}

bool isSocket(const QString &path)
{
    struct stat st
    {
    };
    return ::lstat(QFile::encodeName(path).constData(), &st) == 0 && S_ISSOCK(st.st_mode);
}

QByteArray header(quint32 length)
{
    QByteArray bytes(4, Qt::Uninitialized);
    qToBigEndian<quint32>(length, bytes.data());
    return bytes;
}

QByteArray frameOf(const QByteArray &body)
{
    return header(quint32(body.size())) + body;
}

QByteArray pingFrame()
{
    return encodeFrame({{"v", 1}, {"op", "ping"}});
}

// A QLocalSocket that collects reply frames; waiting spins the event loop so the in-process
// server keeps working.
class Client
{
public:
    explicit Client(const QString &path)
    {
        QObject::connect(&m_socket, &QLocalSocket::readyRead, &m_socket, [this] {
            const QByteArray bytes = m_socket.readAll();
            m_raw += bytes;
            const FrameReader::Output out = m_reader.feed(bytes);
            m_replies += out.frames;
            m_broken = m_broken || out.error.has_value();
        });
        m_socket.connectToServer(path);
        m_socket.waitForConnected(2000);
    }

    bool isConnected() const { return m_socket.state() == QLocalSocket::ConnectedState; }
    void send(const QByteArray &bytes)
    {
        m_socket.write(bytes);
        m_socket.flush();
    }
    bool waitForReplies(int count, int timeoutMs = 30000)
    {
        return QTest::qWaitFor(
                   [&] {
                       return m_replies.size() >= count || m_broken
                           || (m_socket.state() == QLocalSocket::UnconnectedState
                               && m_socket.bytesAvailable() == 0);
                   },
                   timeoutMs)
            && m_replies.size() >= count;
    }
    bool waitForClosed(int timeoutMs = 30000)
    {
        return QTest::qWaitFor([&] { return m_socket.state() == QLocalSocket::UnconnectedState; },
                               timeoutMs);
    }
    void disconnect() { m_socket.disconnectFromServer(); }
    const QList<QJsonObject> &replies() const { return m_replies; }
    QLocalSocket &socket() { return m_socket; }

private:
    QLocalSocket m_socket;
    FrameReader m_reader {kMaxReplyFrameSize};
    QList<QJsonObject> m_replies;
    QByteArray m_raw;
    bool m_broken = false;
};

QString errorCode(const QJsonObject &reply)
{
    return reply.value("error").toObject().value("code").toString();
}

struct LeanResult
{
    int exitCode = -1;
    bool finished = false;
    QByteArray out;
    QByteArray err;
};

// Runs the real tokentray-cli front without blocking the event loop (the agent is in-process).
LeanResult runLean(const QStringList &args, const QProcessEnvironment &extraEnv = {},
                   const QString &workingDirectory = {})
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove("TOKENTRAY_NO_AGENT");
    env.insert(extraEnv);
    process.setProcessEnvironment(env);
    if (!workingDirectory.isEmpty())
        process.setWorkingDirectory(workingDirectory);
    QSignalSpy finished(&process, &QProcess::finished);
    process.start(TestEnv::binary("tokentray-cli"), args);
    process.closeWriteChannel();
    LeanResult result;
    result.finished = finished.wait(60000);
    if (!result.finished) {
        process.kill();
        process.waitForFinished(5000);
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
}

QString describe(const LeanResult &r)
{
    return QStringLiteral("exit %1\nstdout: %2\nstderr: %3")
        .arg(r.exitCode)
        .arg(QString::fromUtf8(r.out), QString::fromUtf8(r.err));
}

} // namespace

class tst_AgentServer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    // the server
    void pingAnswers();
    void modesAreOwnerOnly();
    void widerDirectoryModeIsFixed();
    void foreignDirectoryIsRefused();
    void secondServerFailsWhileFirstRuns();
    void staleSocketOfKilledAgentIsReplaced();
    void staleSocketFileIsReplaced();
    void nonSocketFileIsLeftAlone();
    void closeRemovesTheSocket();
    void severalRequestsPerConnection();
    void badFrames_data();
    void badFrames();
    void handlerRepliesLater();
    void replyAfterClientLeftIsHarmless();
    void droppedResponderRepliesInternal();
    void onlyTheFirstReplyCounts();
    void noHandlerMeansUnsupported();
    void slowClientIsClosedWhileOthersAreServed();
    void idleClientIsClosedAfterDeadline();
    void manyClientsAtOnce();
    void clientsBeyondTheLimitWaitTheirTurn();
    void clientNotReadingRepliesIsNotRead();
    void clientNotReadingRepliesIsDropped();
    void thousandBadFramesThenPing();
    void peerUidOfSocketPair();
    void otherUidIsRefused();

    // AgentRequestJob, the asynchronous client
    void requestJobWithoutAgentIsNoError();
    void requestJobAnswered();
    void requestJobMalformedReplyIsAnError();
    void requestJobCancelled();

    // the lean tokentray-cli front
    void leanForwardsAndPrintsExactly();
    void leanForwardsCommands_data();
    void leanForwardsCommands();
    void leanUnsupportedRunsFullCli();
    void leanWithoutAgentRunsFullCli();
    void leanNoAgentVariable();
    void leanBrokenConnection();
    void leanRequestDroppedUnreadRunsFullCli();
    void leanErrorReply();
    void leanLargeReply();
    void leanParsesReplies_data();
    void leanParsesReplies();

private:
    QString socketPath() const { return agentSocketPathFor(m_config->path()); }
    std::unique_ptr<AgentServer> startServer(int timeoutMs = 5000);
    // A raw QLocalServer at the agent path that answers every connection with `reply` bytes.
    std::unique_ptr<QLocalServer> startRawServer(const QByteArray &reply);

    QTemporaryDir m_runtime;
    std::unique_ptr<QTemporaryDir> m_config;
    QJsonObject m_lastRequest;
    int m_requests = 0;
};

void tst_AgentServer::initTestCase()
{
    QVERIFY(m_runtime.isValid());
    QVERIFY(::chmod(QFile::encodeName(m_runtime.path()).constData(), 0700) == 0);
    qputenv("XDG_RUNTIME_DIR", QFile::encodeName(m_runtime.path()));
    qunsetenv("TOKENTRAY_NO_AGENT");
    const QString lean = TestEnv::binary("tokentray-cli");
    QVERIFY2(QFileInfo(lean).isExecutable(), qPrintable(lean + " is not built"));
    QVERIFY2(QFileInfo(TestEnv::binary("tokentray-cli-full")).isExecutable(),
             "tokentray-cli-full is not built");
}

void tst_AgentServer::init()
{
    m_config = std::make_unique<QTemporaryDir>();
    QVERIFY(m_config->isValid());
    m_lastRequest = {};
    m_requests = 0;
}

void tst_AgentServer::cleanup()
{
    m_config.reset();
}

std::unique_ptr<AgentServer> tst_AgentServer::startServer(int timeoutMs)
{
    auto server = std::make_unique<AgentServer>(socketPath());
    server->setRequestTimeout(timeoutMs);
    if (!server->listen()) {
        qWarning() << server->errorString();
        return {};
    }
    return server;
}

std::unique_ptr<QLocalServer> tst_AgentServer::startRawServer(const QByteArray &reply)
{
    QDir().mkpath(QFileInfo(socketPath()).absolutePath());
    QLocalServer::removeServer(socketPath());
    auto server = std::make_unique<QLocalServer>();
    if (!server->listen(socketPath()))
        return {};
    QLocalServer *raw = server.get();
    connect(raw, &QLocalServer::newConnection, raw, [raw, reply] {
        while (QLocalSocket *socket = raw->nextPendingConnection()) {
            connect(socket, &QLocalSocket::readyRead, socket, [socket, reply] {
                socket->readAll();
                socket->write(reply);
                socket->disconnectFromServer();
            });
            connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        }
    });
    return server;
}

// ---- AgentRequestJob ------------------------------------------------------------------------

void tst_AgentServer::requestJobWithoutAgentIsNoError()
{
    AgentRequestJob job(m_config->path(), {{"op", "ping"}}, 5000);
    QSignalSpy finished(&job, &Job::finished);
    job.start();
    QCOMPARE(finished.count(), 0); // never from start()
    QVERIFY(finished.wait(5000));
    QVERIFY(!job.result().has_value()); // the caller does the work itself
    QVERIFY(!job.error());
}

void tst_AgentServer::requestJobAnswered()
{
    const auto server = startServer();
    QVERIFY(server);
    server->setHandler([this](const QJsonObject &request, AgentServer::Responder respond) {
        m_lastRequest = request;
        respond.ok({{"answer", 42}});
    });
    AgentRequestJob job(m_config->path(), {{"op", "work"}}, 5000);
    QSignalSpy finished(&job, &Job::finished);
    job.start();
    QVERIFY(finished.wait(5000));
    QCOMPARE(finished.count(), 1);
    QCOMPARE(m_lastRequest.value("op").toString(), QStringLiteral("work"));
    QVERIFY(job.result().has_value());
    QVERIFY(*job.result());
    QCOMPARE(job.result()->value().value("answer").toInt(), 42);
    QVERIFY(!job.error());
}

void tst_AgentServer::requestJobMalformedReplyIsAnError()
{
    const auto raw = startRawServer(frameOf("{{{"));
    QVERIFY(raw);
    AgentRequestJob job(m_config->path(), {{"op", "ping"}}, 5000);
    QSignalSpy finished(&job, &Job::finished);
    job.start();
    QVERIFY(finished.wait(5000));
    QVERIFY(job.result().has_value());
    QVERIFY(!*job.result());
    QCOMPARE(errorCodeName(job.result()->error().code), errorCodeName(ErrorCode::Parse));
    QVERIFY(job.error());
    QCOMPARE(errorCodeName(job.error()->code), errorCodeName(job.result()->error().code));
    QCOMPARE(job.error()->detail, job.result()->error().detail);
}

void tst_AgentServer::requestJobCancelled()
{
    const auto server = startServer();
    QVERIFY(server);
    std::optional<AgentServer::Responder> held;
    server->setHandler([&held](const QJsonObject &, AgentServer::Responder respond) {
        held = std::move(respond);
    });
    AgentRequestJob job(m_config->path(), {{"op", "work"}}, 60000);
    QSignalSpy finished(&job, &Job::finished);
    job.start();
    QTRY_VERIFY_WITH_TIMEOUT(held.has_value(), 5000);
    job.cancel();
    QCOMPARE(finished.count(), 1); // at once: it was running
    QVERIFY(job.result().has_value());
    QVERIFY(!*job.result());
    QCOMPARE(errorCodeName(job.result()->error().code), errorCodeName(ErrorCode::Cancelled));
    QVERIFY(job.error());
    QCOMPARE(errorCodeName(job.error()->code), errorCodeName(ErrorCode::Cancelled));
    held->ok({{"late", true}}); // the answer after the cancel changes nothing
    QTest::qWait(0);
    QCOMPARE(finished.count(), 1);
    QCOMPARE(errorCodeName(job.result()->error().code), errorCodeName(ErrorCode::Cancelled));
}

// ---- the server -----------------------------------------------------------------------------

void tst_AgentServer::pingAnswers()
{
    const auto server = startServer();
    QVERIFY(server);
    QVERIFY(server->isListening());
    QSignalSpy ops(server.get(), &AgentServer::requestReceived);
    Client client(socketPath());
    QVERIFY(client.isConnected());
    client.send(pingFrame());
    QVERIFY(client.waitForReplies(1));
    const QJsonObject reply = client.replies().first();
    QCOMPARE(reply.value("v").toInt(), 1);
    QCOMPARE(reply.value("ok").toBool(), true);
    QCOMPARE(reply.value("op").toString(), QStringLiteral("pong"));
    QCOMPARE(reply.value("pid").toInteger(), QCoreApplication::applicationPid());
    QCOMPARE(ops.size(), 1);
    QCOMPARE(ops.first().first().toString(), QStringLiteral("ping"));
    QTRY_COMPARE(server->clientCount(), 1);
}

void tst_AgentServer::modesAreOwnerOnly()
{
    const auto server = startServer();
    QVERIFY(server);
    QVERIFY(isSocket(socketPath()));
    QCOMPARE(modeOf(socketPath()), mode_t(0600));
    QCOMPARE(modeOf(QFileInfo(socketPath()).absolutePath()), mode_t(0700));
    QVERIFY(socketPath().startsWith(m_runtime.path() + "/tokentray/agent-"));
}

void tst_AgentServer::widerDirectoryModeIsFixed()
{
    const QString dir = QFileInfo(socketPath()).absolutePath();
    QVERIFY(QDir().mkpath(dir));
    QVERIFY(::chmod(QFile::encodeName(dir).constData(), 0755) == 0);
    const auto server = startServer();
    QVERIFY(server);
    QCOMPARE(modeOf(dir), mode_t(0700));
}

void tst_AgentServer::foreignDirectoryIsRefused()
{
    // Its own runtime root, so the shared one is not touched.
    QTemporaryDir runtime;
    QVERIFY(runtime.isValid());
    ::chmod(QFile::encodeName(runtime.path()).constData(), 0700);
    const QString dir = runtime.path() + "/tokentray";

    QVERIFY(QFile::link(m_config->path(), dir)); // a symlink is not our directory
    {
        AgentServer server(dir + "/agent-0000000000000000");
        QVERIFY(!server.listen());
        QVERIFY2(server.errorString().contains("not a directory"),
                 qPrintable(server.errorString()));
    }
    QVERIFY(QFile::remove(dir));

    if (::geteuid() != 0)
        QSKIP("needs root to give the directory to another user");
    QVERIFY(QDir().mkpath(dir));
    QVERIFY(::chown(QFile::encodeName(dir).constData(), 65534, 65534) == 0);
    AgentServer server(dir + "/agent-0000000000000000");
    QVERIFY(!server.listen());
    QVERIFY2(server.errorString().contains("another user"), qPrintable(server.errorString()));
    QVERIFY(!QFileInfo::exists(dir + "/agent-0000000000000000"));
}

void tst_AgentServer::secondServerFailsWhileFirstRuns()
{
    const auto first = startServer();
    QVERIFY(first);
    AgentServer second(socketPath());
    QVERIFY(!second.listen());
    QVERIFY2(second.errorString().contains("already serves"), qPrintable(second.errorString()));
    QVERIFY(!second.isListening());
    // The first one still owns the socket.
    QSignalSpy ops(first.get(), &AgentServer::requestReceived);
    Client client(socketPath());
    client.send(pingFrame());
    QVERIFY(client.waitForReplies(1));
    QCOMPARE(ops.size(), 1);

    // And an agent in another process for the same directory fails too.
    QProcess stub;
    stub.start(TestEnv::binary("tokentray-stub-agent"), {"--config-dir", m_config->path()});
    QVERIFY(stub.waitForFinished(10000));
    QCOMPARE(stub.exitCode(), 1);
    QVERIFY2(stub.readAllStandardError().contains("already serves"), "no clear error");
    QVERIFY(isSocket(socketPath()));
}

void tst_AgentServer::staleSocketOfKilledAgentIsReplaced()
{
    QProcess stub;
    stub.start(TestEnv::binary("tokentray-stub-agent"), {"--config-dir", m_config->path()});
    QVERIFY(stub.waitForStarted(5000));
    QVERIFY2(stub.waitForReadyRead(10000), stub.readAllStandardError().constData());
    QVERIFY(stub.readAllStandardOutput().startsWith("listening "));
    QVERIFY(isSocket(socketPath()));
    ::kill(pid_t(stub.processId()), SIGKILL);
    QVERIFY(stub.waitForFinished(5000));
    QVERIFY(isSocket(socketPath())); // left behind

    const auto server = startServer();
    QVERIFY(server);
    QSignalSpy ops(server.get(), &AgentServer::requestReceived);
    Client client(socketPath());
    client.send(pingFrame());
    QVERIFY(client.waitForReplies(1));
    QCOMPARE(ops.size(), 1);
}

void tst_AgentServer::staleSocketFileIsReplaced()
{
    // A socket file nobody listens on (bound, never listening: as after a crash).
    QVERIFY(QDir().mkpath(QFileInfo(socketPath()).absolutePath()));
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address {};
    address.sun_family = AF_UNIX;
    const QByteArray native = QFile::encodeName(socketPath());
    std::memcpy(address.sun_path, native.constData(), size_t(native.size()));
    QCOMPARE(::bind(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address), 0);
    ::close(fd);
    QVERIFY(isSocket(socketPath()));

    const auto server = startServer();
    QVERIFY(server);
    Client client(socketPath());
    client.send(pingFrame());
    QVERIFY(client.waitForReplies(1));
}

void tst_AgentServer::nonSocketFileIsLeftAlone()
{
    QVERIFY(QDir().mkpath(QFileInfo(socketPath()).absolutePath()));
    QFile file(socketPath());
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("keep me");
    file.close();
    AgentServer server(socketPath());
    QVERIFY(!server.listen());
    QVERIFY2(server.errorString().contains("not a socket"), qPrintable(server.errorString()));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray("keep me"));
}

void tst_AgentServer::closeRemovesTheSocket()
{
    auto server = startServer();
    QVERIFY(server);
    Client client(socketPath());
    QTRY_COMPARE(server->clientCount(), 1);
    QSignalSpy count(server.get(), &AgentServer::clientCountChanged);
    server->close();
    QVERIFY(!QFileInfo::exists(socketPath()));
    QCOMPARE(server->clientCount(), 0);
    QVERIFY(client.waitForClosed());
    // Listening again works (the lock was released and taken again).
    QVERIFY2(server->listen(), qPrintable(server->errorString()));
    QVERIFY(isSocket(socketPath()));
}

void tst_AgentServer::severalRequestsPerConnection()
{
    const auto server = startServer();
    QVERIFY(server);
    int calls = 0;
    server->setHandler([&calls](const QJsonObject &request, AgentServer::Responder respond) {
        ++calls;
        respond.ok({{"n", request.value("n")}});
    });
    Client client(socketPath());
    // Pipelined in one write, answered in order.
    QByteArray batch;
    for (int n = 0; n < 5; ++n)
        batch += encodeFrame({{"v", 1}, {"op", "echo"}, {"n", n}});
    client.send(batch);
    QVERIFY(client.waitForReplies(5));
    for (int n = 0; n < 5; ++n)
        QCOMPARE(client.replies().at(n).value("n").toInt(), n);
    // And later, one by one on the same connection.
    client.send(encodeFrame({{"v", 1}, {"op", "echo"}, {"n", 5}}));
    QVERIFY(client.waitForReplies(6));
    client.send(pingFrame());
    QVERIFY(client.waitForReplies(7));
    QCOMPARE(client.replies().at(5).value("n").toInt(), 5);
    QCOMPARE(client.replies().at(6).value("op").toString(), QStringLiteral("pong"));
    QCOMPARE(calls, 6);
    QVERIFY(client.isConnected());
}

void tst_AgentServer::badFrames_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("reason");
    QTest::newRow("length 0") << header(0) << "empty frame";
    QTest::newRow("huge length") << QByteArray(header(0xFFFFFFF0u) + "{")
                                 << "larger than the limit";
    QTest::newRow("64 KiB + 1") << header(64 * 1024 + 1) << "larger than the limit";
    QTest::newRow("garbage") << frameOf("\x01\x02garbage") << "not valid UTF-8 JSON";
    QTest::newRow("array") << frameOf("[{\"v\":1}]") << "not a JSON object";
    QTest::newRow("no version") << frameOf(R"({"op":"ping"})") << "protocol version";
    QTest::newRow("version 2") << frameOf(R"({"v":2,"op":"ping"})") << "protocol version";
    QTest::newRow("no op") << frameOf(R"({"v":1})") << "without \"op\"";
    QTest::newRow("op not a string") << frameOf(R"({"v":1,"op":7})") << "without \"op\"";
    QTest::newRow("after a good one")
        << QByteArray(pingFrame() + frameOf("nope")) << "not valid UTF-8 JSON";
}

void tst_AgentServer::badFrames()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, reason);
    const auto server = startServer();
    QVERIFY(server);
    QSignalSpy rejected(server.get(), &AgentServer::requestRejected);
    Client client(socketPath());
    client.send(bytes);
    QVERIFY(client.waitForClosed());
    QVERIFY(!client.replies().isEmpty());
    const QJsonObject reply = client.replies().last();
    QCOMPARE(reply.value("v").toInt(), 1);
    QCOMPARE(reply.value("ok").toBool(true), false);
    QCOMPARE(errorCode(reply), QStringLiteral("bad-request"));
    const QString message = reply.value("error").toObject().value("message").toString();
    QVERIFY2(message.contains(reason), qPrintable(message));
    QCOMPARE(rejected.size(), 1);
    QTRY_COMPARE(server->clientCount(), 0);
}

void tst_AgentServer::handlerRepliesLater()
{
    const auto server = startServer();
    QVERIFY(server);
    std::optional<AgentServer::Responder> held;
    server->setHandler([&held](const QJsonObject &, AgentServer::Responder respond) {
        held = std::move(respond);
    });
    Client slow(socketPath());
    Client quick(socketPath());
    slow.send(encodeFrame({{"v", 1}, {"op", "work"}}));
    QTRY_VERIFY(held.has_value());
    quick.send(pingFrame()); // not held up by the pending request on the other connection
    QVERIFY(quick.waitForReplies(1));
    QVERIFY(slow.replies().isEmpty());
    QVERIFY(held->ok({{"late", true}}));
    QVERIFY(slow.waitForReplies(1));
    QCOMPARE(slow.replies().first().value("late").toBool(), true);
}

void tst_AgentServer::replyAfterClientLeftIsHarmless()
{
    const auto server = startServer();
    QVERIFY(server);
    std::optional<AgentServer::Responder> kept;
    server->setHandler([&kept](const QJsonObject &, AgentServer::Responder respond) {
        kept = std::move(respond);
    });
    {
        Client client(socketPath());
        client.send(encodeFrame({{"v", 1}, {"op", "work"}}));
        QTRY_VERIFY(kept.has_value());
        QVERIFY(kept->isConnected());
        client.disconnect();
    }
    QTRY_COMPARE(server->clientCount(), 0);
    QVERIFY(!kept->isConnected());
    QVERIFY(!kept->ok({{"x", 1}}));
    QVERIFY(kept->hasReplied());
    kept.reset(); // and dropping it now sends nothing anywhere, and breaks nothing
    Client next(socketPath());
    next.send(pingFrame());
    QVERIFY(next.waitForReplies(1));
    QCOMPARE(next.replies().size(), 1);
    QCOMPARE(next.replies().first().value("op").toString(), QStringLiteral("pong"));
}

void tst_AgentServer::droppedResponderRepliesInternal()
{
    const auto server = startServer();
    QVERIFY(server);
    server->setHandler([](const QJsonObject &, AgentServer::Responder) {});
    Client client(socketPath());
    client.send(encodeFrame({{"v", 1}, {"op", "work"}}));
    QVERIFY(client.waitForReplies(1));
    QCOMPARE(errorCode(client.replies().first()), QStringLiteral("internal"));
    client.send(pingFrame()); // the connection carries on
    QVERIFY(client.waitForReplies(2));
}

void tst_AgentServer::onlyTheFirstReplyCounts()
{
    const auto server = startServer();
    QVERIFY(server);
    bool second = true;
    server->setHandler([&second](const QJsonObject &, AgentServer::Responder respond) {
        const AgentServer::Responder copy = respond;
        QVERIFY(respond.ok({{"n", 1}}));
        second = copy.ok({{"n", 2}}) || respond.fail("x", "y");
    });
    Client client(socketPath());
    client.send(encodeFrame({{"v", 1}, {"op", "work"}}));
    client.send(pingFrame());
    QVERIFY(client.waitForReplies(2));
    // Replies come in order: had a second reply been sent, it would be before this pong.
    client.send(pingFrame());
    QVERIFY(client.waitForReplies(3));
    QCOMPARE(client.replies().size(), 3);
    QCOMPARE(client.replies().at(0).value("n").toInt(), 1);
    QCOMPARE(client.replies().at(1).value("op").toString(), QStringLiteral("pong"));
    QCOMPARE(client.replies().at(2).value("op").toString(), QStringLiteral("pong"));
    QVERIFY(!second);
}

void tst_AgentServer::noHandlerMeansUnsupported()
{
    const auto server = startServer();
    QVERIFY(server);
    Client client(socketPath());
    client.send(encodeFrame({{"v", 1}, {"op", "cli"}, {"args", QJsonArray {"token"}}}));
    QVERIFY(client.waitForReplies(1));
    QCOMPARE(errorCode(client.replies().first()), QStringLiteral("unsupported"));
    QVERIFY(client.isConnected());
}

void tst_AgentServer::slowClientIsClosedWhileOthersAreServed()
{
    const auto server = startServer(2000);
    QVERIFY(server);
    QElapsedTimer timer;
    timer.start();
    Client slow(socketPath());
    slow.send(pingFrame().left(7)); // half a frame, then nothing
    QTRY_COMPARE(server->clientCount(), 1);
    Client other(socketPath());
    other.send(pingFrame());
    QVERIFY(other.waitForReplies(1));
    // The slow one is closed by its own deadline (not earlier), with a reason.
    QVERIFY(slow.waitForClosed());
    QVERIFY2(timer.elapsed() >= 1900, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(slow.replies().size(), 1);
    QCOMPARE(errorCode(slow.replies().first()), QStringLiteral("bad-request"));
    QVERIFY(slow.replies().first().value("error").toObject().value("message").toString().contains(
        "incomplete"));
}

void tst_AgentServer::idleClientIsClosedAfterDeadline()
{
    const auto server = startServer(300);
    QVERIFY(server);
    Client idle(socketPath());
    idle.send(pingFrame());
    QVERIFY(idle.waitForReplies(1));
    QVERIFY(idle.waitForClosed()); // nothing more within the deadline after the reply
    QTRY_COMPARE(server->clientCount(), 0);
}

void tst_AgentServer::manyClientsAtOnce()
{
    const auto server = startServer();
    QVERIFY(server);
    server->setHandler([](const QJsonObject &request, AgentServer::Responder respond) {
        const int delay = QRandomGenerator::global()->bounded(50);
        QTimer::singleShot(delay, qApp, [request, respond] {
            respond.ok({{"n", request.value("n")}});
        });
    });
    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 0; i < 50; ++i) {
        clients.push_back(std::make_unique<Client>(socketPath()));
        clients.back()->send(encodeFrame({{"v", 1}, {"op", "work"}, {"n", i}}));
    }
    QTRY_COMPARE(server->clientCount(), 50);
    for (int i = 0; i < 50; ++i) {
        QVERIFY(clients[size_t(i)]->waitForReplies(1));
        QCOMPARE(clients[size_t(i)]->replies().first().value("n").toInt(), i);
    }
}

void tst_AgentServer::clientsBeyondTheLimitWaitTheirTurn()
{
    const auto server = startServer();
    QVERIFY(server);
    server->setMaxClients(2);
    QSignalSpy rejected(server.get(), &AgentServer::requestRejected);
    int most = 0;
    connect(server.get(), &AgentServer::clientCountChanged, this,
            [&most](int count) { most = std::max(most, count); });
    constexpr int kClients = 6;
    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 0; i < kClients; ++i) {
        clients.push_back(std::make_unique<Client>(socketPath()));
        QVERIFY(clients.back()->isConnected()); // queued by the kernel, not refused
        clients.back()->send(pingFrame());
    }
    QTRY_COMPARE(server->clientCount(), 2);
    // In the order they came, each one is served once an earlier one leaves.
    for (int i = 0; i < kClients; ++i) {
        QVERIFY2(clients[size_t(i)]->waitForReplies(1), qPrintable(QString::number(i)));
        QCOMPARE(clients[size_t(i)]->replies().first().value("op").toString(),
                 QStringLiteral("pong"));
        clients[size_t(i)]->disconnect();
    }
    QTRY_COMPARE(server->clientCount(), 0);
    QCOMPARE(most, 2);
    QVERIFY(rejected.isEmpty());
}

namespace {

// A client that pipelines pings and never reads: keeps its socket full until `done` holds.
class PingFlood
{
public:
    explicit PingFlood(const QString &path)
        : m_chunk(pingFrame().repeated(4096))
    {
        m_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        sockaddr_un address {};
        address.sun_family = AF_UNIX;
        const QByteArray native = QFile::encodeName(path);
        std::memcpy(address.sun_path, native.constData(), size_t(native.size()));
        m_connected
            = ::connect(m_fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) == 0;
    }
    ~PingFlood() { ::close(m_fd); }
    Q_DISABLE_COPY_MOVE(PingFlood)

    bool isConnected() const { return m_connected; }
    // Sends what the socket takes; false once the server stopped taking any (kernel full).
    bool push()
    {
        bool took = false;
        for (;;) {
            const ssize_t n = ::send(m_fd, m_chunk.constData() + m_offset,
                                     size_t(m_chunk.size() - m_offset), MSG_NOSIGNAL);
            if (n <= 0)
                return took;
            took = true;
            m_sent += n;
            m_offset = (m_offset + n) % m_chunk.size();
        }
    }
    qint64 sent() const { return m_sent; }

private:
    QByteArray m_chunk;
    int m_fd = -1;
    bool m_connected = false;
    qint64 m_sent = 0;
    qsizetype m_offset = 0;
};

} // namespace

void tst_AgentServer::clientNotReadingRepliesIsNotRead()
{
    const auto server = startServer(600000); // not dropped while this test looks
    QVERIFY(server);
    QSignalSpy stalled(server.get(), &AgentServer::clientStalled);
    PingFlood flood(socketPath());
    QVERIFY(flood.isConnected());
    QTRY_VERIFY_WITH_TIMEOUT((flood.push(), !stalled.isEmpty()), 60000);
    // The server stopped reading at the bound, not after buffering the whole flood.
    constexpr qint64 kSlack = 4096; // the reply that crossed the bound
    QVERIFY2(server->unsentReplyBytes() <= AgentServer::kMaxUnsentReplyBytes + kSlack,
             qPrintable(QString::number(server->unsentReplyBytes())));
    // Others are still served, and the flood meets the kernel's backpressure, not our memory.
    Client other(socketPath());
    other.send(pingFrame());
    QVERIFY(other.waitForReplies(1));
    QCOMPARE(other.replies().first().value("op").toString(), QStringLiteral("pong"));
    QTRY_VERIFY_WITH_TIMEOUT(!flood.push(), 60000);
    const qint64 sent = flood.sent();
    other.send(pingFrame()); // a turn of the server's event loop after the flood hit the wall
    QVERIFY(other.waitForReplies(2));
    QVERIFY(!flood.push());
    QCOMPARE(flood.sent(), sent);
    QVERIFY2(server->unsentReplyBytes() <= AgentServer::kMaxUnsentReplyBytes + kSlack,
             qPrintable(QString::number(server->unsentReplyBytes())));
    QCOMPARE(server->clientCount(), 2);
}

void tst_AgentServer::clientNotReadingRepliesIsDropped()
{
    const auto server = startServer(500);
    QVERIFY(server);
    QSignalSpy stalled(server.get(), &AgentServer::clientStalled);
    QSignalSpy rejected(server.get(), &AgentServer::requestRejected);
    PingFlood flood(socketPath());
    QVERIFY(flood.isConnected());
    QTRY_VERIFY_WITH_TIMEOUT((flood.push(), !stalled.isEmpty()), 60000);
    // It takes none of its replies within the deadline: its slot goes to clients that read.
    QTRY_COMPARE_WITH_TIMEOUT(server->clientCount(), 0, 30000);
    QCOMPARE(server->unsentReplyBytes(), 0);
    QVERIFY(!rejected.isEmpty());
    QVERIFY2(rejected.last().first().toString().contains("replies not read"),
             qPrintable(rejected.last().first().toString()));
}

void tst_AgentServer::thousandBadFramesThenPing()
{
    const auto server = startServer(300);
    QVERIFY(server);
    server->setMaxClients(200);
    QRandomGenerator rng(20240601);
    auto randomBytes = [&rng](qsizetype n) {
        QByteArray bytes(n, Qt::Uninitialized);
        for (char &c : bytes)
            c = char(rng.bounded(256));
        return bytes;
    };

    int checkedErrors = 0;
    int pongs = 0;
    for (int batch = 0; batch < 25; ++batch) {
        struct Case
        {
            std::unique_ptr<QLocalSocket> socket;
            QByteArray received;
            int kind = 0;
        };
        std::vector<std::unique_ptr<Case>> cases;
        for (int i = 0; i < 40; ++i) {
            auto c = std::make_unique<Case>();
            c->kind = int(rng.bounded(10));
            c->socket = std::make_unique<QLocalSocket>();
            Case *raw = c.get();
            connect(raw->socket.get(), &QLocalSocket::readyRead, this,
                    [raw] { raw->received += raw->socket->readAll(); });
            raw->socket->connectToServer(socketPath());
            QVERIFY(raw->socket->waitForConnected(2000));
            QByteArray bytes;
            const QByteArray ping = pingFrame();
            switch (c->kind) {
            case 0: // random bytes
                bytes = randomBytes(rng.bounded(300));
                break;
            case 1: { // a plausible length, garbage body
                const quint32 n = 1 + rng.bounded(500);
                bytes = header(n) + randomBytes(n);
                bytes[4] = '#'; // never valid JSON
                break;
            }
            case 2: // a huge length
                bytes = header(quint32(64 * 1024 + 1 + rng.bounded(0xFFFE0000u))) + randomBytes(10);
                break;
            case 3: // truncated, then gone
            case 4: // truncated, then silent
                bytes = ping.left(1 + rng.bounded(int(ping.size()) - 1));
                break;
            case 5:
                bytes = header(0);
                break;
            case 6:
                bytes = rng.bounded(2) ? frameOf(R"(["v",1])") : frameOf(R"({"v":3,"op":"ping"})");
                break;
            case 7:
                bytes = ping;
                break;
            case 8: // a flood
                bytes = randomBytes(64 * 1024 + rng.bounded(200 * 1024));
                break;
            case 9: // connect and leave
                break;
            }
            raw->socket->write(bytes);
            raw->socket->flush();
            if (c->kind == 3 || c->kind == 9)
                raw->socket->disconnectFromServer();
            cases.push_back(std::move(c));
        }
        auto allClosed = [&cases] {
            return std::all_of(cases.begin(), cases.end(), [](const auto &c) {
                return c->socket->state() == QLocalSocket::UnconnectedState;
            });
        };
        QTRY_VERIFY_WITH_TIMEOUT(allClosed(), 10000);
        for (const auto &c : cases) {
            FrameReader reader(kMaxReplyFrameSize);
            const FrameReader::Output out = reader.feed(c->received);
            if (c->kind == 1 || c->kind == 2 || c->kind == 5 || c->kind == 6) {
                QVERIFY2(!out.frames.isEmpty(), qPrintable(QString::number(c->kind)));
                QCOMPARE(errorCode(out.frames.last()), QStringLiteral("bad-request"));
                ++checkedErrors;
            } else if (c->kind == 7) {
                QVERIFY(!out.frames.isEmpty());
                QCOMPARE(out.frames.first().value("op").toString(), QStringLiteral("pong"));
                ++pongs;
            } else if (c->kind == 4) {
                QVERIFY(!out.frames.isEmpty()); // closed by the deadline, with a reason
                QCOMPARE(errorCode(out.frames.last()), QStringLiteral("bad-request"));
            }
        }
    }
    QVERIFY(checkedErrors > 300);
    QVERIFY(pongs > 50);
    QTRY_COMPARE(server->clientCount(), 0);
    QVERIFY(server->isListening());

    Client client(socketPath());
    client.send(pingFrame());
    QVERIFY(client.waitForReplies(1));
}

void tst_AgentServer::peerUidOfSocketPair()
{
    int fds[2];
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    QCOMPARE(AgentServer::peerUid(fds[0]), std::optional<uint>(uint(::geteuid())));
    QCOMPARE(AgentServer::peerUid(fds[1]), std::optional<uint>(uint(::geteuid())));
    ::close(fds[0]);
    ::close(fds[1]);
    QCOMPARE(AgentServer::peerUid(-1), std::optional<uint>());
}

void tst_AgentServer::otherUidIsRefused()
{
    if (::geteuid() != 0)
        QSKIP("needs root to connect as another user (fork + setresuid)");
    // Fixed now: with the runtime dir opened up below, QStandardPaths would no longer accept it.
    const QString path = socketPath();
    const auto server = startServer();
    QVERIFY(server);
    int handled = 0;
    server->setHandler([&handled](const QJsonObject &, AgentServer::Responder respond) {
        ++handled;
        respond.ok();
    });
    QSignalSpy rejected(server.get(), &AgentServer::peerRejected);

    // Let uid 65534 reach the socket (the agent checked the modes when it started listening;
    // the peer check is what must stop this client).
    const QString dir = QFileInfo(path).absolutePath();
    ::chmod(QFile::encodeName(m_runtime.path()).constData(), 0711);
    ::chmod(QFile::encodeName(dir).constData(), 0711);
    ::chmod(QFile::encodeName(path).constData(), 0666);

    sockaddr_un address {};
    address.sun_family = AF_UNIX;
    const QByteArray native = QFile::encodeName(path);
    std::memcpy(address.sun_path, native.constData(), size_t(native.size()));
    const QByteArray request = encodeFrame({{"v", 1}, {"op", "cli"}, {"args", QJsonArray {"x"}}});

    const pid_t child = ::fork();
    if (child == 0) {
        // Only async-signal-safe calls from here.
        if (::setgroups(0, nullptr) != 0 || ::setresgid(65534, 65534, 65534) != 0
            || ::setresuid(65534, 65534, 65534) != 0)
            ::_exit(3);
        const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        if (::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0)
            ::_exit(2);
        ::send(fd, request.constData(), size_t(request.size()), MSG_NOSIGNAL);
        char buffer[64];
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        ::_exit(n > 0 ? 1 : 0); // 0: closed without a word
    }
    QVERIFY(child > 0);
    int status = 0;
    pid_t reaped = 0;
    QTRY_VERIFY_WITH_TIMEOUT(
        reaped == child || (reaped = ::waitpid(child, &status, WNOHANG)) == child, 10000);

    ::chmod(QFile::encodeName(path).constData(), 0600);
    ::chmod(QFile::encodeName(dir).constData(), 0700);
    ::chmod(QFile::encodeName(m_runtime.path()).constData(), 0700);

    QVERIFY(WIFEXITED(status));
    QCOMPARE(WEXITSTATUS(status), 0);
    QCOMPARE(rejected.size(), 1);
    QCOMPARE(rejected.first().first().toUInt(), 65534u);
    QCOMPARE(handled, 0);
    QCOMPARE(server->clientCount(), 0);
}

// ---- the lean tokentray-cli front -----------------------------------------------------------

void tst_AgentServer::leanForwardsAndPrintsExactly()
{
    const auto server = startServer();
    QVERIFY(server);
    const QString out = QString::fromUtf8("tok\u00e9n 🔑\n") + QChar(0) + "\x01 after NUL\r\n";
    server->setHandler([this, out](const QJsonObject &request, AgentServer::Responder respond) {
        m_lastRequest = request;
        ++m_requests;
        respond.ok({{"exit", 7}, {"stdout", out}, {"stderr", "warn: \"quoted\" \\ ünï\n"}});
    });
    const QString cwd = m_config->path();
    const LeanResult r = runLean(
        {"--config-dir", m_config->path(), "-v", "token", "api", "--env=QA", "--json"}, {}, cwd);
    QVERIFY2(r.finished, qPrintable(describe(r)));
    QCOMPARE(r.exitCode, 7);
    QCOMPARE(r.out, out.toUtf8());
    QCOMPARE(r.err, QString::fromUtf8("warn: \"quoted\" \\ ünï\n").toUtf8());
    QCOMPARE(m_requests, 1);
    QCOMPARE(m_lastRequest.value("v").toInt(), 1);
    QCOMPARE(m_lastRequest.value("op").toString(), QStringLiteral("cli"));
    QCOMPARE(m_lastRequest.value("args").toArray(),
             (QJsonArray {"--config-dir", m_config->path(), "-v", "token", "api", "--env=QA",
                          "--json"}));
    QCOMPARE(m_lastRequest.value("stdinTty").toBool(true), false);
    QCOMPARE(m_lastRequest.value("stdoutTty").toBool(true), false);
    QCOMPARE(m_lastRequest.value("cwd").toString(), cwd);
    QCOMPARE(m_lastRequest.value("configDir").toString(), m_config->path());

    // A relative --config-dir is resolved against the client's directory, and the unicode
    // arguments arrive intact.
    QVERIFY(QDir(m_config->path()).mkpath("sub"));
    const LeanResult relative
        = runLean({"--config-dir", "..", "export", "ünïcødé", "--format", "json"}, {},
                  m_config->path() + "/sub");
    QCOMPARE(relative.exitCode, 7);
    QCOMPARE(m_lastRequest.value("configDir").toString(), m_config->path());
    QCOMPARE(m_lastRequest.value("args").toArray().at(3).toString(), QString::fromUtf8("ünïcødé"));
}

void tst_AgentServer::leanForwardsCommands_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<bool>("forwarded");
    QTest::newRow("token") << QStringList {"token"} << true;
    QTest::newRow("token PROFILE --min-valid")
        << QStringList {"token", "p", "--min-valid", "60"} << true;
    QTest::newRow("option before command") << QStringList {"--env", "QA", "token"} << true;
    QTest::newRow("credential-process")
        << QStringList {"credential-process", "p", "--mfa-code=1"} << true;
    QTest::newRow("status") << QStringList {"status", "--json"} << true;
    QTest::newRow("switch") << QStringList {"switch", "p", "QA"} << true;
    QTest::newRow("export") << QStringList {"export", "--format", "fish"} << true;
    QTest::newRow("profile list") << QStringList {"profile", "list"} << true;
    QTest::newRow("verify") << QStringList {"verify", "p", "--env", "QA"} << true;
    // An option no forwarded command takes (the full CLI then fails: no profile p, nothing
    // saved, so it sends no reload either).
    QTest::newRow("environment add")
        << QStringList {"environment", "add", "p", "QA", "--issuer", "https://login.example.com"}
        << false;
    QTest::newRow("secret set") << QStringList {"secret", "set", "p", "QA", "token"} << false;
    QTest::newRow("version") << QStringList {"version"} << false;
    QTest::newRow("--version") << QStringList {"--version"} << false;
    QTest::newRow("token --help") << QStringList {"token", "--help"} << false;
    QTest::newRow("status with a foreign option")
        << QStringList {"status", "--format", "x"} << false;
    QTest::newRow("unknown option") << QStringList {"token", "--bogus"} << false;
    QTest::newRow("short option") << QStringList {"token", "-x"} << false;
    QTest::newRow("dash dash") << QStringList {"token", "--", "x"} << false;
    QTest::newRow("login") << QStringList {"login", "p"} << false;
    QTest::newRow("exec") << QStringList {"exec", "--", "true"} << false;
    QTest::newRow("no command") << QStringList {"--json"} << false;
    QTest::newRow("missing option value") << QStringList {"token", "--env"} << false;
}

void tst_AgentServer::leanForwardsCommands()
{
    QFETCH(QStringList, args);
    QFETCH(bool, forwarded);
    const auto server = startServer();
    QVERIFY(server);
    server->setHandler([this](const QJsonObject &request, AgentServer::Responder respond) {
        m_lastRequest = request;
        ++m_requests;
        respond.ok({{"exit", 0}, {"stdout", "from agent\n"}});
    });
    const LeanResult r = runLean(QStringList {"--config-dir", m_config->path()} + args);
    QVERIFY2(r.finished, qPrintable(describe(r)));
    QCOMPARE(m_requests, forwarded ? 1 : 0);
    QCOMPARE(r.out == "from agent\n", forwarded);
}

void tst_AgentServer::leanUnsupportedRunsFullCli()
{
    const auto server = startServer();
    QVERIFY(server);
    server->setHandler([this](const QJsonObject &, AgentServer::Responder respond) {
        ++m_requests;
        respond.fail("unsupported", "not yet");
    });
    const LeanResult r = runLean({"--config-dir", m_config->path(), "switch", "nope"});
    QCOMPARE(m_requests, 1);
    QCOMPARE(r.exitCode, 3); // the full CLI ran it: not found
    QVERIFY2(r.err.contains("there is no profile named \"nope\""), qPrintable(describe(r)));
}

void tst_AgentServer::leanWithoutAgentRunsFullCli()
{
    QVERIFY(!QFileInfo::exists(socketPath()));
    const LeanResult r = runLean({"--config-dir", m_config->path(), "switch", "nope"});
    QCOMPARE(r.exitCode, 3);
    QVERIFY2(r.err.contains("there is no profile named \"nope\""), qPrintable(describe(r)));

    const LeanResult version = runLean({"version"}, {});
    QCOMPARE(version.exitCode, 0);
    QCOMPARE(version.out, QByteArray("tokentray-cli " TOKENTRAY_VERSION "\n"));

    // No usable runtime directory at all: straight to the full CLI. (XDG_RUNTIME_DIR a file,
    // and the fallback under TMPDIR cannot be created because TMPDIR is a file too.)
    QFile file(m_config->path() + "/a-file");
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    QProcessEnvironment env;
    env.insert("XDG_RUNTIME_DIR", file.fileName());
    env.insert("TMPDIR", file.fileName());
    const LeanResult noRuntime = runLean({"--config-dir", m_config->path(), "token"}, env);
    QVERIFY2(noRuntime.exitCode == 3 || noRuntime.exitCode == 2, qPrintable(describe(noRuntime)));
    QVERIFY(!noRuntime.err.contains("agent"));
}

void tst_AgentServer::leanNoAgentVariable()
{
    const auto server = startServer();
    QVERIFY(server);
    server->setHandler([this](const QJsonObject &, AgentServer::Responder respond) {
        ++m_requests;
        respond.ok({{"exit", 0}, {"stdout", "agent\n"}});
    });
    QProcessEnvironment env;
    env.insert("TOKENTRAY_NO_AGENT", "1");
    const LeanResult r = runLean({"--config-dir", m_config->path(), "switch", "nope"}, env);
    QCOMPARE(m_requests, 0);
    QCOMPARE(r.exitCode, 3);
    const LeanResult version = runLean({"version"}, env);
    QCOMPARE(version.out, QByteArray("tokentray-cli " TOKENTRAY_VERSION "\n"));
    env.insert("TOKENTRAY_NO_AGENT", "0"); // "0" does not disable
    QCOMPARE(runLean({"--config-dir", m_config->path(), "status"}, env).out, QByteArray("agent\n"));
    QCOMPARE(m_requests, 1);
}

void tst_AgentServer::leanBrokenConnection()
{
    const auto server = startServer();
    QVERIFY(server);
    std::optional<AgentServer::Responder> kept; // no reply: the agent goes away mid-request
    server->setHandler(
        [this, &kept, s = server.get()](const QJsonObject &, AgentServer::Responder respond) {
            ++m_requests;
            kept = std::move(respond);
            QTimer::singleShot(50, s, [s] { s->close(); });
        });
    const LeanResult r = runLean({"--config-dir", m_config->path(), "token"});
    QCOMPARE(m_requests, 1);
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.out, QByteArray());
    QCOMPARE(r.err,
             QByteArray("tokentray-cli: the connection to the TokenTray agent broke before "
                        "it answered; the command may or may not have run.\n"));
}

void tst_AgentServer::leanRequestDroppedUnreadRunsFullCli()
{
    // An agent that drops the connection with the request unread (as one at its connection cap
    // once did, or one going away) cannot have run it: the full CLI runs it instead of failing.
    // This one goes away: the full CLI then finds no agent and does the work itself.
    QDir().mkpath(QFileInfo(socketPath()).absolutePath());
    QLocalServer::removeServer(socketPath());
    QLocalServer raw;
    QVERIFY(raw.listen(socketPath()));
    int dropped = 0;
    connect(&raw, &QLocalServer::newConnection, &raw, [&raw, &dropped] {
        while (QLocalSocket *socket = raw.nextPendingConnection()) {
            socket->setReadBufferSize(1); // the rest of the request stays unread in the kernel
            connect(socket, &QLocalSocket::readyRead, socket, [&raw, socket, &dropped] {
                ++dropped;
                socket->abort();
                socket->deleteLater();
                raw.close();
            });
        }
    });
    const LeanResult r = runLean({"--config-dir", m_config->path(), "switch", "nope"});
    QCOMPARE(dropped, 1);
    QCOMPARE(r.exitCode, 3); // the full CLI ran it: not found
    QVERIFY2(r.err.contains("there is no profile named \"nope\""), qPrintable(describe(r)));
    QVERIFY2(!r.err.contains("agent"), qPrintable(describe(r)));
}

void tst_AgentServer::leanErrorReply()
{
    const auto server = startServer();
    QVERIFY(server);
    server->setHandler([](const QJsonObject &, AgentServer::Responder respond) {
        respond.fail("internal", "the keychain helper crashed");
    });
    const LeanResult r = runLean({"--config-dir", m_config->path(), "token"});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.err,
             QByteArray("tokentray-cli: the TokenTray agent could not run the command: the "
                        "keychain helper crashed\n"));
}

void tst_AgentServer::leanLargeReply()
{
    const auto server = startServer();
    QVERIFY(server);
    QString big;
    big.reserve(3 * 1024 * 1024);
    QRandomGenerator rng(7);
    while (big.size() < 3 * 1024 * 1024)
        big += QChar(char16_t(0x20 + rng.bounded(0x5e)));
    server->setHandler([big](const QJsonObject &, AgentServer::Responder respond) {
        respond.ok({{"exit", 0}, {"stdout", big}});
    });
    const LeanResult r = runLean({"--config-dir", m_config->path(), "status"});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out.size(), big.size());
    QVERIFY(r.out == big.toUtf8());
}

void tst_AgentServer::leanParsesReplies_data()
{
    QTest::addColumn<QByteArray>("reply"); // raw bytes the "agent" sends
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QByteArray>("out");
    QTest::addColumn<QByteArray>("err");

    const QByteArray unreadable
        = "tokentray-cli: the TokenTray agent sent a reply this tokentray-cli cannot read.\n";
    QTest::newRow("escapes and surrogate pairs") << frameOf(
        R"({"v":1,"ok":true,"exit":0,"stdout":"a\u00e9\ud83d\udd11\n\"\\\/\b\f\r\t\u0000z","stderr":"\u20ac"})")
                                                 << 0
                                                 << QByteArray(QByteArray("a\xc3\xa9\xf0\x9f\x94"
                                                                          "\x91\n\"\\/\b\f\r\t")
                                                               + QByteArray(1, '\0') + "z")
                                                 << QByteArray("\xe2\x82\xac");
    QTest::newRow("lone surrogates")
        << frameOf(R"({"v":1,"ok":true,"exit":0,"stdout":"\ud800x\udc00\ud83d\u0041"})") << 0
        << QByteArray("\xef\xbf\xbdx\xef\xbf\xbd\xef\xbf\xbd"
                      "A")
        << QByteArray();
    QTest::newRow("raw utf-8 and whitespace")
        << frameOf(" {\n\t\"exit\" : 4 , \"ok\":true,\"v\":1.0,\"stdout\":\"ünï🔑\"}\r\n") << 4
        << QByteArray("ünï🔑") << QByteArray();
    QTest::newRow("unknown members skipped") << frameOf(
        R"({"x":{"a":[1,-2.5e3,true,false,null,{"b":"\"}"}],"c":{}},"v":1,"ok":true,"y":[],"exit":2,"stdout":"ok"})")
                                             << 2 << QByteArray("ok") << QByteArray();
    QTest::newRow("exit out of range")
        << frameOf(R"({"v":1,"ok":true,"exit":300})") << 1 << QByteArray() << QByteArray();
    QTest::newRow("version 2") << frameOf(R"({"v":2,"ok":true,"exit":0,"stdout":"x"})") << 1
                               << QByteArray() << unreadable;
    QTest::newRow("no version") << frameOf(R"({"ok":true,"exit":0})") << 1 << QByteArray()
                                << unreadable;
    QTest::newRow("not json") << frameOf("hello") << 1 << QByteArray() << unreadable;
    QTest::newRow("trailing garbage")
        << frameOf(R"({"v":1,"ok":true} x)") << 1 << QByteArray() << unreadable;
    QTest::newRow("bad escape") << frameOf(R"({"v":1,"ok":true,"stdout":"\x"})") << 1
                                << QByteArray() << unreadable;
    QTest::newRow("raw control char")
        << frameOf("{\"v\":1,\"ok\":true,\"stdout\":\"a\nb\"}") << 1 << QByteArray() << unreadable;
    QTest::newRow("wrong type") << frameOf(R"({"v":1,"ok":"yes"})") << 1 << QByteArray()
                                << unreadable;
    QTest::newRow("fractional exit")
        << frameOf(R"({"v":1,"ok":true,"exit":1.5})") << 1 << QByteArray() << unreadable;
    // Deeper than QJsonDocument's 1024 levels.
    QTest::newRow("deep nesting") << frameOf("{\"v\":1,\"x\":" + QByteArray(1100, '[')
                                             + QByteArray(1100, ']') + "}")
                                  << 1 << QByteArray() << unreadable;
    QTest::newRow("zero length") << header(0) << 1 << QByteArray() << unreadable;
    QTest::newRow("over 4 MiB") << header(4 * 1024 * 1024 + 1) << 1 << QByteArray() << unreadable;
    QTest::newRow("truncated")
        << QByteArray(header(100) + R"({"v":1,"ok":)") << 1 << QByteArray()
        << QByteArray("tokentray-cli: the connection to the TokenTray agent broke before it "
                      "answered; the command may or may not have run.\n");
    QTest::newRow("error without message")
        << frameOf(R"({"v":1,"ok":false,"error":{"code":"busy","extra":[1]}})") << 1 << QByteArray()
        << QByteArray("tokentray-cli: the TokenTray agent could not run the command: busy\n");
}

void tst_AgentServer::leanParsesReplies()
{
    QFETCH(QByteArray, reply);
    QFETCH(int, exitCode);
    QFETCH(QByteArray, out);
    QFETCH(QByteArray, err);
    const auto raw = startRawServer(reply);
    QVERIFY(raw);
    const LeanResult r = runLean({"--config-dir", m_config->path(), "token"});
    QVERIFY2(r.finished, qPrintable(describe(r)));
    QCOMPARE(r.exitCode, exitCode);
    QCOMPARE(r.out, out);
    QCOMPARE(r.err, err);
}

QTEST_GUILESS_MAIN(tst_AgentServer)
#include "tst_agentserver.moc"
