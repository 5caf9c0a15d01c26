// The loopback credential server (core/delivery/credentialserver) as a client sees it: raw
// QTcpSocket requests against a server that asks a real TokenEngine, which fetches from the
// project's loopback token endpoint with its client secret in the test session's keychain.
#include "../support/memorysecretbackend.h"
#include "../support/testenv.h"
#include "../support/testhttpserver.h"
#include "core/delivery/credentialserver.h"
#include "core/model/config.h"
#include "core/oauth/oauthendpoints.h"
#include "core/refresh/tokenengine.h"
#include "core/secrets/secretstore.h"
#include "core/util/clock.h"
#include "tests/support/secretjobs.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkInterface>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>
#include <QUuid>

#include <cerrno>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace TokenTray;

namespace {

const QString kService = QStringLiteral("tokentray-test-serve");
const QString kEnv = QStringLiteral("DEV");
const QByteArray kClientSecret = "serve-secret";
const QDateTime kStart(QDate(2030, 1, 2), QTime(3, 4, 5), Qt::UTC);

struct Reply
{
    int status = 0;
    QList<std::pair<QByteArray, QByteArray>> headers; // names lower-cased
    QByteArray body;
    QByteArray raw;
    bool closedByServer = false;

    [[nodiscard]] QByteArray header(const QByteArray &name) const
    {
        for (const auto &[key, value] : headers) {
            if (key == name)
                return value;
        }
        return {};
    }
    [[nodiscard]] QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

Reply parseReply(const QByteArray &raw)
{
    Reply r;
    r.raw = raw;
    const qsizetype end = raw.indexOf("\r\n\r\n");
    if (end < 0)
        return r;
    const QList<QByteArray> lines = raw.left(end).split('\n');
    r.status = lines.value(0).split(' ').value(1).toInt();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon > 0)
            r.headers.append({line.left(colon).toLower(), line.mid(colon + 1).trimmed()});
    }
    r.body = raw.mid(end + 4);
    return r;
}

} // namespace

class tst_CredentialServer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void listensOnLoopbackOnly();
    void tokenIsRandom();
    void bearerRoute();
    void consumerVariables();
    void authorization_data();
    void authorization();
    void host_data();
    void host();
    void originRefused_data();
    void originRefused();
    void methods_data();
    void methods();
    void paths_data();
    void paths();
    void malformed_data();
    void malformed();
    void oversizedHeaders();
    void oversizedHeaderIsAnsweredNotReset();
    void slowClientDoesNotBlockOthers();
    void idleConnectionsDoNotDenyService();
    void busyServerQueuesNewConnections();
    void everyRequestAsksTheEngine();
    void engineFailureIs503WithoutSecrets();
    void queryPicksAnotherProfile();
    void gate();

private:
    QString newId();
    Profile makeProfile(const QString &id, bool isProtected = false) const;
    bool storeClientSecret(const QString &id);
    void start(const QList<Profile> &extraProfiles = {});
    Reply exchange(const QByteArray &request, int timeoutMs = 10000);
    Reply get(const QByteArray &path, const QByteArray &authorization,
              const QByteArray &extraHeaders = QByteArray());
    QByteArray hostHeader() const { return "127.0.0.1:" + QByteArray::number(m_server->port()); }

    std::unique_ptr<TestHttpServer> m_authority;
    std::unique_ptr<QNetworkAccessManager> m_nam;
    std::unique_ptr<MemorySecretBackend> m_keychain;
    std::unique_ptr<SecretStore> m_secrets;
    std::unique_ptr<DiscoveryCache> m_discovery;
    std::unique_ptr<ManualClock> m_clock;
    std::unique_ptr<TokenEngine> m_engine;
    std::unique_ptr<CredentialServer> m_server;
    Config m_config;
    QString m_id;
    QStringList m_ids;
    int m_issued = 0;
};

// ---- fixture -----------------------------------------------------------------------------------

