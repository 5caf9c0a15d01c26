// What a server says, as tokentray-cli shows it, end to end: the real front (and the agent it
// forwards to) against tokentray-test-sts, tokentray-test-authority and a hostile loopback
// server. Server messages arrive word for word; -v adds the server's error code and request id;
// control characters and tokens a bearer token cannot hold never reach the terminal.
#include "core/ipc/socketpath.h"
#include "tests/support/clitest.h"
#include "tests/support/testenv.h"
#include "tests/support/testhttpserver.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <memory>

using TestEnv::describe;
using TestEnv::ProcessResult;
using TestEnv::words;

namespace {

const QString kEnv = QStringLiteral("DEV");
const QByteArray kKeyId = "AKIASERVERTEXTTEST01";
const QByteArray kSecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCY+ServerTxt";
const QString kRoleArn = QStringLiteral("arn:aws:iam::210987654321:role/Deliver");
const QRegularExpression
    kUuid(QStringLiteral("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"));

// Bytes no terminal should receive from a server: C0 controls but the final newline, DEL, C1.
bool hasControlBytes(const QByteArray &text)
{
    for (const QChar c : QString::fromUtf8(text)) {
        if (c == QLatin1Char('\n'))
            continue;
        if (c.category() == QChar::Other_Control || c.category() == QChar::Other_Format)
            return true;
    }
    return false;
}

} // namespace

class TestCliServerText final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void stsMessageIntactAndCodeUnderVerbose();
    void oauthCodeAndRequestIdUnderVerbose();
    void hostileTokenNeverReachesTheTerminal_data();
    void hostileTokenNeverReachesTheTerminal();

private:
    // The front, with the event loop running while it does (the hostile server is in process).
    ProcessResult cli(const QStringList &args, const QByteArray &input = {});
    bool ok(const QStringList &args, const QByteArray &input = {});
    // `tokentray --no-tray` on the test's config dir; true once its socket is there.
    bool startAgent();
    void stopAgent();
    // Each of these lines, without the agent and then through it.
    void expectBothWays(const std::function<void(const char *how)> &check);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QTemporaryDir> m_runtime;
    std::unique_ptr<QProcess> m_agent;
    std::unique_ptr<QProcess> m_server;
};

// ---- helpers -------------------------------------------------------------------------------

ProcessResult TestCliServerText::cli(const QStringList &args, const QByteArray &input)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("TOKENTRAY_NO_AGENT"));
    env.remove(QStringLiteral("TOKENTRAY_CONFIG_DIR"));
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), m_runtime->path());
    process.setProcessEnvironment(env);
    QSignalSpy finished(&process, &QProcess::finished);
    process.start(TestEnv::binary(QStringLiteral("tokentray-cli")),
                  QStringList {QStringLiteral("--config-dir"), m_dir->path()} + args);
    process.write(input);
    process.closeWriteChannel();
    ProcessResult r;
    if (!finished.wait(90000)) {
        process.kill();
        process.waitForFinished(5000);
        r.crashed = true;
    }
    r.exitCode = process.exitCode();
    r.crashed = r.crashed || process.exitStatus() == QProcess::CrashExit;
    r.out = process.readAllStandardOutput();
    r.err = process.readAllStandardError();
    return r;
}

bool TestCliServerText::ok(const QStringList &args, const QByteArray &input)
{
    const ProcessResult r = cli(args, input);
    if (!r.crashed && r.exitCode == 0)
        return true;
    qWarning().noquote() << args.join(QLatin1Char(' ')) << describe(r);
    return false;
}

bool TestCliServerText::startAgent()
{
    m_agent = std::make_unique<QProcess>();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), m_runtime->path());
    m_agent->setProcessEnvironment(env);
    m_agent->setStandardOutputFile(QProcess::nullDevice());
    m_agent->setStandardErrorFile(m_dir->filePath(QStringLiteral("agent.log")));
    m_agent->start(TestEnv::binary(QStringLiteral("tokentray")),
                   {QStringLiteral("--no-tray"), QStringLiteral("--config-dir"), m_dir->path(),
                    QStringLiteral("--verbose")});
    const QString socket = QString::fromStdString(TokenTray::agentSocketPath(
        QDir::cleanPath(m_dir->path()).toStdString(), m_runtime->path().toStdString()));
    // QLocalServer makes the socket file when it listens.
    (void)QTest::qWaitFor(
        [&] { return QFileInfo::exists(socket) || m_agent->state() == QProcess::NotRunning; },
        20000);
    return QFileInfo::exists(socket);
}

void TestCliServerText::stopAgent()
{
    if (!m_agent)
        return;
    m_agent->terminate();
    if (!m_agent->waitForFinished(10000)) {
        m_agent->kill();
        m_agent->waitForFinished(5000);
    }
    m_agent.reset();
}

