// The agent end to end: the real `tokentray --no-tray` serving the real Qt-free tokentray-cli
// front, with tokentray-test-authority (OAuth2), tokentray-test-sts (AWS STS, MFA) and the test
// session's Secret Service (scripts/desktop-session). Every test has its own config dir and its
// own XDG_RUNTIME_DIR (so its own agent socket), and stops its agent in cleanup().
#include "core/ipc/frame.h"
#include "core/ipc/socketpath.h"
#include "core/model/credential.h"
#include "core/model/profile.h"
#include "core/secrets/keychainbackend.h"
#include "core/secrets/secretstore.h"
#include "tests/support/clitest.h"
#include "tests/support/secretjobs.h"
#include "tests/support/testenv.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

using TestEnv::describe;
using TestEnv::ProcessResult;
using TestEnv::words;
using namespace TokenTray;

namespace {

const QString kEnv = QStringLiteral("DEV");
const QByteArray kClientSecret = "demo-secret"; // what tokentray-test-authority accepts
const QByteArray kKeyId = "AKIATOKENTRAYTEST01";
const QByteArray kSecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCY+TokenTray";
// Not the fake STS's default account 123456789012: the MFA code must be unique in the log.
const QString kAccount = QStringLiteral("210987654321");
const QString kRoleArn = QStringLiteral("arn:aws:iam::210987654321:role/Deliver");
const QString kMfaSerial = QStringLiteral("arn:aws:iam::210987654321:mfa/alice");
const QRegularExpression kAccessToken(QStringLiteral("^at-\\d+-\\d+$"));

// The access token `token` printed: exactly one line, nothing else.
QByteArray printedToken(const ProcessResult &r)
{
    if (!r.out.endsWith('\n') || r.out.count('\n') != 1)
        return QByteArray();
    return r.out.chopped(1);
}

mode_t modeOf(const QString &path)
{
    struct stat st
    {
    };
    if (::lstat(QFile::encodeName(path).constData(), &st) != 0)
        return 0;
    return st.st_mode;
}

// Whether process `pid` has a socket open (the lean front: its connection to the agent).
bool hasSocket(pid_t pid)
{
    const QString fdDir = QStringLiteral("/proc/%1/fd").arg(pid);
    const QStringList fds = QDir(fdDir).entryList(QDir::Files | QDir::System);
    return std::any_of(fds.begin(), fds.end(), [&fdDir](const QString &fd) {
        char target[64] = {};
        const QByteArray link = QFile::encodeName(fdDir + QLatin1Char('/') + fd);
        return ::readlink(link.constData(), target, sizeof target - 1) > 0
            && std::strncmp(target, "socket:", 7) == 0;
    });
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
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

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// One malformed (or, as a control, well-formed) request for the fuzz test and what the agent
// must do with it. Truncated frames get no answer until the request deadline, so their client
// hangs up instead of waiting.
struct FuzzCase
{
    enum class Expect {
        BadRequest, // a broken frame: a "bad-request" reply, then the agent hangs up
        BadArgs, // a well-framed request it cannot run: "bad-request", the connection stays
        Unsupported, // an "unsupported" reply; the connection stays usable
        Pong, // the control: a well-formed ping is still answered
        ReplyOrClose, // random bytes: some reply or a close, never silence (unless truncated)
        HangUp, // truncated: the client leaves before completing the frame
    };
    QByteArray bytes;
    Expect expect;
    const char *kind;
    const char *message = nullptr; // in the last reply's error message, when given
};

QByteArray randomBytes(QRandomGenerator &rng, int size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (char &c : bytes)
        c = char(rng.bounded(256));
    return bytes;
}

QString randomString(QRandomGenerator &rng, int size)
{
    QString s;
    for (int i = 0; i < size; ++i) {
        // Control characters, Latin-1, BMP (no surrogates), and plain ASCII.
        const int pick = int(rng.bounded(4));
        const char16_t c = pick == 0 ? char16_t(rng.bounded(0x20))
            : pick == 1              ? char16_t(0x80 + rng.bounded(0x80))
            : pick == 2              ? char16_t(0x100 + rng.bounded(0xD000))
                                     : char16_t(0x20 + rng.bounded(0x5F));
        s += QChar(c);
    }
    return s;
}

FuzzCase fuzzCase(QRandomGenerator &rng, int index)
{
    using E = FuzzCase::Expect;
    const QJsonObject cli {{"v", 1}, {"op", "cli"}};
    switch (index % 20) {
    case 0: { // random bytes
        return {randomBytes(rng, 1 + int(rng.bounded(300))), E::ReplyOrClose, "random bytes"};
    }
    case 1: { // a length prefix far beyond the 64 KiB limit, with or without bytes after it
        static const quint32 lengths[]
            = {0xFFFFFFFFU, 0x7FFFFFFFU, 0x80000000U, quint32(kMaxRequestFrameSize + 1), 16U << 20};
        const quint32 length = lengths[rng.bounded(5)];
        return {header(length) + randomBytes(rng, int(rng.bounded(64))), E::BadRequest,
                "huge length prefix", "larger than the limit"};
    }
    case 2: { // a valid length around garbage that is not JSON
        QByteArray garbage = randomBytes(rng, 1 + int(rng.bounded(200)));
        garbage.prepend("{\"v\":1,\"op\":"); // JSON-looking start, broken end
        return {frameOf(garbage), E::BadRequest, "valid length, garbage JSON"};
    }
    case 3: { // a frame cut short: the header promises more than comes
        const QByteArray body = json({{"v", 1}, {"op", "ping"}});
        const int cut = int(rng.bounded(body.size()));
        return {header(quint32(body.size())) + body.left(cut), E::HangUp, "truncated body"};
    }
    case 4: { // a header cut short
        return {header(quint32(10 + rng.bounded(100))).left(1 + int(rng.bounded(3))), E::HangUp,
                "truncated header"};
    }
    case 5: { // a wrong or missing protocol version
        static const char *bodies[] = {
            R"({"v":2,"op":"ping"})",   R"({"v":0,"op":"cli","args":["token"]})",
            R"({"v":"1","op":"ping"})", R"({"op":"cli","args":["token"]})",
            R"({"v":1.5,"op":"ping"})", R"({"v":null,"op":"ping"})",
            R"({"v":[1],"op":"ping"})", R"({"v":-1,"op":"ping"})",
        };
        return {frameOf(bodies[rng.bounded(8)]), E::BadRequest, "wrong version", "version"};
    }
    case 6: { // JSON that is not an object: an array, or a scalar (not a JSON document)
        static const char *arrays[] = {"[1,2,3]", "[]", R"([{"v":1,"op":"ping"}])", "[null]"};
        static const char *scalars[] = {"\"ping\"", "42", "null", "true"};
        if (rng.bounded(2))
            return {frameOf(arrays[rng.bounded(4)]), E::BadRequest, "not an object",
                    "not a JSON object"};
        return {frameOf(scalars[rng.bounded(4)]), E::BadRequest, "not an object", "JSON"};
    }
    case 7: { // cli with numbers for arguments
        QJsonArray args;
        for (int i = 0, n = 1 + int(rng.bounded(20)); i < n; ++i)
            args.append(double(rng.bounded(1000000)) - 500000.5);
        QJsonObject o = cli;
        o.insert("args", args);
        return {frameOf(json(o)), E::BadArgs, "cli, numeric args", "args must be strings"};
    }
    case 8: { // cli with 10,000 arguments (still under the 64 KiB frame limit)
        QJsonArray args;
        for (int i = 0; i < 10000; ++i)
            args.append(i % 2 ? QStringLiteral("token") : QStringLiteral("x"));
        QJsonObject o = cli;
        o.insert("args", args);
        const QByteArray body = json(o); // about 60,000 bytes
        return {frameOf(body), E::BadArgs, "cli, 10,000 args", "args"};
    }
    case 9: { // cli with args that are not a list of strings
        static const QJsonValue values[] = {
            QJsonValue(QStringLiteral("token")),
            QJsonValue(QJsonObject {{"0", "token"}}),
            QJsonValue(QJsonValue::Null),
            QJsonValue(true),
            QJsonValue(7),
            QJsonValue(QJsonArray {QJsonArray {"token"}}),
            QJsonValue(QJsonArray {QJsonObject {{"a", 1}}}),
            QJsonValue(QJsonArray {"token", QJsonValue::Null}),
        };
        QJsonObject o = cli;
        o.insert("args", values[rng.bounded(8)]);
        return {frameOf(json(o)), E::BadArgs, "cli, args not a list of strings", "args"};
    }
    case 10: { // cli without args at all
        return {frameOf(json(cli)), E::BadArgs, "cli, no args", "args"};
    }
    case 11: { // a zero length
        return {header(0) + randomBytes(rng, int(rng.bounded(8))), E::BadRequest, "zero length",
                "empty frame"};
    }
    case 12: { // "op" missing, empty or not a string
        static const char *bodies[] = {R"({"v":1})", R"({"v":1,"op":""})", R"({"v":1,"op":7})",
                                       R"({"v":1,"op":null})", R"({"v":1,"op":["cli"]})"};
        return {frameOf(bodies[rng.bounded(5)]), E::BadRequest, "bad op", "op"};
    }
    case 13: { // ops nobody serves
        QJsonObject o {{"v", 1}, {"op", randomString(rng, 1 + int(rng.bounded(30)))}};
        static const QStringList served {"ping", "cli", "reload", "credential"};
        if (served.contains(o.value("op").toString()))
            o.insert("op", "nope");
        return {frameOf(json(o)), E::Unsupported, "unknown op"};
    }
    case 14: { // cli with strings no command line has: the client's business
        QJsonArray args;
        for (int i = 0, n = 1 + int(rng.bounded(6)); i < n; ++i)
            args.append(
                QString(QStringLiteral("--") + randomString(rng, 1 + int(rng.bounded(40)))));
        QJsonObject o = cli;
        o.insert("args", args);
        o.insert("configDir", rng.bounded(2) ? QJsonValue(42) : QJsonValue(randomString(rng, 20)));
        o.insert("cwd", QJsonArray {1, 2});
        return {frameOf(json(o)), E::Unsupported, "cli, random option strings"};
    }
    case 15: { // deep nesting
        const int depth = 2000 + int(rng.bounded(20000));
        QByteArray body = QByteArray(depth, '[') + QByteArray(depth, ']');
        if (rng.bounded(2))
            body = "{\"v\":1,\"op\":\"cli\",\"args\":" + body + '}';
        return {frameOf(body), E::BadRequest, "deeply nested JSON"};
    }
    case 16: { // invalid UTF-8 inside a string
        QByteArray body = R"({"v":1,"op":"cli","args":["tok)";
        body += char(0xC3);
        body += char(0x28);
        body += char(0xFF);
        body += R"(en"]})";
        return {frameOf(body), E::BadRequest, "invalid UTF-8"};
    }
    case 17: { // a good ping followed by garbage: answered, then rejected
        return {encodeFrame({{"v", 1}, {"op", "ping"}}) + frameOf("{not json"), E::BadRequest,
                "ping then garbage"};
    }
    case 18: { // one byte short of the limit's worth of junk after a plausible header
        QByteArray body(int(kMaxRequestFrameSize), 'a');
        body[0] = '{';
        return {frameOf(body), E::BadRequest, "64 KiB of junk"};
    }
    default: { // the control
        return {encodeFrame({{"v", 1}, {"op", "ping"}}), E::Pong, "ping"};
    }
    }
}