void tst_CredentialServer::init()
{
    m_authority = std::make_unique<TestHttpServer>();
    QVERIFY(m_authority->listen());
    m_issued = 0;
    m_authority->setHandler("/token", [this](const RecordedRequest &request) {
        if (!request.header("authorization").startsWith("Basic "))
            return ScriptedReply::json(401, R"({"error":"invalid_client"})");
        ++m_issued;
        return ScriptedReply::json(200,
                                   R"({"access_token":"tok-)" + QByteArray::number(m_issued)
                                       + R"(","token_type":"Bearer","expires_in":3600})");
    });
    m_nam = std::make_unique<QNetworkAccessManager>();
    m_keychain = std::make_unique<MemorySecretBackend>();
    m_secrets = std::make_unique<SecretStore>(m_keychain.get(), kService);
    m_discovery = std::make_unique<DiscoveryCache>();
    m_clock = std::make_unique<ManualClock>(kStart);
    m_ids.clear();
    m_id = newId();
    QVERIFY(storeClientSecret(m_id));
}

void tst_CredentialServer::cleanup()
{
    m_server.reset();
    m_engine.reset();
    QTRY_VERIFY_WITH_TIMEOUT(m_secrets->findChildren<SecretJob *>().isEmpty(), 30000);
    m_secrets.reset();
    m_keychain.reset();
    m_nam.reset();
    m_authority.reset();
}

QString tst_CredentialServer::newId()
{
    const QString id = QStringLiteral("srv-") + QUuid::createUuid().toString(QUuid::Id128).left(12);
    m_ids << id;
    return id;
}

Profile tst_CredentialServer::makeProfile(const QString &id, bool isProtected) const
{
    Profile p;
    p.id = id;
    p.name = id;
    p.kind = ProfileKind::OAuth2;
    p.grant = Grant::ClientCredentials;
    Environment env;
    env.name = kEnv;
    env.isProtected = isProtected;
    env.tokenUrl = m_authority->url(QStringLiteral("/token"));
    env.clientId = QStringLiteral("serve-client");
    p.environments = {env};
    p.activeEnvironment = kEnv;
    return p;
}

bool tst_CredentialServer::storeClientSecret(const QString &id)
{
    return TestEnv::writeSecret(
        m_secrets.get(), secretKey(id, kEnv, QStringLiteral("client_secret")), kClientSecret);
}

void tst_CredentialServer::start(const QList<Profile> &extraProfiles)
{
    m_config = Config();
    m_config.profiles = QList<Profile> {makeProfile(m_id)} + extraProfiles;
    FetchServices services;
    services.nam = m_nam.get();
    services.secrets = m_secrets.get();
    services.discovery = m_discovery.get();
    services.clock = m_clock.get();
    services.httpTimeoutMs = 5000;
    m_engine = std::make_unique<TokenEngine>(services);
    TokenEngine::Options options = m_engine->options();
    options.maxAttempts = 1;
    options.askTimeoutMs = 10000;
    m_engine->setOptions(options);
    m_engine->setConfig(m_config);
    m_server = std::make_unique<CredentialServer>(
        m_engine.get(), m_clock.get(),
        CredentialServer::Scope {m_id, m_id, kEnv, ProfileKind::OAuth2, false});
    QVERIFY(m_server->listen());
}

Reply tst_CredentialServer::exchange(const QByteArray &request, int timeoutMs)
{
    QTcpSocket socket;
    QByteArray received;
    connect(&socket, &QTcpSocket::readyRead, this, [&] { received += socket.readAll(); });
    QSignalSpy gone(&socket, &QTcpSocket::disconnected);
    socket.connectToHost(QHostAddress::LocalHost, m_server->port());
    socket.write(request);
    if (!gone.wait(timeoutMs))
        qWarning() << "the server did not close the connection within" << timeoutMs << "ms";
    received += socket.readAll();
    Reply r = parseReply(received);
    r.closedByServer = !gone.isEmpty();
    return r;
}

