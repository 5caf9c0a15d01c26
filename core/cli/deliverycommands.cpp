// tokentray-cli credential-process, export, exec and serve: the commands that hand credentials
// to other tools (DESIGN §5).
#include "core/cli/cli.h"

#include "core/ipc/agentclient.h"

#include "core/delivery/credentialserver.h"
#include "core/delivery/exporters.h"
#include "core/delivery/freshcredentialjob.h"
#include "core/refresh/tokenengine.h"
#include "core/util/clock.h"
#include "core/util/logging.h"
#include "core/util/terminationwatcher.h"

#include <QDeadlineTimer>
#include <QFileDevice>
#include <QIODevice>
#include <QLockFile>
#include <QTimer>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <unistd.h>
#endif

#include <vector>

namespace TokenTray {
namespace {

Error usage(const QString &detail)
{
    return Error {ErrorCode::Usage, detail};
}

bool hasNulByte(const EnvExport &variables)
{
    for (const EnvVariable &v : variables.set) {
        if (v.value.expose().contains('\0'))
            return true;
    }
    return false;
}

// Replaces this process with `command`, the variables added to its environment. Returns only
// on failure: the exit status a shell would give (127 not found, 126 not executable) and why.
std::pair<int, QString> replaceProcess(const QStringList &command, const EnvExport &variables)
{
#ifdef Q_OS_UNIX
    for (const QString &name : variables.unset)
        qunsetenv(name.toLocal8Bit().constData());
    for (const EnvVariable &v : variables.set)
        qputenv(v.name.toLocal8Bit().constData(), v.value.expose());
    // The child starts as if the shell had run it: default signal handling, nothing blocked
    // (ignored signals and the mask survive exec).
    ::signal(SIGPIPE, SIG_DFL);
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);

    std::vector<QByteArray> storage;
    storage.reserve(static_cast<size_t>(command.size()));
    for (const QString &arg : command)
        storage.push_back(arg.toLocal8Bit());
    std::vector<char *> argv;
    argv.reserve(storage.size() + 1);
    for (QByteArray &arg : storage)
        argv.push_back(arg.data());
    argv.push_back(nullptr);
    std::fflush(nullptr);
    ::execvp(argv.front(), argv.data());
    const int error = errno;
    if (error == ENOENT)
        return {127, command.first() + QStringLiteral(": command not found")};
    return {126,
            command.first() + QStringLiteral(": cannot run it: ")
                + QString::fromLocal8Bit(std::strerror(error))};
#else
    Q_UNUSED(command);
    Q_UNUSED(variables);
    return {1, QStringLiteral("exec is available on Unix systems only")};
#endif
}

// `serve`'s side of the refresh lock: each engine ask of the credential server runs while this
// process holds the refresh lock, like `token` does, so a refresh (and a rotated refresh
// token) never races one in another process. Concurrent requests share one hold; the lock is
// let go when none is left and the engine has nothing in flight or unwritten. Waiting is
// polled, never blocking the event loop.
class RefreshLockGate final : public QObject, public CredentialServer::AskGate
{
public:
    RefreshLockGate(const ProfileStore *store, TokenEngine *engine, int timeoutMs, QObject *parent)
        : QObject(parent)
        , m_store(store)
        , m_engine(engine)
        , m_timeoutMs(timeoutMs)
        , m_retry(new QTimer(this))
    {
        m_retry->setSingleShot(true);
        connect(m_retry, &QTimer::timeout, this, &RefreshLockGate::pump);
        connect(m_engine, &TokenEngine::stateChanged, this, &RefreshLockGate::maybeRelease);
        connect(m_engine, &TokenEngine::cacheWritesFinished, this, &RefreshLockGate::maybeRelease);
    }

    void enter(std::function<void(const std::optional<Error> &)> entered) override
    {
        m_waiting.append({std::move(entered), QDeadlineTimer(m_timeoutMs)});
        QTimer::singleShot(0, this, &RefreshLockGate::pump);
    }

    void leave() override
    {
        if (--m_inside > 0)
            return;
        m_engine->flushCacheWrites(); // others should find what this refresh fetched
        maybeRelease();
    }

private:
    struct Waiter
    {
        std::function<void(const std::optional<Error> &)> entered;
        QDeadlineTimer deadline;
    };

    void pump()
    {
        if (m_waiting.isEmpty())
            return;
        if (!m_lock) {
            auto lock = m_store->lockForRefresh(0);
            if (!lock) {
                for (qsizetype i = 0; i < m_waiting.size();) {
                    if (m_waiting.at(i).deadline.hasExpired()) {
                        const Waiter w = m_waiting.takeAt(i);
                        w.entered(lock.error());
                    } else {
                        ++i;
                    }
                }
                if (!m_waiting.isEmpty())
                    m_retry->start(50);
                return;
            }
            m_lock = std::move(lock.value());
        }
        const QList<Waiter> admitted = std::exchange(m_waiting, {});
        m_inside += static_cast<int>(admitted.size());
        for (const Waiter &w : admitted)
            w.entered(std::nullopt);
    }

