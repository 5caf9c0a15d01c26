#pragma once

#include "core/cli/commandline.h"
#include "core/cli/exitcode.h"
#include "core/model/config.h"
#include "core/model/credential.h"
#include "core/refresh/credentialfetch.h"
#include "core/store/profilestore.h"
#include "core/util/result.h"
#include "core/util/secret.h"

#include <QJsonValue>
#include <QObject>

#include <functional>
#include <memory>

class QIODevice;
class QNetworkAccessManager;

namespace TokenTray {

class CliMfaPrompter;
class Clock;
class DiscoveryCache;

// "42 s", "12 min", "3 h 5 min", "4 days".
QString humanDuration(qint64 seconds);
class SecretJob;
class SecretStore;
class SignInJob;
class TokenEngine;

struct CliStreams
{
    QIODevice *in = nullptr;
    QIODevice *out = nullptr;
    QIODevice *err = nullptr;
    bool inIsTerminal = false; // `secret set` then prompts on err and hides the typing
};

// What the commands use from outside; owned by the composition root.
struct CliServices
{
    SecretStore *secrets = nullptr;
    QNetworkAccessManager *nam = nullptr;
    const Clock *clock = nullptr;
    int httpTimeoutMs = 30000;
    // Set when the command runs inside the agent (the tray app or `tokentray --no-tray`) for a
    // client: the agent's engine serves it (no engine of its own, no refresh lock: the agent is
    // the only refresher), its config directory applies, and an --mfa-code is offered to the
    // agent's MFA prompter. Logging stays the agent's.
    TokenEngine *engine = nullptr;
    QString configDir = {};
    std::function<void(const QString &profileId, const QString &env, const Secret &code)>
        offerMfaCode = {};
};

// tokentray-cli's commands, runnable in-process: construct with streams and services, call
// run(), wait for finished(exitCode). The executable's main() only wires these up.
class Cli final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Cli)
public:
    Cli(const CliStreams &streams, const CliServices &services, QObject *parent = nullptr);
    ~Cli() override;

    // `arguments` without the program name. Queued: finished() is emitted exactly once, later.
    void run(const QStringList &arguments);
    [[nodiscard]] int exitCode() const { return m_exitCode; }

    // The sentence the CLI prints for an error (never contains a secret).
    static QString messageFor(const Error &error);
    // Whether dispatch() has a handler for a command of CommandLine::commands().
    static bool implements(const QString &command);

Q_SIGNALS:
    void finished(int exitCode);

private:
    using Handler = void (*)(Cli &);
    static const QHash<QString, Handler> &handlers();
    void dispatch();
    void printVersion();
    void printHelp();

    void profileList();
    void profileShow();
    void profileAdd();
    void profileRemove();
    void environmentAdd(bool create);
    void environmentRemove();
    void secretSet();
    void secretDelete();
    void removeSecret(const QString &profileName, const QString &envName, const QString &name);
    void switchProfile();
    void status();
    void token();
    void login();
    void logout();
    void importAws(); // importcommand.cpp
    void verify();
    // credential-process, export, exec, serve (deliverycommands.cpp)
    void credentialProcess();
    void exportVariables();
    void execCommand();
    void serve();
    // Resolves PROFILE/--env, takes the config lock and hands `use` a credential fresh enough
    // for a caching consumer (FreshCredentialJob); awsOnly refuses other kinds (usage error).
    void withFreshCredential(
        bool awsOnly,
        const std::function<void(const Profile &, const Environment &, const Credential &)> &use);

    // token, login, logout
    Result<std::pair<Profile *, Environment *>> resolveScope(const QString &profileName,
                                                             const QString &envName);
    TokenEngine *engine();
    FetchServices fetchServices();
    void deviceLogin(const QString &profileName, const QString &envName);
    // A device sign-in was approved: lock the config, re-read it and index the refresh token.
    Result<void> prepareSignInStore(const SignInJob *job, bool storesRefreshToken);
    void finishAfterCacheWrites(ExitCode code);
    // The refresh lock that makes this process the only one refreshing (not needed inside the
    // agent); never the config lock, so the desktop app can save while a refresh is under way.
    Result<void> takeRefreshLock(const ProfileStore &store);
    [[nodiscard]] bool inAgent() const { return m_services.engine != nullptr; }
    // How long an ask of the agent may take: as long as its engine lets an ask wait, and some.
    [[nodiscard]] int agentTimeoutMs() const { return 3 * m_services.httpTimeoutMs + 10000; }
    // Outside the agent, while one runs: hands it a command that would use a token engine (the
    // agent is the one refresher of the desktop), prints its answer and finishes. False when no
    // agent runs or it leaves the command to this process.
    bool forwardToAgent();
    // Inside the agent: hands a --mfa-code to the agent for this scope.
    void offerMfaCode(const QString &profileId, const QString &env);

    Result<void> loadConfig();
    Result<void> lockAndLoadConfig();
    Result<void> saveConfig();
    Result<Profile *> findProfile(const QString &name);
    Result<Environment *> findEnvironment(Profile *profile, const QString &envName);
    Result<void> applyEnvironmentOptions(const Profile &profile, Environment *env);
    Result<Secret> readSecretInput(const QString &what);

    // Runs the jobs concurrently and calls `done` once with their results, in order.
    void runSecretJobs(const QList<SecretJob *> &jobs,
                       const std::function<void(const QList<Result<Secret>> &)> &done);
    // Deletes every keychain item a profile (or one of its environments) indexed; stops at the
    // first failure, keeping the index of what is left so nothing is orphaned.
    void removeIndexedSecrets(const QString &profileName, const QString &envName,
                              const std::function<void()> &onSuccess);

    void print(const QString &text);
    void printJson(const QJsonValue &value);
    void fail(const Error &error);
    void finish(ExitCode code);

    CliStreams m_streams;
    CliServices m_services;
    SecretStore *m_secrets;
    std::unique_ptr<DiscoveryCache> m_discovery;
    std::unique_ptr<CliMfaPrompter> m_mfa;
    std::unique_ptr<TokenEngine> m_engine;
    ParsedCommand m_cmd;
    QStringList m_arguments; // as run() got them, for forwardToAgent()
    std::unique_ptr<ProfileStore> m_store;
    ProfileStore::Lock m_lock; // the config lock, for commands that change profiles.json
    ProfileStore::Lock m_refreshLock;
    Config m_config;
    int m_exitCode = -1;
    bool m_finished = false;
    bool m_savedConfig = false; // profiles.json was written: a running agent is told to reload
};

} // namespace TokenTray