Reply tst_CredentialServer::get(const QByteArray &path, const QByteArray &authorization,
                                const QByteArray &extraHeaders)
{
    QByteArray request = "GET " + path + " HTTP/1.1\r\nHost: " + hostHeader() + "\r\n";
    if (!authorization.isNull())
        request += "Authorization: " + authorization + "\r\n";
    return exchange(request + extraHeaders + "\r\n");
}

// ---- tests -------------------------------------------------------------------------------------

void tst_CredentialServer::listensOnLoopbackOnly()
{
    start();
    QVERIFY(m_server->isListening());
    QCOMPARE(m_server->address(), QHostAddress(QHostAddress::LocalHost));
    QVERIFY(m_server->port() != 0);
    QCOMPARE(m_server->awsCredentialsUrl().host(), QStringLiteral("127.0.0.1"));
    // Nothing answers on this machine's other addresses.
    int tried = 0;
    for (const QHostAddress &address : QNetworkInterface::allAddresses()) {
        if (address.isLoopback() || address.protocol() != QAbstractSocket::IPv4Protocol)
            continue;
        ++tried;
        QTcpSocket socket;
        QSignalSpy failed(&socket, &QTcpSocket::errorOccurred);
        socket.connectToHost(address, m_server->port());
        QVERIFY2(failed.wait(5000), qPrintable(address.toString()));
        QCOMPARE(socket.error(), QAbstractSocket::ConnectionRefusedError);
    }
    qInfo() << "checked" << tried << "non-loopback addresses";
}

void tst_CredentialServer::tokenIsRandom()
{
    start();
    const QByteArray first = m_server->authorizationToken().expose();
    QCOMPARE(first.size(), 43); // 32 bytes, base64url without padding
    QVERIFY(QRegularExpression(QStringLiteral("^[A-Za-z0-9_-]{43}$"))
                .match(QString::fromLatin1(first))
                .hasMatch());
    CredentialServer other(m_engine.get(), m_clock.get(), m_server->scope());
    QVERIFY(other.authorizationToken().expose() != first);
}

void tst_CredentialServer::bearerRoute()
{
    start();
    const QByteArray token = m_server->authorizationToken().expose();
    Reply r = get("/token", token);
    QCOMPARE(r.status, 200);
    QVERIFY(r.closedByServer);
    QCOMPARE(r.header("content-type"), "application/json");
    QCOMPARE(r.header("cache-control"), "no-store");
    QCOMPARE(r.header("connection"), "close");
    for (const auto &[name, value] : r.headers)
        QVERIFY2(!name.startsWith("access-control-"), name.constData());
    QJsonObject o = r.json();
    QCOMPARE(o.value("access_token").toString(), "tok-1");
    QCOMPARE(o.value("token_type").toString(), "Bearer");
    QCOMPARE(o.value("expires_at").toString(), "2030-01-02T04:04:05Z");

    // "Bearer <token>" works too on this route, and the token is served from memory.
    r = get("/token", "Bearer " + token);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value("access_token").toString(), "tok-1");
    QCOMPARE(m_issued, 1);
}