// A raw client of the agent socket for the fuzz test: collects reply frames and notices the
// close. Waiting is done by the caller with the event loop running.
class RawClient
{
public:
    explicit RawClient(const QString &path)
    {
        QObject::connect(&m_socket, &QLocalSocket::readyRead, &m_socket, [this] {
            const FrameReader::Output out = m_reader.feed(m_socket.readAll());
            m_replies += out.frames;
            m_malformed = m_malformed || out.error.has_value();
        });
        QObject::connect(&m_socket, &QLocalSocket::disconnected, &m_socket,
                         [this] { m_closed = true; });
        m_socket.connectToServer(path);
    }
    bool waitForConnected() { return m_socket.waitForConnected(5000); }
    void send(const QByteArray &bytes)
    {
        m_socket.write(bytes);
        m_socket.flush();
    }
    void abort() { m_socket.abort(); }
    void sendPing()
    {
        m_pinged = true;
        send(encodeFrame({{"v", 1}, {"op", "ping"}}));
    }
    [[nodiscard]] bool hasSentPing() const { return m_pinged; }
    [[nodiscard]] bool isClosed() const
    {
        return m_closed || m_socket.state() == QLocalSocket::UnconnectedState;
    }
    [[nodiscard]] const QList<QJsonObject> &replies() const { return m_replies; }
    [[nodiscard]] bool isMalformed() const { return m_malformed; }

private:
    QLocalSocket m_socket;
    FrameReader m_reader {kMaxReplyFrameSize};
    QList<QJsonObject> m_replies;
    bool m_closed = false;
    bool m_malformed = false;
    bool m_pinged = false;
};

QString errorCode(const QJsonObject &reply)
{
    return reply.value("error").toObject().value("code").toString();
}

} // namespace

// Which binary is the agent: `tokentray --no-tray`, the tray app itself (tokentray without
// --no-tray, which is the agent too), or tokentray-agent.
enum class Agent { NoTray, Tray, AgentBinary };
Q_DECLARE_METATYPE(Agent)

class TestAgent final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void parallelClientsShareOneRefresh_data();
    void parallelClientsShareOneRefresh();
    void switchFromTheShellReachesTheAgent();
    void profileAddedByAScriptIsServedAtOnce();
    void withoutAgentTheCliFallsBack();
    void malformedFramesDoNotHurtTheAgent();
    void mfaCodeGoesThroughTheAgent();
    void secondAgentIsRefused();
    void socketIsPrivate();
    void serveAndTokenShareOneRefresher();
    void logoutThroughTheAgentForgets();
    void loginThroughTheAgentFetchesAnew();
    void quitWritesWhatIsPending_data();
    void quitWritesWhatIsPending();
    void helpNeedsNoDisplay();
    void agentIsNotDumpable_data();
    void agentIsNotDumpable();

private:
    // Environment of every process a test starts: its own runtime dir (so its own socket).
    QProcessEnvironment environment() const;
    ProcessResult cli(const QStringList &args, const QByteArray &input = {}, int timeoutMs = 30000);
    std::unique_ptr<QProcess> startCli(const QStringList &args,
                                       const QString &binary
                                       = QStringLiteral("tokentray-cli")) const;
    // `serve PROFILE --format json` until it printed its variables; null if it did not.
    std::unique_ptr<QProcess> startServe(const QString &profile, QJsonObject *variables) const;
    static ProcessResult collect(QProcess *process);
    bool ok(const ProcessResult &r) const;

    // The agent with --verbose on the test's config dir; true once it listens.
    bool startAgent(Agent kind = Agent::NoTray);
    void stopAgent();
    QByteArray agentLog() const { return readFile(m_agentLogPath); }
    // How many `running "COMMAND" for a client` lines the agent logged.
    int commandsServed(const char *command) const;
    // The socket the front computes for this config dir and runtime dir.
    QString expectedSocketPath() const;

    bool startAuthority(const QStringList &args = {});
    bool startSts(const QStringList &args);
    static void stop(std::unique_ptr<QProcess> &process);
    QJsonObject getJson(const QUrl &url);
    int tokenRequests();
    int stsAssumeRoleCalls();

    bool addOAuthProfile(const QString &name, const QString &env, const QString &scope);
    // A device_code profile on the authority, signed in (refresh token in the keychain). The
    // authority must approve by itself: started with --auto-approve-after 0.
    bool addSignedInDeviceProfile(const QString &name);
    bool addStaticProfile(const QString &name, const QByteArray &token);
    bool addAccessKeyProfile(const QString &name);
    QString profileId(const QString &name);
    // Puts a cached token for profile/env into the keychain, as the engine would have.
    bool seedTokenCache(const QString &profileId, const QString &env, const Credential &c);
    QJsonObject profilesJson() const;

    std::unique_ptr<QTemporaryDir> m_dir; // the config dir
    std::unique_ptr<QTemporaryDir> m_runtime; // XDG_RUNTIME_DIR
    std::unique_ptr<QProcess> m_agent;
    std::unique_ptr<QProcess> m_authority;
    std::unique_ptr<QProcess> m_sts;
    QString m_agentLogPath;
    QString m_socketPath; // as the agent announced it
    QString m_issuer;
    QString m_stsUrl;
    QNetworkAccessManager m_nam;
};