    void maybeRelease()
    {
        if (m_lock && m_inside == 0 && m_engine->requestsInFlight() == 0
            && m_engine->pendingCacheWrites() == 0)
            m_lock.reset();
    }

    const ProfileStore *m_store;
    TokenEngine *m_engine;
    int m_timeoutMs;
    QTimer *m_retry;
    QList<Waiter> m_waiting;
    int m_inside = 0;
    ProfileStore::Lock m_lock;
};

} // namespace

void Cli::withFreshCredential(
    bool awsOnly,
    const std::function<void(const Profile &, const Environment &, const Credential &)> &use)
{
    if (auto r = loadConfig(); !r)
        return fail(r.error());
    auto scope = resolveScope(m_cmd.positionals.value(0), m_cmd.value(QStringLiteral("env")));
    if (!scope)
        return fail(scope.error());
    const Profile profile = *scope->first;
    const Environment env = *scope->second;
    if (awsOnly && !isAwsKind(profile.kind))
        return fail(usage(m_cmd.command + QStringLiteral(" serves AWS profiles only; ")
                          + profile.name + QStringLiteral(" is ") + kindName(profile.kind)
                          + QStringLiteral(" (use tokentray-cli export or token)")));
    // With an agent running (the tray app), it is the one refresher: ask it.
    if (!inAgent() && m_cmd.command == QLatin1String("exec")) {
        if (auto reply = askAgent(
                m_store->directory(),
                credentialRequest(profile.id, env.name, m_cmd.value(QStringLiteral("mfa-code"))),
                agentTimeoutMs())) {
            const Result<Credential> c = credentialFromReply(*reply);
            if (!c)
                return fail(c.error());
            qCDebug(lcCli) << "exec: the credential came from the agent";
            return use(profile, env, *c);
        }
    }
    // One process at a time refreshes a credential: a second waits and then reuses the result.
    if (auto locked = takeRefreshLock(*m_store); !locked)
        return fail(locked.error());
    offerMfaCode(profile.id, env.name);
    auto *job = new FreshCredentialJob(engine(), m_services.clock, profile.id, env.name, this);
    connect(job, &FreshCredentialJob::finished, this, [this, job, profile, env, use] {
        job->deleteLater();
        if (!job->result())
            return fail(job->result().error());
        use(profile, env, *job->result());
    });
    job->start();
}

void Cli::credentialProcess()
{
    withFreshCredential(true, [this](const Profile &, const Environment &, const Credential &c) {
        // Only the JSON on stdout: the AWS tools parse all of it.
        m_streams.out->write(credentialProcessJson(c));
        finishAfterCacheWrites(ExitCode::Ok);
    });
}

void Cli::exportVariables()
{
    ExportFormat format = m_cmd.json ? ExportFormat::Json : ExportFormat::Sh;
    if (m_cmd.has(QStringLiteral("format"))) {
        const auto chosen = exportFormatFromName(m_cmd.value(QStringLiteral("format")));
        if (!chosen)
            return fail(usage(QStringLiteral("--format must be one of ")
                              + exportFormatNames().join(QStringLiteral(", "))));
        format = *chosen;
    }
    withFreshCredential(
        false, [this, format](const Profile &profile, const Environment &env, const Credential &c) {
            const EnvExport variables = credentialVariables(profile.kind, env, c);
            if (format != ExportFormat::Json && hasNulByte(variables))
                return fail(
                    usage(QStringLiteral("the credential contains a NUL byte, which no environment "
                                         "variable can hold")));
            m_streams.out->write(formatVariables(variables, format));
            finishAfterCacheWrites(ExitCode::Ok);
        });
}

void Cli::execCommand()
{
    if (m_cmd.trailing.isEmpty())
        return fail(usage(QStringLiteral(
            "exec needs a command after --: tokentray-cli exec [PROFILE] -- COMMAND [ARGS...]")));
    withFreshCredential(
        false, [this](const Profile &profile, const Environment &env, const Credential &c) {
            const EnvExport variables = credentialVariables(profile.kind, env, c);
            if (hasNulByte(variables))
                return fail(usage(QStringLiteral("the credential contains a NUL byte, which no "
                                                 "environment variable can hold")));
            auto run = [this, variables] {
                // The cached token is in the keychain and the locks are free before the command
                // runs for however long it takes.
                m_refreshLock.reset();
                m_lock.reset();
                qCDebug(lcCli).noquote() << "running" << m_cmd.trailing.first();
                const auto [status, message] = replaceProcess(m_cmd.trailing, variables);
                m_streams.err->write(
                    (QStringLiteral("tokentray-cli: ") + message + QLatin1Char('\n')).toUtf8());
                finish(static_cast<ExitCode>(status));
            };
            if (m_engine && m_engine->pendingCacheWrites() > 0) {
                connect(m_engine.get(), &TokenEngine::cacheWritesFinished, this, run,
                        Qt::SingleShotConnection);
                m_engine->flushCacheWrites();
                return;
            }
            run();
        });
}