void tst_CredentialServer::consumerVariables()
{
    start();
    EnvExport bearerVars = m_server->consumerVariables();
    QCOMPARE(bearerVars.value("TOKENTRAY_TOKEN_URL"), m_server->tokenUrl().toString().toUtf8());
    QCOMPARE(bearerVars.value("TOKENTRAY_AUTHORIZATION_TOKEN"),
             m_server->authorizationToken().expose());

    CredentialServer aws(m_engine.get(), m_clock.get(),
                         {m_id, m_id, kEnv, ProfileKind::AwsAccessKey, false});
    QVERIFY(aws.listen());
    const EnvExport awsVars = aws.consumerVariables();
    QCOMPARE(awsVars.value("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
             "http://127.0.0.1:" + QByteArray::number(aws.port()) + "/aws/credentials");
    QCOMPARE(awsVars.value("AWS_CONTAINER_AUTHORIZATION_TOKEN"), aws.authorizationToken().expose());
    QVERIFY(awsVars.unset.contains("AWS_ACCESS_KEY_ID"));
}

void tst_CredentialServer::authorization_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("authorization"); // TOKEN stands for the right one
    QTest::addColumn<int>("status");
    QTest::newRow("right, raw") << QByteArray("/token") << QByteArray("TOKEN") << 200;
    QTest::newRow("missing") << QByteArray("/token") << QByteArray() << 401;
    QTest::newRow("empty") << QByteArray("/token") << QByteArray("") << 401;
    QTest::newRow("wrong, same length") << QByteArray("/token") << QByteArray(43, 'A') << 401;
    QTest::newRow("one character more") << QByteArray("/token") << QByteArray("TOKENx") << 401;
    QTest::newRow("prefix of it") << QByteArray("/token") << QByteArray("TOKEN").left(3) << 401;
    QTest::newRow("basic scheme") << QByteArray("/token") << QByteArray("Basic TOKEN") << 401;
    QTest::newRow("bearer, lower case")
        << QByteArray("/token") << QByteArray("bearer TOKEN") << 200;
    QTest::newRow("bearer on the AWS route")
        << QByteArray("/aws/credentials") << QByteArray("Bearer TOKEN") << 401;
    QTest::newRow("missing, unknown path") << QByteArray("/nope") << QByteArray() << 401;
}

void tst_CredentialServer::authorization()
{
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, authorization);
    QFETCH(int, status);
    start();
    const QByteArray token = m_server->authorizationToken().expose();
    if (authorization.contains("TOKEN"))
        authorization.replace("TOKEN", token);
    if (QByteArray(QTest::currentDataTag()) == "prefix of it")
        authorization = token.left(20);
    const Reply r = get(path, authorization);
    QCOMPARE(r.status, status);
    QVERIFY(r.closedByServer);
    if (status != 200) {
        QVERIFY(!r.json().value("error").toString().isEmpty());
        QCOMPARE(m_issued, 0); // refused before the engine was asked
    }
}

void tst_CredentialServer::host_data()
{
    QTest::addColumn<QByteArray>("host"); // PORT stands for the server's port
    QTest::addColumn<int>("status");
    QTest::newRow("127.0.0.1:port") << QByteArray("127.0.0.1:PORT") << 200;
    QTest::newRow("localhost:port") << QByteArray("localhost:PORT") << 200;
    QTest::newRow("LOCALHOST:port") << QByteArray("LOCALHOST:PORT") << 200;
    QTest::newRow("foreign name") << QByteArray("evil.example:PORT") << 403;
    QTest::newRow("rebinding name") << QByteArray("localhost.evil.example:PORT") << 403;
    QTest::newRow("other port") << QByteArray("127.0.0.1:1") << 403;
    QTest::newRow("no port") << QByteArray("127.0.0.1") << 403;
    QTest::newRow("ipv6 loopback") << QByteArray("[::1]:PORT") << 403;
    QTest::newRow("missing") << QByteArray() << 400;
}

void tst_CredentialServer::host()
{
    QFETCH(QByteArray, host);
    QFETCH(int, status);
    start();
    host.replace("PORT", QByteArray::number(m_server->port()));
    QByteArray request = "GET /token HTTP/1.1\r\n";
    if (!host.isEmpty())
        request += "Host: " + host + "\r\n";
    request += "Authorization: " + m_server->authorizationToken().expose() + "\r\n\r\n";
    const Reply r = exchange(request);
    QCOMPARE(r.status, status);
    if (status != 200)
        QCOMPARE(m_issued, 0);

    // Two Host headers are ambiguous: refused.
    const Reply twice
        = get("/token", m_server->authorizationToken().expose(), "Host: " + hostHeader() + "\r\n");
    QCOMPARE(twice.status, 400);
}

void tst_CredentialServer::originRefused_data()
{
    QTest::addColumn<QByteArray>("origin");
    QTest::newRow("foreign site") << QByteArray("https://evil.example");
    QTest::newRow("null") << QByteArray("null");
    QTest::newRow("same origin") << QByteArray("http://127.0.0.1");
}