// ---- helpers -------------------------------------------------------------------------------

QProcessEnvironment TestAgent::environment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("TOKENTRAY_NO_AGENT"));
    env.remove(QStringLiteral("TOKENTRAY_CONFIG_DIR"));
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), m_runtime->path());
    return env;
}

ProcessResult TestAgent::cli(const QStringList &args, const QByteArray &input, int timeoutMs)
{
    return TestEnv::run(TestEnv::binary(QStringLiteral("tokentray-cli")),
                        QStringList {QStringLiteral("--config-dir"), m_dir->path()} + args, input,
                        environment(), timeoutMs);
}

std::unique_ptr<QProcess> TestAgent::startCli(const QStringList &args, const QString &binary) const
{
    auto p = std::make_unique<QProcess>();
    p->setProcessEnvironment(environment());
    p->start(TestEnv::binary(binary),
             QStringList {QStringLiteral("--config-dir"), m_dir->path()} + args);
    p->closeWriteChannel();
    return p;
}

std::unique_ptr<QProcess> TestAgent::startServe(const QString &profile,
                                                QJsonObject *variables) const
{
    std::unique_ptr<QProcess> serve = startCli(
        {QStringLiteral("serve"), profile, QStringLiteral("--format"), QStringLiteral("json")});
    QByteArray out;
    while (serve->waitForReadyRead(15000)) {
        out += serve->readAllStandardOutput();
        const QJsonDocument doc = QJsonDocument::fromJson(out);
        if (doc.isObject()) {
            *variables = doc.object();
            return serve;
        }
    }
    qWarning().noquote() << "serve printed no variables:" << out << serve->readAllStandardError();
    serve->kill();
    serve->waitForFinished(5000);
    return nullptr;
}

ProcessResult TestAgent::collect(QProcess *process)
{
    ProcessResult r;
    // waitForFinished() is false for a process that already finished: nothing to wait for then.
    if (process->state() != QProcess::NotRunning && !process->waitForFinished(60000)) {
        process->kill();
        process->waitForFinished(5000);
        r.crashed = true;
    }
    r.exitCode = process->exitCode();
    r.crashed = r.crashed || process->exitStatus() == QProcess::CrashExit;
    r.out = process->readAllStandardOutput();
    r.err = process->readAllStandardError();
    return r;
}

bool TestAgent::ok(const ProcessResult &r) const
{
    if (!r.crashed && r.exitCode == 0)
        return true;
    qWarning().noquote() << describe(r);
    return false;
}

bool TestAgent::startAgent(Agent kind)
{
    m_agent = std::make_unique<QProcess>();
    m_agent->setProcessEnvironment(environment());
    // A file, not a pipe: a chatty --verbose agent never blocks on a full pipe while the test
    // waits for a CLI process.
    m_agent->setStandardOutputFile(QProcess::nullDevice());
    m_agent->setStandardErrorFile(m_agentLogPath);
    QStringList args {QStringLiteral("--config-dir"), m_dir->path(), QStringLiteral("--verbose")};
    if (kind == Agent::NoTray)
        args.prepend(QStringLiteral("--no-tray"));
    const QString binary = kind == Agent::AgentBinary ? QStringLiteral("tokentray-agent")
                                                      : QStringLiteral("tokentray");
    m_agent->start(TestEnv::binary(binary), args);
    if (!m_agent->waitForStarted(10000)) {
        qWarning().noquote() << binary << m_agent->errorString();
        return false;
    }
    const QRegularExpression listening(binary
                                       + QStringLiteral(": agent for (.+) listening on (\\S+)\n"));
    const QDeadlineTimer deadline(20000);
    while (!deadline.hasExpired()) {
        const QRegularExpressionMatch m = listening.match(QString::fromUtf8(agentLog()));
        if (m.hasMatch()) {
            m_socketPath = m.captured(2);
            if (m.captured(1) != m_dir->path() || m_socketPath != expectedSocketPath()) {
                qWarning().noquote() << "the agent serves" << m.captured(1) << "on" << m_socketPath
                                     << "; the front looks for" << expectedSocketPath();
                return false;
            }
            return true;
        }
        if (m_agent->state() == QProcess::NotRunning)
            break;
        QTest::qWait(10); // the log file has no signal to wait for
    }
    qWarning().noquote() << "the agent did not start listening:" << agentLog();
    return false;
}

void TestAgent::stopAgent()
{
    if (!m_agent)
        return;
    if (m_agent->state() != QProcess::NotRunning) {
        m_agent->terminate();
        if (!m_agent->waitForFinished(10000)) {
            m_agent->kill();
            m_agent->waitForFinished(5000);
        }
    }
    m_agent.reset();
}

int TestAgent::commandsServed(const char *command) const
{
    const QByteArray line = QByteArray("tokentray.ipc: running \"") + command + "\" for a client";
    return int(agentLog().count(line));
}

QString TestAgent::expectedSocketPath() const
{
    return QString::fromStdString(agentSocketPath(QDir::cleanPath(m_dir->path()).toStdString(),
                                                  m_runtime->path().toStdString()));
}

bool TestAgent::startAuthority(const QStringList &args)
{
    m_authority = TestEnv::startServer(QStringLiteral("tokentray-test-authority"), args, &m_issuer);
    return m_authority != nullptr;
}

bool TestAgent::startSts(const QStringList &args)
{
    m_sts = TestEnv::startServer(QStringLiteral("tokentray-test-sts"), args, &m_stsUrl);
    return m_sts != nullptr;
}

void TestAgent::stop(std::unique_ptr<QProcess> &process)
{
    TestEnv::stopServer(process);
}

QJsonObject TestAgent::getJson(const QUrl &url)
{
    return TestEnv::getJson(m_nam, url);
}

int TestAgent::tokenRequests()
{
    return TestEnv::authorityTokenRequests(m_nam, m_issuer);
}

int TestAgent::stsAssumeRoleCalls()
{
    return TestEnv::stsAssumeRoleCalls(m_nam, m_stsUrl);
}

bool TestAgent::addOAuthProfile(const QString &name, const QString &env, const QString &scope)
{
    const ProcessResult show = cli({QStringLiteral("profile"), QStringLiteral("show"), name});
    if (show.exitCode != 0
        && !ok(cli({QStringLiteral("profile"), QStringLiteral("add"), name,
                    QStringLiteral("--kind"), QStringLiteral("oauth2")})))
        return false;
    return ok(cli({QStringLiteral("environment"), QStringLiteral("add"), name, env,
                   QStringLiteral("--token-url"), m_issuer + QStringLiteral("/token"),
                   QStringLiteral("--client-id"), QStringLiteral("demo-client"),
                   QStringLiteral("--scope"), scope}))
        && ok(cli({QStringLiteral("secret"), QStringLiteral("set"), name, env,
                   QStringLiteral("client_secret")},
                  kClientSecret + '\n'));
}

bool TestAgent::addSignedInDeviceProfile(const QString &name)
{
    return ok(cli({QStringLiteral("profile"), QStringLiteral("add"), name, QStringLiteral("--kind"),
                   QStringLiteral("oauth2"), QStringLiteral("--grant"),
                   QStringLiteral("device_code")}))
        && ok(cli({QStringLiteral("environment"), QStringLiteral("add"), name, kEnv,
                   QStringLiteral("--issuer"), m_issuer, QStringLiteral("--client-id"),
                   QStringLiteral("demo-client")}))
        && ok(cli({QStringLiteral("login"), name})); // the authority approves at the first poll
}

