#include "core/agent/agentservice.h"

#include "core/cli/cli.h"
#include "core/cli/commandline.h"
#include "core/delivery/freshcredentialjob.h"
#include "core/refresh/tokenengine.h"
#include "core/util/logging.h"
#include "core/workspace/workspace.h"

#include <QBuffer>
#include <QDir>
#include <QJsonArray>

namespace TokenTray {

namespace {

constexpr qsizetype kMaxArguments = 256;

} // namespace

AgentService::AgentService(const Services &services, QObject *parent)
    : QObject(parent)
    , m_services(services)
{
}

AgentService::~AgentService() = default;

const QStringList &AgentService::servedCommands()
{
    // The command table says which commands a running agent runs for a client.
    static const QStringList commands = CommandLine::servedByAgent();
    return commands;
}

void AgentService::handle(const QJsonObject &request, const AgentServer::Responder &respond)
{
    const QString op = request.value(QStringLiteral("op")).toString();
    // The client read profiles.json just now, maybe right after a `profile add` of its own; the
    // watcher's reload is debounced, so the engine must not wait for it to know that profile.
    if ((op == QLatin1String("cli") || op == QLatin1String("credential")) && m_services.workspace)
        m_services.workspace->reload();
    if (op == QLatin1String("cli")) {
        runCli(request, respond);
    } else if (op == QLatin1String("credential")) {
        serveCredential(request, respond);
    } else if (op == QLatin1String("reload")) {
        if (m_services.workspace)
            m_services.workspace->reload();
        respond.ok();
    } else {
        respond.fail(QStringLiteral("unsupported"), QStringLiteral("unknown op"));
    }
}

void AgentService::offerMfaCode(const QString &profileId, const QString &env, const Secret &code)
{
    if (!m_services.offerMfaCode)
        return;
    // The code answers the next MFA question. The engine remembers a role refused for want of
    // one and would answer every later ask with that refusal: a code now is the person answering.
    m_services.offerMfaCode(code);
    if (m_services.engine->state(profileId, env) == TokenState::SignInRequired)
        m_services.engine->refreshNow(profileId, env);
}

void AgentService::serveCredential(const QJsonObject &request,
                                   const AgentServer::Responder &respond)
{
    // `exec`, `serve` or `login` in a client process: the credential comes from here, the one
    // refresher.
    const QString profileId = request.value(QStringLiteral("profileId")).toString();
    const QString env = request.value(QStringLiteral("env")).toString();
    qCDebug(lcIpc) << "handing a credential to a client";
    if (const QString code = request.value(QStringLiteral("mfaCode")).toString(); !code.isEmpty())
        offerMfaCode(profileId, env, Secret::fromUtf8(code));
    // `login` proves the stored secrets: what the engine holds is dropped and fetched anew.
    if (request.value(QStringLiteral("fetchAnew")).toBool())
        m_services.engine->invalidate(profileId, env);
    auto *job = new FreshCredentialJob(m_services.engine, m_services.clock, profileId, env, this);
    connect(job, &FreshCredentialJob::finished, this, [job, respond] {
        job->deleteLater();
        const Result<Credential> &r = job->result();
        if (!r) {
            respond.send(
                QJsonObject {{QStringLiteral("ok"), false},
                             {QStringLiteral("error"),
                              QJsonObject {{QStringLiteral("code"), errorCodeName(r.error().code)},
                                           {QStringLiteral("message"), r.error().detail},
                                           {QStringLiteral("reason"), r.error().reason},
                                           {QStringLiteral("requestId"), r.error().requestId},
                                           {QStringLiteral("httpStatus"), r.error().httpStatus}}}});
            return;
        }
        QJsonObject o {{QStringLiteral("accessToken"), r->accessToken.exposeUtf8()},
                       {QStringLiteral("tokenType"), r->tokenType},
                       {QStringLiteral("accessKeyId"), r->accessKeyId},
                       {QStringLiteral("secretAccessKey"), r->secretAccessKey.exposeUtf8()},
                       {QStringLiteral("sessionToken"), r->sessionToken.exposeUtf8()}};
        if (r->expiresAt.isValid())
            o.insert(QStringLiteral("expiresAt"), r->expiresAt.toString(Qt::ISODateWithMs));
        if (r->issuedAt.isValid())
            o.insert(QStringLiteral("issuedAt"), r->issuedAt.toString(Qt::ISODateWithMs));
        respond.ok(o);
    });
    job->start();
}

void AgentService::runCli(const QJsonObject &request, const AgentServer::Responder &respond)
{
    const QJsonValue argsValue = request.value(QStringLiteral("args"));
    if (!argsValue.isArray() || argsValue.toArray().size() > kMaxArguments) {
        respond.fail(QStringLiteral("bad-request"), QStringLiteral("args must be a list"));
        return;
    }
    // A client of another config directory (a hash collision, a symlinked path) is not ours.
    const QString clientDir = request.value(QStringLiteral("configDir")).toString();
    if (!clientDir.isEmpty()
        && QDir::cleanPath(clientDir)
            != QDir::cleanPath(QDir(m_services.configDir).absolutePath())) {
        respond.fail(QStringLiteral("unsupported"), QStringLiteral("another config directory"));
        return;
    }
    QStringList args;
    for (const auto &v : argsValue.toArray()) {
        if (!v.isString()) {
            respond.fail(QStringLiteral("bad-request"), QStringLiteral("args must be strings"));
            return;
        }
        args << v.toString();
    }
    // Only what can run without the client's terminal, files or process; the rest the client
    // runs itself (and may then send "reload").
    const auto parsed = CommandLine::parse(args);
    if (!parsed || parsed->help || parsed->version || !servedCommands().contains(parsed->command)) {
        respond.fail(QStringLiteral("unsupported"), QStringLiteral("run by the client"));
        return;
    }
    const QString command = parsed->command;
    ++m_commandsRun;
    qCDebug(lcIpc) << "running" << command << "for a client";

    auto *in = new QBuffer;
    auto *out = new QBuffer;
    auto *err = new QBuffer;
    in->open(QIODevice::ReadOnly);
    out->open(QIODevice::WriteOnly);
    err->open(QIODevice::WriteOnly);
    CliServices services {m_services.secrets,
                          m_services.nam,
                          m_services.clock,
                          m_services.httpTimeoutMs,
                          m_services.engine,
                          m_services.configDir,
                          [this](const QString &profileId, const QString &env, const Secret &code) {
                              offerMfaCode(profileId, env, code);
                          }};
    auto *cli = new Cli({in, out, err, false}, services, this);
    in->setParent(cli);
    out->setParent(cli);
    err->setParent(cli);
    connect(cli, &Cli::finished, this, [this, cli, out, err, command, respond](int exitCode) {
        cli->deleteLater();
        // The tray follows a switch from the shell at once, not when the file watcher fires.
        if (command == QLatin1String("switch") && m_services.workspace)
            m_services.workspace->reload();
        QJsonObject reply {{QStringLiteral("exit"), exitCode},
                           {QStringLiteral("stdout"), QString::fromUtf8(out->data())},
                           {QStringLiteral("stderr"), QString::fromUtf8(err->data())}};
        out->buffer().fill('\0'); // it held a token
        respond.ok(reply);
    });
    cli->run(args);
}

} // namespace TokenTray