void tst_CredentialServer::originRefused()
{
    QFETCH(QByteArray, origin);
    start();
    const Reply r
        = get("/token", m_server->authorizationToken().expose(), "Origin: " + origin + "\r\n");
    QCOMPARE(r.status, 403);
    QCOMPARE(m_issued, 0);
    for (const auto &[name, value] : r.headers)
        QVERIFY2(!name.startsWith("access-control-"), name.constData());
}

void tst_CredentialServer::methods_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::newRow("POST") << QByteArray("POST");
    QTest::newRow("PUT") << QByteArray("PUT");
    QTest::newRow("DELETE") << QByteArray("DELETE");
    QTest::newRow("OPTIONS (CORS preflight)") << QByteArray("OPTIONS");
    QTest::newRow("HEAD") << QByteArray("HEAD");
}

void tst_CredentialServer::methods()
{
    QFETCH(QByteArray, method);
    start();
    const Reply r
        = exchange(method + " /token HTTP/1.1\r\nHost: " + hostHeader() + "\r\nAuthorization: "
                   + m_server->authorizationToken().expose() + "\r\nContent-Length: 2\r\n\r\n{}");
    QCOMPARE(r.status, 405);
    QCOMPARE(r.header("allow"), "GET");
    QCOMPARE(m_issued, 0);
}

void tst_CredentialServer::paths_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<int>("status");
    QTest::newRow("token") << QByteArray("/token") << 200;
    QTest::newRow("unknown") << QByteArray("/nope") << 404;
    QTest::newRow("root") << QByteArray("/") << 404;
    QTest::newRow("trailing slash") << QByteArray("/token/") << 404;
    QTest::newRow("encoded") << QByteArray("/%74oken") << 404;
    QTest::newRow("AWS route, oauth2 profile") << QByteArray("/aws/credentials") << 404;
    QTest::newRow("unknown parameter") << QByteArray("/token?x=1") << 400;
    QTest::newRow("another profile, no resolver") << QByteArray("/token?profile=x") << 404;
}

void tst_CredentialServer::paths()
{
    QFETCH(QByteArray, path);
    QFETCH(int, status);
    start();
    const Reply r = get(path, m_server->authorizationToken().expose());
    QCOMPARE(r.status, status);
    QVERIFY(r.json().contains(status == 200 ? "access_token" : "error"));
}

void tst_CredentialServer::malformed_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::newRow("no version") << QByteArray("GET /token\r\nHost: HOST\r\n\r\n");
    QTest::newRow("HTTP/2") << QByteArray("GET /token HTTP/2.0\r\nHost: HOST\r\n\r\n");
    QTest::newRow("two spaces") << QByteArray("GET  /token HTTP/1.1\r\nHost: HOST\r\n\r\n");
    QTest::newRow("absolute form")
        << QByteArray("GET http://HOST/token HTTP/1.1\r\nHost: HOST\r\n\r\n");
    QTest::newRow("folded header")
        << QByteArray("GET /token HTTP/1.1\r\nHost: HOST\r\nX-A: 1\r\n  continued\r\n\r\n");
    QTest::newRow("space before colon") << QByteArray("GET /token HTTP/1.1\r\nHost : HOST\r\n\r\n");
    QTest::newRow("binary") << QByteArray::fromHex("160301020001000001fc03030d0a0d0a");
}

void tst_CredentialServer::malformed()
{
    QFETCH(QByteArray, request);
    start();
    request.replace("HOST", hostHeader());
    const Reply r = exchange(request);
    QCOMPARE(r.status, 400);
    QVERIFY(r.closedByServer);
    QCOMPARE(m_issued, 0);
}