bool TestAgent::addStaticProfile(const QString &name, const QByteArray &token)
{
    return ok(cli({QStringLiteral("profile"), QStringLiteral("add"), name, QStringLiteral("--kind"),
                   QStringLiteral("static-token")}))
        && ok(cli({QStringLiteral("environment"), QStringLiteral("add"), name, kEnv}))
        && ok(cli(
            {QStringLiteral("secret"), QStringLiteral("set"), name, kEnv, QStringLiteral("token")},
            token));
}

bool TestAgent::addAccessKeyProfile(const QString &name)
{
    return ok(cli({QStringLiteral("profile"), QStringLiteral("add"), name, QStringLiteral("--kind"),
                   QStringLiteral("aws-access-key")}))
        && ok(cli({QStringLiteral("environment"), QStringLiteral("add"), name, kEnv,
                   QStringLiteral("--region"), QStringLiteral("us-east-1"),
                   QStringLiteral("--sts-endpoint"), m_stsUrl}))
        && ok(cli({QStringLiteral("secret"), QStringLiteral("set"), name, kEnv,
                   QStringLiteral("aws_access_key_id")},
                  kKeyId))
        && ok(cli({QStringLiteral("secret"), QStringLiteral("set"), name, kEnv,
                   QStringLiteral("aws_secret_access_key")},
                  kSecretKey));
}

QString TestAgent::profileId(const QString &name)
{
    const ProcessResult r
        = cli({QStringLiteral("profile"), QStringLiteral("show"), name, QStringLiteral("--json")});
    return ok(r) ? QJsonDocument::fromJson(r.out).object().value(QLatin1String("id")).toString()
                 : QString();
}

bool TestAgent::seedTokenCache(const QString &profileId, const QString &env, const Credential &c)
{
    KeychainBackend keychain;
    SecretStore store(&keychain, QStringLiteral("tokentray"));
    return TestEnv::writeSecret(&store, secretKey(profileId, env, QStringLiteral("token_cache")),
                                c.toCacheBytes());
}

QJsonObject TestAgent::profilesJson() const
{
    return QJsonDocument::fromJson(readFile(m_dir->filePath(QStringLiteral("profiles.json"))))
        .object();
}

// ---- fixture -------------------------------------------------------------------------------

void TestAgent::initTestCase()
{
    for (const char *name : {"tokentray", "tokentray-cli", "tokentray-cli-full",
                             "tokentray-test-authority", "tokentray-test-sts"}) {
        const QString binary = TestEnv::binary(QLatin1String(name));
        QVERIFY2(QFileInfo(binary).isExecutable(),
                 qPrintable(binary + QStringLiteral(" is not built")));
    }
}

void TestAgent::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_runtime = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    QVERIFY(m_runtime->isValid());
    // What QStandardPaths and the front accept as XDG_RUNTIME_DIR.
    QCOMPARE(modeOf(m_runtime->path()) & 07777, mode_t(0700));
    m_agentLogPath = m_dir->filePath(QStringLiteral("agent.log"));
    m_socketPath.clear();
    m_issuer.clear();
    m_stsUrl.clear();
}

void TestAgent::cleanup()
{
    stopAgent();
    stop(m_authority);
    stop(m_sts);
    m_dir.reset();
    m_runtime.reset();
}

// ---- one refresher for the desktop ---------------------------------------------------------

void TestAgent::parallelClientsShareOneRefresh_data()
{
    QTest::addColumn<int>("clientCount");
    QTest::addColumn<bool>("burst");
    QTest::newRow("50") << 50 << false;
    // More than the agent serves at once (64), all waiting together: the agent is stopped while
    // they start, so it meets them at once. The rest wait their turn; none fails.
    QTest::newRow("200 at once") << 200 << true;
}

void TestAgent::parallelClientsShareOneRefresh()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(startAuthority({QStringLiteral("--lifetime"), QStringLiteral("3600")}));
    QVERIFY(addOAuthProfile(QStringLiteral("api"), kEnv, QStringLiteral("read write")));
    const QString id = profileId(QStringLiteral("api"));
    QVERIFY(!id.isEmpty());

    // The laptop slept: the cached hour-long token has 30 s left, deep in its mandatory window,
    // so every client needs a new one at once.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    Credential stale;
    stale.accessToken = Secret("at-0-seeded-before-sleep");
    stale.tokenType = QStringLiteral("Bearer");
    stale.scopes = QStringList {QStringLiteral("read"), QStringLiteral("write")};
    stale.issuedAt = now.addSecs(-3570);
    stale.expiresAt = now.addSecs(30);
    QVERIFY(seedTokenCache(id, kEnv, stale));
    // The CLI on its own sees it that way too (status only looks).
    const ProcessResult status = cli(words("status --json"));
    QCOMPARE_EXIT(status, 0);
    const QJsonValue api
        = QJsonDocument::fromJson(status.out).object().value("profiles").toArray().at(0);
    QCOMPARE(api["name"].toString(), QStringLiteral("api"));
    QCOMPARE(api["environments"][0]["state"].toString(), QStringLiteral("mandatory"));

    QVERIFY(startAgent());
    QCOMPARE(tokenRequests(), 0);

    QFETCH(int, clientCount);
    QFETCH(bool, burst);
    const int kClients = clientCount;
    const pid_t agentPid = pid_t(m_agent->processId());
    if (burst)
        QCOMPARE(::kill(agentPid, SIGSTOP), 0);
    const auto resume = qScopeGuard([&] {
        if (burst)
            ::kill(agentPid, SIGCONT);
    });
    QElapsedTimer timer;
    timer.start();
    std::vector<std::unique_ptr<QProcess>> clients;
    for (int i = 0; i < kClients; ++i)
        clients.push_back(startCli({QStringLiteral("token")}));
    if (burst) {
        // Every client has its socket to the agent (connected, or waiting to be).
        const auto connecting = [&clients] {
            return int(std::count_if(clients.begin(), clients.end(), [](const auto &p) {
                return hasSocket(pid_t(p->processId()));
            }));
        };
        QTRY_COMPARE_WITH_TIMEOUT(connecting(), kClients, 60000);
        QCOMPARE(::kill(agentPid, SIGCONT), 0);
    }
    QSet<QByteArray> tokens;
    for (const auto &p : clients) {
        const ProcessResult r = collect(p.get());
        QCOMPARE_EXIT(r, 0);
        QCOMPARE(r.err, QByteArray());
        tokens.insert(printedToken(r));
    }
    qInfo().noquote() << kClients << "x token through the agent:" << timer.elapsed() << "ms";
    QCOMPARE(tokens.size(), 1);
    const QByteArray token = *tokens.cbegin();
    QVERIFY2(kAccessToken.match(QString::fromUtf8(token)).hasMatch(), token.constData());
    QCOMPARE(tokenRequests(), 1);
    // Every one of them was answered by the agent, none by a fallback of its own.
    QCOMPARE(commandsServed("token"), kClients);
    QVERIFY(!agentLog().contains(token)); // --verbose, and still no token in the log
}