void Cli::serve()
{
    if (auto r = loadConfig(); !r)
        return fail(r.error());
    auto scope = resolveScope(m_cmd.positionals.value(0), m_cmd.value(QStringLiteral("env")));
    if (!scope)
        return fail(scope.error());
    ExportFormat format = ExportFormat::Sh;
    if (m_cmd.has(QStringLiteral("format"))) {
        const auto chosen = exportFormatFromName(m_cmd.value(QStringLiteral("format")));
        if (!chosen)
            return fail(usage(QStringLiteral("--format must be one of ")
                              + exportFormatNames().join(QStringLiteral(", "))));
        format = *chosen;
    }
    quint16 port = 0;
    if (m_cmd.has(QStringLiteral("port"))) {
        bool ok = false;
        const uint value = m_cmd.value(QStringLiteral("port")).toUInt(&ok);
        if (!ok || value > 65535)
            return fail(usage(QStringLiteral("--port must be a port number (0 picks a free one)")));
        port = static_cast<quint16>(value);
    }
    const Profile &profile = *scope->first;
    const Environment &env = *scope->second;
    CredentialServer::Scope served {profile.id, profile.name, env.name, profile.kind,
                                    env.isProtected};

    // Serve refreshes only when asked, under the lock: eager profiles are the tray's business,
    // and a timer-driven refresh here would run outside the lock.
    Config deferred = m_config;
    for (Profile &p : deferred.profiles)
        p.refresh = RefreshPolicy::Deferred;
    engine()->setConfig(deferred);

    // Everything serve owns, torn down with it.
    auto *session = new QObject(this);
    auto *server = new CredentialServer(engine(), m_services.clock, served, session);
    auto *gate
        = new RefreshLockGate(m_store.get(), engine(), m_services.httpTimeoutMs + 15000, session);
    server->setAskGate(gate);
    // With an agent running, it is the one refresher: every credential served comes from it, asked
    // per request, so an agent started or stopped meanwhile is noticed. Without one, this
    // process's engine serves under the config lock.
    server->setCredentialSource(
        [server, configDir = m_store->directory(), timeoutMs = agentTimeoutMs()](
            const CredentialServer::Scope &asked,
            std::function<void(const std::optional<Result<Credential>> &)> answered) {
            auto *job = new AgentRequestJob(configDir,
                                            credentialRequest(asked.profileId, asked.environment),
                                            timeoutMs, server);
            QObject::connect(job, &AgentRequestJob::finished, server,
                             [job, answered = std::move(answered)] {
                                 job->deleteLater();
                                 const auto &reply = job->result();
                                 if (!reply)
                                     return answered(std::nullopt);
                                 answered(credentialFromReply(*reply));
                             });
            job->start();
        });
    // `?profile=NAME&env=ENV` picks another profile of the configuration read at start.
    server->setScopeResolver([this](const QString &profileName,
                                    const QString &envName) -> Result<CredentialServer::Scope> {
        auto found = resolveScope(profileName, envName);
        if (!found)
            return found.error();
        const auto [p, e] = *found;
        return CredentialServer::Scope {p->id, p->name, e->name, p->kind, e->isProtected};
    });
    if (auto r = server->listen(port); !r)
        return fail(r.error());

    auto *watcher = new TerminationWatcher(session);
    connect(watcher, &TerminationWatcher::terminationRequested, this, [this, server](int) {
        qCDebug(lcCli) << "stopping the credential server";
        server->close();
        finishAfterCacheWrites(ExitCode::Ok);
    });
    EnvExport variables = server->consumerVariables();
    if (isAwsKind(profile.kind) && !env.region.isEmpty()) {
        variables.set.append({QStringLiteral("AWS_REGION"), Secret(env.region.toUtf8())});
        variables.set.append({QStringLiteral("AWS_DEFAULT_REGION"), Secret(env.region.toUtf8())});
    }
    m_streams.out->write(formatVariables(variables, format));
    // A pipe or file gets them now, not when the server stops.
    if (auto *file = qobject_cast<QFileDevice *>(m_streams.out))
        file->flush();
    m_streams.err->write((QStringLiteral("Serving ") + profile.name + QLatin1Char('/') + env.name
                          + QStringLiteral(" on 127.0.0.1:") + QString::number(server->port())
                          + QStringLiteral(" until interrupted (Ctrl-C).\n"))
                             .toUtf8());
}

} // namespace TokenTray