void tst_CredentialServer::oversizedHeaders()
{
    start();
    const QByteArray token = m_server->authorizationToken().expose();
    // Complete but too large: 431.
    Reply r = get("/token", token, "X-Padding: " + QByteArray(9000, 'p') + "\r\n");
    QCOMPARE(r.status, 431);
    QVERIFY(r.closedByServer);
    // Never-ending headers: 431 as soon as the limit is reached, and closed.
    r = exchange("GET /token HTTP/1.1\r\nHost: " + hostHeader()
                 + "\r\nX-Padding: " + QByteArray(64 * 1024, 'p'));
    QCOMPARE(r.status, 431);
    QVERIFY(r.closedByServer);
    // Just under the limit is fine.
    r = get("/token", token, "X-Padding: " + QByteArray(7000, 'p') + "\r\n");
    QCOMPARE(r.status, 200);
    QCOMPARE(m_issued, 1);
}

void tst_CredentialServer::oversizedHeaderIsAnsweredNotReset()
{
    // A client still sending a huge header gets its 431 and then an orderly close, not a reset
    // (which would make it lose the answer, or fail its send with "connection reset").
    start();
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    QVERIFY(fd >= 0);
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_port = htons(m_server->port());
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const int rc = ::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address);
    QVERIFY(rc == 0 || errno == EINPROGRESS);
    const QByteArray request = "GET /token HTTP/1.1\r\nHost: " + hostHeader()
        + "\r\nX-Padding: " + QByteArray(1024 * 1024, 'p') + "\r\n\r\n";
    qsizetype sent = 0;
    QByteArray received;
    bool atEnd = false;
    int error = 0;
    auto step = [&] {
        if (atEnd || error != 0)
            return true;
        while (sent < request.size()) {
            const ssize_t n = ::send(fd, request.constData() + sent, size_t(request.size() - sent),
                                     MSG_NOSIGNAL);
            if (n <= 0) {
                if (n < 0 && errno != EAGAIN && errno != ENOTCONN)
                    error = errno;
                break;
            }
            sent += n;
        }
        char buffer[4096];
        for (;;) {
            const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n > 0) {
                received.append(buffer, n);
                continue;
            }
            if (n == 0)
                atEnd = true;
            else if (errno != EAGAIN)
                error = errno;
            break;
        }
        return atEnd || error != 0;
    };
    QTRY_VERIFY_WITH_TIMEOUT(step(), 30000);
    ::close(fd);
    QVERIFY2(error == 0, std::strerror(error));
    QVERIFY(atEnd);
    QVERIFY2(received.startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n"),
             received.left(200).constData());
    QVERIFY(received.contains("request headers too large"));
    QCOMPARE(m_issued, 0);
}

void tst_CredentialServer::slowClientDoesNotBlockOthers()
{
    start();
    m_server->setReadTimeoutMs(2000);
    QElapsedTimer timer;
    timer.start();
    // A client that sends half a request and then nothing.
    QTcpSocket slow;
    QSignalSpy slowGone(&slow, &QTcpSocket::disconnected);
    slow.connectToHost(QHostAddress::LocalHost, m_server->port());
    QVERIFY(slow.waitForConnected(5000));
    slow.write("GET /token HTTP/1.1\r\nHost: " + hostHeader() + "\r\n");
    QVERIFY(slow.waitForBytesWritten(5000));
    // Meanwhile others are served at once.
    for (int i = 0; i < 3; ++i) {
        const Reply r = get("/token", m_server->authorizationToken().expose());
        QCOMPARE(r.status, 200);
    }
    // The slow one is cut off by its own deadline (not earlier), without an answer.
    QVERIFY(slowGone.size() > 0 || slowGone.wait(30000));
    QVERIFY2(timer.elapsed() >= 1900, qPrintable(QString::number(timer.elapsed())));
    QVERIFY(slow.readAll().isEmpty());
}