void TestAgent::switchFromTheShellReachesTheAgent()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(startAuthority({QStringLiteral("--lifetime"), QStringLiteral("3600")}));
    // pat is current; api has DEV (the active one) and PROD, told apart by their scopes.
    QVERIFY(addStaticProfile(QStringLiteral("pat"), "static-pat-token"));
    QVERIFY(addOAuthProfile(QStringLiteral("api"), QStringLiteral("DEV"), QStringLiteral("read")));
    QVERIFY(addOAuthProfile(QStringLiteral("api"), QStringLiteral("PROD"),
                            QStringLiteral("write admin")));
    QVERIFY(startAgent());

    ProcessResult r = cli(words("token"));
    QCOMPARE_EXIT(r, 0);
    QCOMPARE(printedToken(r), QByteArray("static-pat-token"));
    r = cli(words("token api --json"));
    QCOMPARE_EXIT(r, 0);
    QJsonObject o = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(o.value("environment").toString(), QStringLiteral("DEV"));
    const QString devToken = o.value("access_token").toString();
    QVERIFY(kAccessToken.match(devToken).hasMatch());
    QCOMPARE(commandsServed("token"), 2);

    r = cli(words("switch api PROD"));
    QCOMPARE_EXIT(r, 0);
    QCOMPARE(commandsServed("switch"), 1); // the agent ran it, not a process of its own

    // The agent's next answer follows: no profile named, and it is api's PROD token.
    r = cli(words("token --json"));
    QCOMPARE_EXIT(r, 0);
    o = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(o.value("profile").toString(), QStringLiteral("api"));
    QCOMPARE(o.value("environment").toString(), QStringLiteral("PROD"));
    QCOMPARE(o.value("scopes").toArray(), QJsonArray({"write", "admin"}));
    const QString prodToken = o.value("access_token").toString();
    QVERIFY(kAccessToken.match(prodToken).hasMatch());
    QVERIFY(prodToken != devToken);
    r = cli(words("token"));
    QCOMPARE_EXIT(r, 0);
    QCOMPARE(QString::fromUtf8(printedToken(r)), prodToken);
    QCOMPARE(commandsServed("token"), 4);
    QCOMPARE(tokenRequests(), 2); // DEV once, PROD once

    // status through the agent marks api/PROD as the current one.
    r = cli(words("status"));
    QCOMPARE_EXIT(r, 0);
    QVERIFY2(QRegularExpression(QStringLiteral("(?m)^\\* api/PROD "))
                 .match(QString::fromUtf8(r.out))
                 .hasMatch(),
             qPrintable(describe(r)));

    // And the file says so.
    const QJsonObject config = profilesJson();
    QJsonObject api;
    for (const QJsonValue &p : config.value("profiles").toArray()) {
        if (p["name"].toString() == QLatin1String("api"))
            api = p.toObject();
    }
    QCOMPARE(api.value("activeEnvironment").toString(), QStringLiteral("PROD"));
    QCOMPARE(config.value("currentProfile").toString(), api.value("id").toString());
}

void TestAgent::profileAddedByAScriptIsServedAtOnce()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(startAuthority());
    QVERIFY(startAgent()); // on an empty configuration
    // A setup script with the agent running: each command right after the previous one, and
    // the token at once, before the agent's file watcher had a chance to notice.
    QVERIFY(addOAuthProfile(QStringLiteral("api"), kEnv, QStringLiteral("read")));
    ProcessResult r = cli(words("token api"));
    QCOMPARE_EXIT(r, 0);
    QVERIFY2(kAccessToken.match(QString::fromUtf8(printedToken(r))).hasMatch(),
             qPrintable(describe(r)));
    QCOMPARE(commandsServed("token"), 1);

    QVERIFY(
        addOAuthProfile(QStringLiteral("api"), QStringLiteral("PROD"), QStringLiteral("write")));
    r = cli(words("token api --env PROD --json"));
    QCOMPARE_EXIT(r, 0);
    QCOMPARE(QJsonDocument::fromJson(r.out).object().value("environment").toString(),
             QStringLiteral("PROD"));
    QCOMPARE(commandsServed("token"), 2);
    QCOMPARE(tokenRequests(), 2);
}

void TestAgent::withoutAgentTheCliFallsBack()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(startAuthority());
    QVERIFY(addOAuthProfile(QStringLiteral("api"), kEnv, QStringLiteral("read")));
    QVERIFY(!QFileInfo::exists(expectedSocketPath()));

    // No agent, no socket, TOKENTRAY_NO_AGENT unset: two at once still refresh once.
    std::unique_ptr<QProcess> first = startCli({QStringLiteral("token")});
    std::unique_ptr<QProcess> second = startCli({QStringLiteral("token")});
    const ProcessResult a = collect(first.get());
    const ProcessResult b = collect(second.get());
    QCOMPARE_EXIT(a, 0);
    QCOMPARE_EXIT(b, 0);
    QVERIFY2(kAccessToken.match(QString::fromUtf8(printedToken(a))).hasMatch(),
             qPrintable(describe(a)));
    QCOMPARE(printedToken(b), printedToken(a));
    QCOMPARE(tokenRequests(), 1);
    QVERIFY(!QFileInfo::exists(expectedSocketPath())); // nobody started an agent behind our back

    // An agent killed without a chance to clean up leaves its socket behind: the front finds
    // nobody listening and still does the work itself.
    QVERIFY(startAgent());
    m_agent->kill();
    QVERIFY(m_agent->waitForFinished(5000));
    QVERIFY(S_ISSOCK(modeOf(m_socketPath)));
    // (Connecting to it is refused at once; a front that waited for an answer would fail after
    // its 120 s, not succeed.)
    const ProcessResult c = cli(words("token --min-valid 999999"));
    QCOMPARE_EXIT(c, 0);
    QVERIFY(!printedToken(c).isEmpty());
    QVERIFY(printedToken(c) != printedToken(a));
    QCOMPARE(tokenRequests(), 2);
    QCOMPARE(commandsServed("token"), 0);
}

// ---- a hostile client ----------------------------------------------------------------------