void TestCliServerText::expectBothWays(const std::function<void(const char *how)> &check)
{
    check("without the agent");
    if (QTest::currentTestFailed())
        return;
    QVERIFY(startAgent());
    check("through the agent");
    // It was the agent that ran them, not a fallback to the full CLI.
    QFile log(m_dir->filePath(QStringLiteral("agent.log")));
    QVERIFY(log.open(QIODevice::ReadOnly));
    QVERIFY2(log.readAll().contains("\" for a client"), "the agent ran no command");
}

// ---- fixture -------------------------------------------------------------------------------

void TestCliServerText::initTestCase()
{
    for (const char *name : {"tokentray", "tokentray-cli", "tokentray-cli-full",
                             "tokentray-test-authority", "tokentray-test-sts"}) {
        const QString binary = TestEnv::binary(QLatin1String(name));
        QVERIFY2(QFileInfo(binary).isExecutable(),
                 qPrintable(binary + QStringLiteral(" is not built")));
    }
}

void TestCliServerText::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_runtime = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    QVERIFY(m_runtime->isValid());
}

void TestCliServerText::cleanup()
{
    stopAgent();
    TestEnv::stopServer(m_server);
    m_dir.reset();
    m_runtime.reset();
}

// ---- tests ---------------------------------------------------------------------------------

// SignatureDoesNotMatch from STS (the fake STS words it as AWS does): the user reads STS's whole
// sentence; -v adds the code and STS's RequestId, which AWS support asks for.
void TestCliServerText::stsMessageIntactAndCodeUnderVerbose()
{
    REQUIRE_TEST_KEYRING();
    QString stsUrl;
    // STS knows the key id with another secret: every signature is wrong.
    m_server = TestEnv::startServer(
        QStringLiteral("tokentray-test-sts"),
        {QStringLiteral("--key"),
         QString::fromUtf8(kKeyId + ":someOtherSecretKeyOf40CharactersXXXXXXXX"),
         QStringLiteral("--any-role")},
        &stsUrl);
    QVERIFY(m_server);
    QVERIFY(ok(words("profile add keys --kind aws-access-key")));
    QVERIFY(ok({QStringLiteral("environment"), QStringLiteral("add"), QStringLiteral("keys"), kEnv,
                QStringLiteral("--region"), QStringLiteral("us-east-1"),
                QStringLiteral("--sts-endpoint"), stsUrl}));
    QVERIFY(ok({QStringLiteral("secret"), QStringLiteral("set"), QStringLiteral("keys"), kEnv,
                QStringLiteral("aws_access_key_id")},
               kKeyId));
    QVERIFY(ok({QStringLiteral("secret"), QStringLiteral("set"), QStringLiteral("keys"), kEnv,
                QStringLiteral("aws_secret_access_key")},
               kSecretKey));
    QVERIFY(ok(words("profile add role --kind aws-assume-role")));
    QVERIFY(ok({QStringLiteral("environment"), QStringLiteral("add"), QStringLiteral("role"), kEnv,
                QStringLiteral("--role-arn"), kRoleArn, QStringLiteral("--source-profile"),
                QStringLiteral("keys"), QStringLiteral("--region"), QStringLiteral("us-east-1"),
                QStringLiteral("--sts-endpoint"), stsUrl}));

    const QByteArray said = "The request signature we calculated does not match the signature "
                            "you provided. Check your AWS Secret Access Key and signing method.";
    expectBothWays([&](const char *how) {
        const ProcessResult plain = cli(words("credential-process role"));
        QVERIFY2(!plain.crashed && plain.exitCode == 4, qPrintable(how + describe(plain)));
        QCOMPARE(plain.out, QByteArray());
        QVERIFY2(plain.err.contains(said), qPrintable(how + describe(plain)));
        QVERIFY2(!plain.err.contains("<redacted>"), qPrintable(how + describe(plain)));
        QVERIFY2(!plain.err.contains("server error code"), qPrintable(how + describe(plain)));
        QVERIFY2(!plain.err.contains(kSecretKey), qPrintable(how + describe(plain)));

        const ProcessResult verbose = cli(words("-v credential-process role"));
        QVERIFY2(!verbose.crashed && verbose.exitCode == 4, qPrintable(how + describe(verbose)));
        const QString err = QString::fromUtf8(verbose.err);
        static const QRegularExpression diagnosis(
            QStringLiteral("tokentray-cli: server error code SignatureDoesNotMatch, HTTP 403, "
                           "request id (\\S+)\n"));
        const QRegularExpressionMatch m = diagnosis.match(err);
        QVERIFY2(m.hasMatch(), qPrintable(how + describe(verbose)));
        QVERIFY2(kUuid.match(m.captured(1)).hasMatch(), qPrintable(m.captured(1)));
        QVERIFY2(!verbose.err.contains(kSecretKey), qPrintable(how + describe(verbose)));

        // exec runs here and, with an agent, takes the credential (or its error) from it.
        const ProcessResult exec = cli(words("-v exec role -- true"));
        QVERIFY2(!exec.crashed && exec.exitCode == 4, qPrintable(how + describe(exec)));
        QVERIFY2(exec.err.contains(said), qPrintable(how + describe(exec)));
        QVERIFY2(diagnosis.match(QString::fromUtf8(exec.err)).hasMatch(),
                 qPrintable(how + describe(exec)));
    });
}