void tst_CredentialServer::idleConnectionsDoNotDenyService()
{
    start();
    m_server->setReadTimeoutMs(600000); // only the limit closes them in this test
    constexpr int kLimit = CredentialServer::kDefaultMaxConnections;
    constexpr int kIdle = kLimit + 8;
    std::vector<std::unique_ptr<QTcpSocket>> idle;
    int closed = 0;
    for (int i = 0; i < kIdle; ++i) {
        idle.push_back(std::make_unique<QTcpSocket>());
        QTcpSocket *s = idle.back().get();
        connect(s, &QTcpSocket::disconnected, this, [&closed] { ++closed; });
        s->connectToHost(QHostAddress::LocalHost, m_server->port());
        QVERIFY(s->waitForConnected(5000));
        if (i % 2)
            s->write("GET /token HTTP/1.1\r\n"); // a head begun and never finished
    }
    // Each one past the limit took the place of the oldest idle one.
    QTRY_COMPARE_WITH_TIMEOUT(closed, kIdle - kLimit, 30000);
    QCOMPARE(m_server->connectionCount(), kLimit);
    for (int i = 0; i < kIdle; ++i)
        QCOMPARE(idle[size_t(i)]->state() == QAbstractSocket::ConnectedState, i >= kIdle - kLimit);
    // A real request is still served, in the place of the next oldest.
    const Reply r = get("/token", m_server->authorizationToken().expose());
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value("access_token").toString(), "tok-1");
    QTRY_COMPARE(closed, kIdle - kLimit + 1);
    QCOMPARE(idle[size_t(kIdle - kLimit)]->state(), QAbstractSocket::UnconnectedState);
}

void tst_CredentialServer::busyServerQueuesNewConnections()
{
    // Requests at work are never evicted: while every slot has one, a new client waits (it is
    // not refused) and is served when a slot frees.
    struct HoldingGate final : CredentialServer::AskGate
    {
        void enter(std::function<void(const std::optional<Error> &)> entered) override
        {
            waiting.push_back(std::move(entered));
        }
        void leave() override { ++left; }
        std::vector<std::function<void(const std::optional<Error> &)>> waiting;
        int left = 0;
    } gate;
    start();
    m_server->setAskGate(&gate);
    m_server->setMaxConnections(2);
    const QByteArray request = "GET /token HTTP/1.1\r\nHost: " + hostHeader()
        + "\r\nAuthorization: " + m_server->authorizationToken().expose() + "\r\n\r\n";
    struct Client
    {
        QTcpSocket socket;
        QByteArray received;
    };
    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(std::make_unique<Client>());
        Client *c = clients.back().get();
        connect(&c->socket, &QTcpSocket::readyRead, this,
                [c] { c->received += c->socket.readAll(); });
        c->socket.connectToHost(QHostAddress::LocalHost, m_server->port());
        QVERIFY(c->socket.waitForConnected(5000));
        c->socket.write(request);
        if (i == 1)
            QTRY_COMPARE(gate.waiting.size(), size_t(2)); // both slots at work
    }
    // The third is neither served nor refused while both slots are at work; letting the first
    // request through frees a slot for it.
    QCOMPARE(m_server->connectionCount(), 2);
    QCOMPARE(clients[2]->socket.state(), QAbstractSocket::ConnectedState);
    gate.waiting[0](std::nullopt);
    QTRY_COMPARE(gate.waiting.size(), size_t(3));
    gate.waiting[1](std::nullopt);
    gate.waiting[2](std::nullopt);
    for (const auto &c : clients) {
        QTRY_VERIFY(c->socket.state() == QAbstractSocket::UnconnectedState);
        QCOMPARE(parseReply(c->received).status, 200);
    }
    QCOMPARE(gate.left, 3);
    m_server->setAskGate(nullptr);
}

void tst_CredentialServer::everyRequestAsksTheEngine()
{
    start();
    const QByteArray token = m_server->authorizationToken().expose();
    QCOMPARE(get("/token", token).json().value("access_token").toString(), "tok-1");
    // 44 minutes later the token has 16 min left: still served.
    m_clock->advance(44 * 60 * 1000);
    QCOMPARE(get("/token", token).json().value("access_token").toString(), "tok-1");
    // Two minutes later a caching consumer would get less than 15 min: a fresh one.
    m_clock->advance(2 * 60 * 1000);
    Reply r = get("/token", token);
    QCOMPARE(r.json().value("access_token").toString(), "tok-2");
    QCOMPARE(r.json().value("expires_at").toString(), "2030-01-02T04:50:05Z");
    QCOMPARE(m_issued, 2);
}