void TestAgent::malformedFramesDoNotHurtTheAgent()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(startAuthority());
    QVERIFY(addOAuthProfile(QStringLiteral("api"), kEnv, QStringLiteral("read")));
    QVERIFY(startAgent());
    ProcessResult r = cli(words("token"));
    QCOMPARE_EXIT(r, 0);
    const QByteArray token = printedToken(r);
    QVERIFY(!token.isEmpty());

    // Clients that connect and never say anything must not hold the agent's slots forever.
    std::vector<std::unique_ptr<RawClient>> idle;
    for (int i = 0; i < 3; ++i) {
        idle.push_back(std::make_unique<RawClient>(m_socketPath));
        QVERIFY(idle.back()->waitForConnected());
    }

    const quint32 seed = qEnvironmentVariableIsSet("TOKENTRAY_FUZZ_SEED")
        ? quint32(qEnvironmentVariableIntValue("TOKENTRAY_FUZZ_SEED"))
        : QRandomGenerator::global()->generate();
    qInfo() << "fuzz seed" << seed << "(set TOKENTRAY_FUZZ_SEED to repeat)";
    QRandomGenerator rng(seed);
    constexpr int kFrames = 1000;
    constexpr int kBatch = 25; // connections open at once, well under the agent's 64
    QMap<QByteArray, int> kinds;
    int replies = 0;
    for (int sent = 0; sent < kFrames;) {
        std::vector<std::unique_ptr<RawClient>> clients;
        std::vector<FuzzCase> cases;
        for (int i = 0; i < kBatch && sent < kFrames; ++i, ++sent) {
            cases.push_back(fuzzCase(rng, sent));
            clients.push_back(std::make_unique<RawClient>(m_socketPath));
        }
        for (size_t i = 0; i < clients.size(); ++i) {
            QVERIFY2(clients[i]->waitForConnected(), "the agent stopped accepting connections");
            clients[i]->send(cases[i].bytes);
            ++kinds[cases[i].kind];
            if (cases[i].expect == FuzzCase::Expect::HangUp)
                clients[i]->abort();
        }
        // Everything that is a complete frame (or a broken header) gets its answer promptly.
        auto settled = [&](size_t i) {
            const RawClient &c = *clients[i];
            switch (cases[i].expect) {
            case FuzzCase::Expect::HangUp:
                return true;
            case FuzzCase::Expect::BadRequest:
                return c.isClosed() && !c.replies().isEmpty();
            case FuzzCase::Expect::BadArgs:
            case FuzzCase::Expect::Unsupported:
                return c.replies().size() >= 2; // the refusal, then the pong
            case FuzzCase::Expect::Pong:
                return !c.replies().isEmpty();
            case FuzzCase::Expect::ReplyOrClose:
                // Random bytes may spell a plausible length and wait for more: leave it be.
                return true;
            }
            return true;
        };
        const QDeadlineTimer deadline(4000); // under the 5 s request deadline: no timeouts
        for (size_t i = 0; i < clients.size(); ++i) {
            while (!settled(i) && !deadline.hasExpired()) {
                // A refused request leaves the connection usable: the next one is answered.
                RawClient &c = *clients[i];
                const bool keepsConnection = cases[i].expect == FuzzCase::Expect::BadArgs
                    || cases[i].expect == FuzzCase::Expect::Unsupported;
                if (keepsConnection && c.replies().size() == 1 && !c.hasSentPing())
                    c.sendPing();
                QTest::qWait(5);
            }
        }
        for (size_t i = 0; i < clients.size(); ++i) {
            const RawClient &c = *clients[i];
            const QString context = QStringLiteral("frame %1 (%2, seed %3)")
                                        .arg(sent - int(clients.size()) + int(i))
                                        .arg(QLatin1String(cases[i].kind))
                                        .arg(seed);
            QVERIFY2(settled(i), qPrintable(context + QStringLiteral(": no answer within 4 s")));
            QVERIFY2(!c.isMalformed(), qPrintable(context + QStringLiteral(": malformed reply")));
            replies += int(c.replies().size());
            switch (cases[i].expect) {
            case FuzzCase::Expect::BadRequest:
                QVERIFY2(errorCode(c.replies().last()) == QLatin1String("bad-request"),
                         qPrintable(context + QLatin1Char(' ')
                                    + QString::fromUtf8(json(c.replies().last()))));
                if (cases[i].message)
                    QVERIFY2(c.replies()
                                 .last()
                                 .value("error")
                                 .toObject()
                                 .value("message")
                                 .toString()
                                 .contains(QLatin1String(cases[i].message)),
                             qPrintable(context + QLatin1Char(' ')
                                        + QString::fromUtf8(json(c.replies().last()))));
                break;
            case FuzzCase::Expect::BadArgs:
            case FuzzCase::Expect::Unsupported: {
                const QLatin1String code(
                    cases[i].expect == FuzzCase::Expect::BadArgs ? "bad-request" : "unsupported");
                const QJsonObject &refusal = c.replies().first();
                QVERIFY2(errorCode(refusal) == code,
                         qPrintable(context + QLatin1Char(' ') + QString::fromUtf8(json(refusal))));
                if (cases[i].message)
                    QVERIFY2(
                        refusal.value("error").toObject().value("message").toString().contains(
                            QLatin1String(cases[i].message)),
                        qPrintable(context + QLatin1Char(' ') + QString::fromUtf8(json(refusal))));
                QVERIFY2(c.replies().at(1).value("op").toString() == QLatin1String("pong"),
                         qPrintable(context + QStringLiteral(": no pong after the refusal")));
                break;
            }
            case FuzzCase::Expect::Pong:
                QVERIFY2(c.replies().first().value("ok").toBool()
                             && c.replies().first().value("op").toString() == QLatin1String("pong"),
                         qPrintable(context));
                break;
            case FuzzCase::Expect::ReplyOrClose:
                for (const QJsonObject &reply : c.replies())
                    QVERIFY2(!reply.value("ok").toBool(), qPrintable(context));
                break;
            case FuzzCase::Expect::HangUp:
                break;
            }
        }
        for (const auto &c : clients)
            c->abort();
        QVERIFY2(m_agent->state() == QProcess::Running, agentLog().right(2000).constData());
    }
    qInfo().noquote() << kFrames << "frames," << replies << "replies:" << kinds;
    QVERIFY(replies >= kFrames / 2);
    QCOMPARE(commandsServed("token"), 1); // no fuzz frame ran a command

    // The silent clients were shown the door when their request deadline passed.
    for (const auto &c : idle) {
        QTRY_VERIFY_WITH_TIMEOUT(c->isClosed(), 10000);
        QVERIFY(!c->replies().isEmpty());
        QCOMPARE(errorCode(c->replies().first()), QStringLiteral("bad-request"));
    }

    // And the real client is served as before: correctly, by the agent.
    r = cli(words("token"));
    QCOMPARE_EXIT(r, 0);
    QCOMPARE(printedToken(r), token);
    QCOMPARE(commandsServed("token"), 2);
    QCOMPARE(tokenRequests(), 1);
    QCOMPARE(m_agent->state(), QProcess::Running);
}

// ---- MFA -----------------------------------------------------------------------------------

void TestAgent::mfaCodeGoesThroughTheAgent()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(startSts({QStringLiteral("--account"), kAccount, QStringLiteral("--key"),
                      QString::fromUtf8(kKeyId + ':' + kSecretKey), QStringLiteral("--role"),
                      kRoleArn + QStringLiteral(",mfa-serial=") + kMfaSerial
                          + QStringLiteral(",mfa-code=123456")}));
    QVERIFY(addAccessKeyProfile(QStringLiteral("keys")));
    QVERIFY(ok(cli(words("profile add role --kind aws-assume-role"))));
    QVERIFY(
        ok(cli({QStringLiteral("environment"), QStringLiteral("add"), QStringLiteral("role"), kEnv,
                QStringLiteral("--role-arn"), kRoleArn, QStringLiteral("--source-profile"),
                QStringLiteral("keys"), QStringLiteral("--region"), QStringLiteral("us-east-1"),
                QStringLiteral("--sts-endpoint"), m_stsUrl, QStringLiteral("--duration"),
                QStringLiteral("900"), QStringLiteral("--mfa-serial"), kMfaSerial})));
    QVERIFY(startAgent());

    // Nobody to ask in a headless agent: a prompt refusal that says what to do.
    ProcessResult r = cli(words("credential-process role"), {}, 20000);
    QCOMPARE_EXIT(r, 4);
    QCOMPARE(r.out, QByteArray());
    QVERIFY2(r.err.contains("--mfa-code"), qPrintable(describe(r)));
    QCOMPARE(commandsServed("credential-process"), 1);
    QCOMPARE(stsAssumeRoleCalls(), 0);

    // The code the client passes is offered to the agent's prompter.
    r = cli(words("credential-process role --mfa-code 123456"), {}, 20000);
    QCOMPARE_EXIT(r, 0);
    const QJsonObject first = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(first.value("Version").toInt(), 1);
    QVERIFY(!first.value("AccessKeyId").toString().isEmpty());
    QVERIFY(first.value("AccessKeyId").toString().toUtf8() != kKeyId);
    QVERIFY(!first.value("SessionToken").toString().isEmpty());
    QCOMPARE(commandsServed("credential-process"), 2);
    QCOMPARE(stsAssumeRoleCalls(), 1);

    // The session is the agent's now: no code needed until it runs out.
    r = cli(words("credential-process role"), {}, 20000);
    QCOMPARE_EXIT(r, 0);
    QCOMPARE(QJsonDocument::fromJson(r.out).object().value("AccessKeyId"),
             first.value("AccessKeyId"));
    QCOMPARE(stsAssumeRoleCalls(), 1);
    QCOMPARE(commandsServed("credential-process"), 3);
    QVERIFY(!agentLog().contains("123456"));

    // exec runs the command here but takes the credential from the agent, with the code too.
    QVERIFY(ok(cli(words("profile add role2 --kind aws-assume-role"))));
    QVERIFY(ok(cli(
        {QStringLiteral("environment"), QStringLiteral("add"), QStringLiteral("role2"), kEnv,
         QStringLiteral("--role-arn"), kRoleArn, QStringLiteral("--source-profile"),
         QStringLiteral("keys"), QStringLiteral("--region"), QStringLiteral("us-east-1"),
         QStringLiteral("--sts-endpoint"), m_stsUrl, QStringLiteral("--mfa-serial"), kMfaSerial})));
    r = cli(QStringList {QStringLiteral("exec"), QStringLiteral("role2"), QStringLiteral("--"),
                         QStringLiteral("true")},
            {}, 20000);
    QCOMPARE_EXIT(r, 4);
    QVERIFY2(r.err.contains("--mfa-code"), qPrintable(describe(r)));
    r = cli(QStringList {QStringLiteral("exec"), QStringLiteral("role2"),
                         QStringLiteral("--mfa-code"), QStringLiteral("123456"),
                         QStringLiteral("--"), QStringLiteral("sh"), QStringLiteral("-c"),
                         QStringLiteral("printf %s \"$AWS_ACCESS_KEY_ID\"")},
            {}, 20000);
    QCOMPARE_EXIT(r, 0);
    const QByteArray execKey = r.out;
    QVERIFY2(execKey.startsWith("ASIA"), execKey.constData());
    QCOMPARE(stsAssumeRoleCalls(), 2);
    // The agent holds that session: served again without a code or a call to STS.
    r = cli(words("credential-process role2"), {}, 20000);
    QCOMPARE_EXIT(r, 0);
    QCOMPARE(QJsonDocument::fromJson(r.out).object().value("AccessKeyId").toString().toUtf8(),
             execKey);
    QCOMPARE(stsAssumeRoleCalls(), 2);
}