// invalid_client from the test authority, which names each refused request in X-Request-Id.
void TestCliServerText::oauthCodeAndRequestIdUnderVerbose()
{
    REQUIRE_TEST_KEYRING();
    QString issuer;
    m_server = TestEnv::startServer(QStringLiteral("tokentray-test-authority"), {}, &issuer);
    QVERIFY(m_server);
    QVERIFY(ok(words("profile add api --kind oauth2")));
    QVERIFY(ok({QStringLiteral("environment"), QStringLiteral("add"), QStringLiteral("api"), kEnv,
                QStringLiteral("--token-url"), issuer + QStringLiteral("/token"),
                QStringLiteral("--client-id"), QStringLiteral("demo-client")}));
    QVERIFY(ok({QStringLiteral("secret"), QStringLiteral("set"), QStringLiteral("api"), kEnv,
                QStringLiteral("client_secret")},
               "not-the-demo-secret\n"));

    expectBothWays([&](const char *how) {
        const ProcessResult plain = cli(words("token api"));
        QVERIFY2(!plain.crashed && plain.exitCode == 4, qPrintable(how + describe(plain)));
        QVERIFY2(plain.err.contains("invalid_client"), qPrintable(how + describe(plain)));
        QVERIFY2(!plain.err.contains("request id"), qPrintable(how + describe(plain)));

        const ProcessResult verbose = cli(words("token api --verbose"));
        QVERIFY2(!verbose.crashed && verbose.exitCode == 4, qPrintable(how + describe(verbose)));
        static const QRegularExpression diagnosis(
            QStringLiteral("tokentray-cli: server error code invalid_client, HTTP 401, request id "
                           "(\\S+)\n"));
        const QRegularExpressionMatch m = diagnosis.match(QString::fromUtf8(verbose.err));
        QVERIFY2(m.hasMatch(), qPrintable(how + describe(verbose)));
        QVERIFY2(kUuid.match(m.captured(1)).hasMatch(), qPrintable(m.captured(1)));
        QVERIFY2(!verbose.err.contains("not-the-demo-secret"), qPrintable(how + describe(verbose)));
    });
}

// A token endpoint that answers a token with a terminal escape or a header break, or an error
// description with them: nothing of it reaches stdout, stderr shows no control character.
void TestCliServerText::hostileTokenNeverReachesTheTerminal_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QByteArray>("explained");
    QTest::newRow("ESC in the token")
        << 200
        << QByteArray(R"({"access_token":"at-1\u001b]0;owned\u0007\u001b[2J","expires_in":3600})")
        << 5 << QByteArray("control characters");
    QTest::newRow("CR LF in the token")
        << 200 << QByteArray(R"({"access_token":"at-1\r\nX-Injected: yes","expires_in":3600})") << 5
        << QByteArray("control characters");
    QTest::newRow("ESC and CR LF in the description")
        << 401
        << QByteArray(R"({"error":"invalid_client","error_description":"bad\u001b[31m client)"
                      R"(\r\ntokentray-cli: all is well\u009b2J"})")
        << 4 << QByteArray("bad [31m client tokentray-cli: all is well");
}

void TestCliServerText::hostileTokenNeverReachesTheTerminal()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(int, exitCode);
    QFETCH(QByteArray, explained);
    REQUIRE_TEST_KEYRING();
    TestHttpServer server;
    QVERIFY(server.listen());
    server.setDefault("/token", ScriptedReply::json(status, body));
    QVERIFY(ok(words("profile add h --kind oauth2")));
    QVERIFY(ok({QStringLiteral("environment"), QStringLiteral("add"), QStringLiteral("h"), kEnv,
                QStringLiteral("--token-url"), server.url(QStringLiteral("/token")).toString(),
                QStringLiteral("--client-id"), QStringLiteral("c")}));
    QVERIFY(ok({QStringLiteral("secret"), QStringLiteral("set"), QStringLiteral("h"), kEnv,
                QStringLiteral("client_secret")},
               "s\n"));

    expectBothWays([&](const char *how) {
        for (const char *command : {"token h", "-v token h", "export h --format sh"}) {
            const ProcessResult r = cli(words(command));
            const QString what = QString::fromLatin1(how) + QLatin1Char(' ')
                + QLatin1String(command) + QLatin1Char('\n') + describe(r);
            QVERIFY2(!r.crashed && r.exitCode == exitCode, qPrintable(what));
            QCOMPARE(r.out, QByteArray());
            QVERIFY2(!hasControlBytes(r.err), qPrintable(what));
            QVERIFY2(!r.err.contains("owned") && !r.err.contains("X-Injected"), qPrintable(what));
            QVERIFY2(r.err.contains(explained), qPrintable(what));
        }
    });
    QVERIFY(server.requestCount("/token") > 0);
}

QTEST_GUILESS_MAIN(TestCliServerText)
#include "tst_cli_servertext.moc"