void tst_CredentialServer::engineFailureIs503WithoutSecrets()
{
    m_authority->setHandler("/token", [](const RecordedRequest &) {
        return ScriptedReply::json(
            401,
            R"({"error":"invalid_client","error_description":"client authentication failed"})");
    });
    start();
    const Reply r = get("/token", m_server->authorizationToken().expose());
    QCOMPARE(r.status, 503);
    const QString error = r.json().value("error").toString();
    QVERIFY2(error.startsWith(QStringLiteral("TokenTray could not get a credential for ") + m_id
                              + QLatin1Char('/') + kEnv),
             qPrintable(error));
    QVERIFY(!r.raw.contains(kClientSecret));
    QVERIFY(!r.raw.contains(m_server->authorizationToken().expose()));
}

void tst_CredentialServer::queryPicksAnotherProfile()
{
    const QString otherId = newId();
    const QString guardedId = newId();
    QVERIFY(storeClientSecret(otherId));
    QVERIFY(storeClientSecret(guardedId));
    start({makeProfile(otherId), makeProfile(guardedId, true)});
    m_server->setScopeResolver(
        [this](const QString &name, const QString &env) -> Result<CredentialServer::Scope> {
            const Profile *p = m_config.profileByName(name);
            if (!p)
                return Error {ErrorCode::NotFound, QStringLiteral("no profile ") + name};
            const Environment *e = p->environment(env.isEmpty() ? p->activeEnvironment : env);
            if (!e)
                return Error {ErrorCode::NotFound, QStringLiteral("no environment ") + env};
            return CredentialServer::Scope {p->id, p->name, e->name, p->kind, e->isProtected};
        });
    const QByteArray token = m_server->authorizationToken().expose();
    Reply r = get("/token?profile=" + otherId.toUtf8() + "&env=DEV", token);
    QCOMPARE(r.status, 200);
    QCOMPARE(m_engine->credential(otherId, kEnv)->accessToken.expose(),
             r.json().value("access_token").toString().toUtf8());
    QVERIFY(!m_engine->credential(m_id, kEnv));
    QCOMPARE(get("/token?env=DEV", token).status, 200); // the served profile
    QCOMPARE(get("/token?profile=nobody", token).status, 404);
    QCOMPARE(get("/token?profile=" + m_id.toUtf8() + "&env=PROD", token).status, 404);
    // A protected environment is served only by a server started for it.
    r = get("/token?profile=" + guardedId.toUtf8(), token);
    QCOMPARE(r.status, 403);
    QVERIFY(!m_engine->credential(guardedId, kEnv));
    QCOMPARE(m_issued, 2);
}

void tst_CredentialServer::gate()
{
    // Every engine ask runs inside the gate, and a refusing gate is a 503.
    struct CountingGate final : CredentialServer::AskGate
    {
        QObject context;
        int entered = 0;
        int left = 0;
        bool refuse = false;
        void enter(std::function<void(const std::optional<Error> &)> done) override
        {
            if (refuse)
                return done(Error {ErrorCode::ConfigIo, QStringLiteral("locked elsewhere")});
            ++entered;
            QTimer::singleShot(50, &context, [done] { done(std::nullopt); });
        }
        void leave() override { ++left; }
    } gate;
    start();
    m_server->setAskGate(&gate);
    const QByteArray token = m_server->authorizationToken().expose();
    QCOMPARE(get("/token", token).status, 200);
    QCOMPARE(get("/token", "wrong").status, 401); // refused before the gate
    QCOMPARE(gate.entered, 1);
    QCOMPARE(gate.left, 1);
    gate.refuse = true;
    const Reply r = get("/token", token);
    QCOMPARE(r.status, 503);
    QVERIFY(r.json().value("error").toString().contains("busy"));
    QCOMPARE(gate.left, 1);
    m_server->setAskGate(nullptr);
}

QTEST_GUILESS_MAIN(tst_CredentialServer)
#include "tst_credentialserver.moc"