// ---- one agent per configuration, owner only -----------------------------------------------

void TestAgent::secondAgentIsRefused()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(addStaticProfile(QStringLiteral("pat"), "static-pat-token"));
    QVERIFY(startAgent());

    QProcess second;
    second.setProcessEnvironment(environment());
    second.start(TestEnv::binary(QStringLiteral("tokentray")),
                 {QStringLiteral("--no-tray"), QStringLiteral("--config-dir"), m_dir->path()});
    QVERIFY(second.waitForFinished(15000));
    QCOMPARE(second.exitStatus(), QProcess::NormalExit);
    QVERIFY(second.exitCode() != 0);
    const QByteArray err = second.readAllStandardError();
    QVERIFY2(err.contains("another TokenTray agent already serves this configuration"),
             err.constData());
    QVERIFY2(err.contains(m_socketPath.toUtf8()), err.constData());

    // The first one did not notice.
    QCOMPARE(m_agent->state(), QProcess::Running);
    QVERIFY(S_ISSOCK(modeOf(m_socketPath)));
    const ProcessResult r = cli(words("token"));
    QCOMPARE_EXIT(r, 0);
    QCOMPARE(printedToken(r), QByteArray("static-pat-token"));
    QCOMPARE(commandsServed("token"), 1);
}

void TestAgent::socketIsPrivate()
{
    // A directory someone left readable for others is made private before the socket goes in.
    const QString dir = m_runtime->filePath(QStringLiteral("tokentray"));
    QVERIFY(QDir().mkpath(dir));
    QVERIFY(::chmod(QFile::encodeName(dir).constData(), 0755) == 0);
    QVERIFY(startAgent());
    QCOMPARE(QFileInfo(m_socketPath).absolutePath(), dir);

    const mode_t socket = modeOf(m_socketPath);
    QVERIFY(S_ISSOCK(socket));
    QCOMPARE(socket & 07777, mode_t(0600));
    const mode_t directory = modeOf(dir);
    QVERIFY(S_ISDIR(directory));
    QCOMPARE(directory & 07777, mode_t(0700));
    // The lock file next to it too.
    QCOMPARE(modeOf(m_socketPath + QStringLiteral(".lock")) & 07777, mode_t(0600));

    // A clean stop takes the socket with it.
    m_agent->terminate();
    QVERIFY(m_agent->waitForFinished(10000));
    QCOMPARE(m_agent->exitStatus(), QProcess::NormalExit);
    QCOMPARE(m_agent->exitCode(), 0);
    QVERIFY(!QFileInfo::exists(m_socketPath));
}

// ---- one refresher, also for serve and logout ---------------------------------------------

void TestAgent::serveAndTokenShareOneRefresher()
{
    REQUIRE_TEST_KEYRING();
    // Every refresh rotates the refresh token, and serve's access tokens run short every few
    // seconds: two refreshers would soon present a refresh token the other had already used.
    constexpr int kLifetimeSeconds = 6;
    QVERIFY(startAuthority({QStringLiteral("--lifetime"), QString::number(kLifetimeSeconds),
                            QStringLiteral("--auto-approve-after"), QStringLiteral("0")}));
    QVERIFY(addSignedInDeviceProfile(QStringLiteral("sso")));
    QVERIFY(startAgent());

    QJsonObject variables;
    std::unique_ptr<QProcess> serve = startServe(QStringLiteral("sso"), &variables);
    QVERIFY(serve);
    const QUrl url(variables.value("TOKENTRAY_TOKEN_URL").toString());
    const QByteArray authorization
        = "Bearer " + variables.value("TOKENTRAY_AUTHORIZATION_TOKEN").toString().toUtf8();
    QVERIFY2(url.isValid() && authorization.size() > 7, qPrintable(url.toString()));

    // Refreshes forced all the time through the agent, by the lean front and by the Qt CLI
    // started directly (which must ask the agent too), while serve is polled.
    constexpr int kCalls = 4;
    std::vector<std::unique_ptr<QProcess>> calls(kCalls);
    int started = 0;
    auto startCall = [this, &started](std::unique_ptr<QProcess> &slot) {
        slot = startCli(words("token sso --min-valid 999999"),
                        started++ % 2 ? QStringLiteral("tokentray-cli-full")
                                      : QStringLiteral("tokentray-cli"));
    };
    for (auto &slot : calls)
        startCall(slot);
    int finished = 0;
    int polls = 0;
    QElapsedTimer timer;
    timer.start();
    // At least 60 polls, over at least three of serve's token lifetimes (a lower bound only).
    while (polls < 60 || timer.elapsed() < 3 * kLifetimeSeconds * 1000) {
        QNetworkRequest request(url);
        request.setRawHeader("Authorization", authorization);
        QNetworkReply *reply = m_nam.get(request);
        QSignalSpy done(reply, &QNetworkReply::finished);
        QVERIFY(reply->isFinished() || done.wait(60000));
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray body = reply->readAll();
        reply->deleteLater();
        QVERIFY2(status == 200, body.constData());
        const QString served
            = QJsonDocument::fromJson(body).object().value("access_token").toString();
        QVERIFY2(kAccessToken.match(served).hasMatch(), body.constData());
        ++polls;
        for (auto &slot : calls) {
            if (slot->state() != QProcess::NotRunning)
                continue;
            const ProcessResult r = collect(slot.get());
            QCOMPARE_EXIT(r, 0);
            QVERIFY2(kAccessToken.match(QString::fromUtf8(printedToken(r))).hasMatch(),
                     qPrintable(describe(r)));
            ++finished;
            startCall(slot);
        }
    }
    for (auto &slot : calls) {
        const ProcessResult r = collect(slot.get());
        QCOMPARE_EXIT(r, 0);
        ++finished;
    }
    qInfo().noquote() << polls << "polls of serve," << finished << "forced refreshes";
    QVERIFY(finished >= kCalls);

    // Never a refresh token presented twice, and the last one still works.
    const QJsonObject stats = getJson(QUrl(m_issuer + QStringLiteral("/stats")));
    QCOMPARE(stats.value("invalid_grants").toInt(-1), 0);
    QCOMPARE(stats.value("refresh_tokens").toInt(-1), 1);
    // The agent ran every token call and handed serve every credential it served.
    QCOMPARE(commandsServed("token"), finished);
    QCOMPARE(int(agentLog().count("tokentray.ipc: handing a credential to a client")), polls);
    QCOMPARE_EXIT(cli(words("token sso --min-valid 999999")), 0);

    serve->terminate();
    QVERIFY(serve->waitForFinished(10000));
    QCOMPARE(serve->exitCode(), 0);
}

void TestAgent::logoutThroughTheAgentForgets()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(startAuthority({QStringLiteral("--auto-approve-after"), QStringLiteral("0")}));
    QVERIFY(addSignedInDeviceProfile(QStringLiteral("sso")));
    QVERIFY(startAgent());

    ProcessResult r = cli(words("token sso"));
    QCOMPARE_EXIT(r, 0);
    const QByteArray token = printedToken(r);
    QVERIFY2(kAccessToken.match(QString::fromUtf8(token)).hasMatch(), qPrintable(describe(r)));
    QCOMPARE(commandsServed("token"), 1); // the agent holds it now

    r = cli(words("logout sso"));
    QCOMPARE_EXIT(r, 0);
    QVERIFY2(r.err.contains("Signed out of sso/DEV"), qPrintable(describe(r)));
    QCOMPARE(commandsServed("logout"), 1);
    QCOMPARE(getJson(QUrl(m_issuer + QStringLiteral("/stats"))).value("refresh_tokens").toInt(-1),
             0); // revoked

    // The agent no longer holds the old token: status does not call it fresh, and token asks
    // the provider again, which wants a new sign-in.
    r = cli(words("status --json"));
    QCOMPARE_EXIT(r, 0);
    const QJsonValue sso
        = QJsonDocument::fromJson(r.out).object().value("profiles").toArray().at(0);
    QCOMPARE(sso["name"].toString(), QStringLiteral("sso"));
    const QString state = sso["environments"][0]["state"].toString();
    QVERIFY2(state != QLatin1String("fresh") && !state.isEmpty(), qPrintable(describe(r)));
    QCOMPARE(commandsServed("status"), 1);

    r = cli(words("token sso"));
    QVERIFY2(r.exitCode != 0 && !r.crashed, qPrintable(describe(r)));
    QVERIFY2(!r.out.contains(token) && !r.err.contains(token), qPrintable(describe(r)));
    QCOMPARE(commandsServed("token"), 2);
}

void TestAgent::loginThroughTheAgentFetchesAnew()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(startAuthority());
    QVERIFY(addOAuthProfile(QStringLiteral("api"), kEnv, QStringLiteral("read")));
    QVERIFY(startAgent());
    ProcessResult r = cli(words("token api"));
    QCOMPARE_EXIT(r, 0);
    const QByteArray first = printedToken(r);
    QVERIFY2(kAccessToken.match(QString::fromUtf8(first)).hasMatch(), qPrintable(describe(r)));
    QCOMPARE(tokenRequests(), 1);

    // login (a grant without a person) proves the secrets by a fetch: the agent's, not one of
    // its own beside the agent, so the agent holds the new token at once.
    r = cli(words("login api"));
    QCOMPARE_EXIT(r, 0);
    QVERIFY2(r.err.contains("Signed in to api/DEV"), qPrintable(describe(r)));
    QCOMPARE(tokenRequests(), 2);
    QCOMPARE(int(agentLog().count("tokentray.ipc: handing a credential to a client")), 1);
    r = cli(words("token api"));
    QCOMPARE_EXIT(r, 0);
    const QByteArray second = printedToken(r);
    QVERIFY2(kAccessToken.match(QString::fromUtf8(second)).hasMatch(), qPrintable(describe(r)));
    QVERIFY(second != first);
    QCOMPARE(tokenRequests(), 2);
}

void TestAgent::quitWritesWhatIsPending_data()
{
    QTest::addColumn<Agent>("kind");
    QTest::newRow("tokentray --no-tray") << Agent::NoTray;
    QTest::newRow("the tray app") << Agent::Tray;
    QTest::newRow("tokentray-agent") << Agent::AgentBinary;
}

void TestAgent::quitWritesWhatIsPending()
{
    QFETCH(Agent, kind);
    // The authority rotates the refresh token on every use. The agent refreshes and is told to
    // quit at once, well within the two seconds it waits before writing the token cache: it
    // writes before it ends, so the next process needs no request, and the rotated refresh
    // token it stored still works.
    QVERIFY(startAuthority({QStringLiteral("--auto-approve-after"), QStringLiteral("0")}));
    QVERIFY(addSignedInDeviceProfile(QStringLiteral("sso")));
    const QString cacheKey = profileId(QStringLiteral("sso")) + QStringLiteral("/DEV/token_cache");
    auto clearCache = [&cacheKey] {
        TestEnv::run(QStringLiteral("secret-tool"),
                     {QStringLiteral("clear"), QStringLiteral("server"),
                      QStringLiteral("tokentray"), QStringLiteral("user"), cacheKey});
        return TestEnv::secretToolLookup(QStringLiteral("tokentray"), cacheKey).isEmpty();
    };
    QVERIFY(clearCache());
    QVERIFY(startAgent(kind));
    const int before = tokenRequests();
    const ProcessResult first = cli({QStringLiteral("token"), QStringLiteral("sso")});
    QVERIFY(ok(first));
    const QByteArray token = printedToken(first);
    QVERIFY(!token.isEmpty());
    QCOMPARE(tokenRequests(), before + 1);

    m_agent->terminate();
    QVERIFY(m_agent->waitForFinished(15000));
    QCOMPARE(m_agent->exitStatus(), QProcess::NormalExit);
    QCOMPARE(m_agent->exitCode(), 0);
    QVERIFY2(!TestEnv::secretToolLookup(QStringLiteral("tokentray"), cacheKey).isEmpty(),
             "the token cache did not reach the keychain before the agent ended");

    const ProcessResult again = cli({QStringLiteral("token"), QStringLiteral("sso")});
    QVERIFY(ok(again));
    QCOMPARE(printedToken(again), token);
    QCOMPARE(tokenRequests(), before + 1);

    QVERIFY(clearCache());
    const ProcessResult refreshed = cli({QStringLiteral("token"), QStringLiteral("sso")});
    QVERIFY(ok(refreshed));
    QCOMPARE(tokenRequests(), before + 2);
    QCOMPARE(getJson(QUrl(m_issuer + QStringLiteral("/stats"))).value("invalid_grants").toInt(-1),
             0);
}

void TestAgent::helpNeedsNoDisplay()
{
    // --help, --version and a wrong argument print and exit without opening a display (Qt
    // would abort); without one, the tray says to use --no-tray, and the agent runs.
    auto withoutDisplay = [this](const QStringList &args) {
        return TestEnv::run(QStringLiteral("env"),
                            QStringList {QStringLiteral("-u"), QStringLiteral("DISPLAY"),
                                         QStringLiteral("-u"), QStringLiteral("WAYLAND_DISPLAY"),
                                         QStringLiteral("-u"), QStringLiteral("QT_QPA_PLATFORM"),
                                         TestEnv::binary(QStringLiteral("tokentray"))}
                                + args,
                            {}, environment());
    };
    const ProcessResult help = withoutDisplay({QStringLiteral("--help")});
    QVERIFY2(!help.crashed && help.exitCode == 0, qPrintable(describe(help)));
    QVERIFY(help.out.contains("--no-tray"));
    const ProcessResult version = withoutDisplay({QStringLiteral("--version")});
    QVERIFY2(!version.crashed && version.exitCode == 0, qPrintable(describe(version)));
    QVERIFY(version.out.startsWith("tokentray "));
    const ProcessResult wrong = withoutDisplay({QStringLiteral("--no-such-option")});
    QVERIFY2(!wrong.crashed && wrong.exitCode == 2, qPrintable(describe(wrong)));
    QVERIFY(wrong.err.contains("no-such-option"));
    const ProcessResult noDisplay = withoutDisplay({QStringLiteral("--config-dir"), m_dir->path()});
    QVERIFY2(!noDisplay.crashed && noDisplay.exitCode == 1, qPrintable(describe(noDisplay)));
    QVERIFY(noDisplay.err.contains("--no-tray"));
    const ProcessResult agentHelp
        = withoutDisplay({QStringLiteral("--no-tray"), QStringLiteral("--help")});
    QVERIFY2(!agentHelp.crashed && agentHelp.exitCode == 0, qPrintable(describe(agentHelp)));
}

void TestAgent::agentIsNotDumpable_data()
{
    QTest::addColumn<Agent>("kind");
    QTest::newRow("tokentray --no-tray") << Agent::NoTray;
    QTest::newRow("tokentray-agent") << Agent::AgentBinary;
}

void TestAgent::agentIsNotDumpable()
{
    QFETCH(Agent, kind);
    // Secrets in the agent's memory never land in a core file.
    QVERIFY(startAgent(kind));
    const QByteArray limits = readFile(QStringLiteral("/proc/%1/limits").arg(m_agent->processId()));
    static const QRegularExpression core(QStringLiteral("Max core file size\\s+(\\S+)\\s+(\\S+)"));
    const QRegularExpressionMatch m = core.match(QString::fromLatin1(limits));
    QVERIFY2(m.hasMatch(), limits.constData());
    QCOMPARE(m.captured(1), QStringLiteral("0"));
    QCOMPARE(m.captured(2), QStringLiteral("0"));
}

QTEST_GUILESS_MAIN(TestAgent)
#include "tst_agent.moc"
