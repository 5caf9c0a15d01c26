#include "core/cli/cli.h"

#include "core/cli/climfa.h"
#include "core/cli/statusreport.h"
#include "core/ipc/agentclient.h"
#include "core/model/configedits.h"
#include "core/model/kindrules.h"
#include "core/model/validation.h"
#include "core/oauth/oauthendpoints.h"
#include "core/refresh/tokenengine.h"
#include "core/refresh/tokenstate.h"
#include "core/secrets/secretstore.h"
#include "core/store/configcodec.h"
#include "core/util/clock.h"
#include "core/util/logging.h"
#include "core/util/redact.h"
#include "core/util/terminal.h"

#include <QDir>
#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QLoggingCategory>
#include <QTimer>
#include <QUuid>

namespace TokenTray {
namespace {

constexpr qsizetype kMaxSecretBytes = 64 * 1024;

Error usage(const QString &detail)
{
    return Error {ErrorCode::Usage, detail};
}

Error notFound(const QString &detail)
{
    return Error {ErrorCode::NotFound, detail};
}

const QString kUnlockAdvice = QStringLiteral("The keychain is locked: unlock it (for example by "
                                             "logging in to the desktop session) and try again.");

// What a removal that the keychain stopped half way did and did not do: `what` is "profile
// api" or "environment api/dev"; entries are "<env>/<name>".
QString partialRemovalMessage(const Error &error, const QString &what, const QStringList &removed,
                              const QStringList &notRemoved)
{
    const QString detail = redactSecrets(error.detail);
    const bool locked = error.code == ErrorCode::KeychainLocked;
    QString text = locked ? kUnlockAdvice : QStringLiteral("The keychain failed: %1.").arg(detail);
    // A removal under way when the keychain locked may have happened without being confirmed.
    text += QStringLiteral(" Removing %1 stopped half way. Removed from the keychain: %2. Not "
                           "removed, or not confirmed: %3. The %4 was kept, listing what is left; "
                           "run the command again to remove the rest.")
                .arg(what, removed.join(QStringLiteral(", ")),
                     notRemoved.join(QStringLiteral(", ")), what.section(QLatin1Char(' '), 0, 0));
    if (locked)
        text += QStringLiteral(" (%1)").arg(detail);
    return text;
}

Error secretNotFound(const QString &profile, const QString &env, const QString &name)
{
    return Error {ErrorCode::SecretNotFound,
                  QStringLiteral("there is no ") + name + QStringLiteral(" for ") + profile
                      + QLatin1Char('/') + env};
}

// The options that set the environment fields of a kind; anything else is a usage error, so a
// typo in a script fails loudly instead of being stored and ignored.
QStringList optionsForKind(ProfileKind kind)
{
    QStringList options;
    for (EnvField field : environmentFields(kind))
        options += envFieldOptions(envFieldSpec(field));
    return options;
}

QString requirementMessage(Requirement requirement)
{
    switch (requirement) {
    case Requirement::TokenUrlOrIssuer:
        return QStringLiteral("an oauth2 environment needs --token-url or --issuer");
    case Requirement::ClientId:
        return QStringLiteral("an oauth2 environment needs --client-id");
    case Requirement::DeviceUrlOrIssuer:
        return QStringLiteral("the device_code grant needs --device-url or --issuer");
    case Requirement::RoleArn:
        return QStringLiteral("an aws-assume-role environment needs --role-arn");
    case Requirement::SourceProfile:
        return QStringLiteral("an aws-assume-role environment needs --source-profile");
    }
    return {};
}

} // namespace

QString humanDuration(qint64 seconds)
{
    if (seconds < 120)
        return QStringLiteral("%1 s").arg(seconds);
    if (seconds < 2 * 3600)
        return QStringLiteral("%1 min").arg(seconds / 60);
    if (seconds < 2 * 86400)
        return QStringLiteral("%1 h %2 min").arg(seconds / 3600).arg((seconds % 3600) / 60);
    return QStringLiteral("%1 days").arg(seconds / 86400);
}

Cli::Cli(const CliStreams &streams, const CliServices &services, QObject *parent)
    : QObject(parent)
    , m_streams(streams)
    , m_services(services)
    , m_secrets(services.secrets)
{
}

Cli::~Cli() = default;

void Cli::run(const QStringList &arguments)
{
    auto parsed = CommandLine::parse(arguments);
    if (!parsed) {
        QTimer::singleShot(0, this, [this, error = parsed.error()] {
            fail(Error {error.code, error.detail + QStringLiteral(" (see tokentray-cli help)")});
        });
        return;
    }
    m_cmd = std::move(parsed.value());
    m_arguments = arguments;
    if (inAgent()) {
        m_cmd.configDir = m_services.configDir;
        QTimer::singleShot(0, this, &Cli::dispatch);
        return;
    }
    if (m_cmd.verbose)
        enableVerboseLogging();
    else
        QLoggingCategory::setFilterRules(
            QStringLiteral("tokentray.*.info=false")); // errors speak for themselves
    QTimer::singleShot(0, this, &Cli::dispatch);
}

const QHash<QString, Cli::Handler> &Cli::handlers()
{
    // One handler per row of CommandLine::commands() (tst_commandtable checks that none is
    // missing); dispatch() looks the command up here.
    static const QHash<QString, Handler> table {
        {QStringLiteral("version"),
         [](Cli &cli) {
             cli.printVersion();
         }},
        {QStringLiteral("help"),
         [](Cli &cli) {
             cli.printHelp();
         }},
        {QStringLiteral("profile list"),
         [](Cli &cli) {
             cli.profileList();
         }},
        {QStringLiteral("profile show"),
         [](Cli &cli) {
             cli.profileShow();
         }},
        {QStringLiteral("profile add"),
         [](Cli &cli) {
             cli.profileAdd();
         }},
        {QStringLiteral("profile remove"),
         [](Cli &cli) {
             cli.profileRemove();
         }},
        {QStringLiteral("environment add"),
         [](Cli &cli) {
             cli.environmentAdd(true);
         }},
        {QStringLiteral("environment set"),
         [](Cli &cli) {
             cli.environmentAdd(false);
         }},
        {QStringLiteral("environment remove"),
         [](Cli &cli) {
             cli.environmentRemove();
         }},
        {QStringLiteral("secret set"),
         [](Cli &cli) {
             cli.secretSet();
         }},
        {QStringLiteral("secret delete"),
         [](Cli &cli) {
             cli.secretDelete();
         }},
        {QStringLiteral("switch"),
         [](Cli &cli) {
             cli.switchProfile();
         }},
        {QStringLiteral("status"),
         [](Cli &cli) {
             cli.status();
         }},
        {QStringLiteral("token"),
         [](Cli &cli) {
             cli.token();
         }},
        {QStringLiteral("login"),
         [](Cli &cli) {
             cli.login();
         }},
        {QStringLiteral("logout"),
         [](Cli &cli) {
             cli.logout();
         }},
        {QStringLiteral("import-aws"),
         [](Cli &cli) {
             cli.importAws();
         }},
        {QStringLiteral("verify"),
         [](Cli &cli) {
             cli.verify();
         }},
        {QStringLiteral("credential-process"),
         [](Cli &cli) {
             cli.credentialProcess();
         }},
        {QStringLiteral("export"),
         [](Cli &cli) {
             cli.exportVariables();
         }},
        {QStringLiteral("exec"),
         [](Cli &cli) {
             cli.execCommand();
         }},
        {QStringLiteral("serve"),
         [](Cli &cli) {
             cli.serve();
         }},
    };
    return table;
}

bool Cli::implements(const QString &command)
{
    return handlers().contains(command);
}

void Cli::dispatch()
{
    // --version and --help run their commands whatever the line names; neither reads the config.
    const bool informational = m_cmd.version || m_cmd.help
        || m_cmd.command == QLatin1String("version") || m_cmd.command == QLatin1String("help");
    const QString name = m_cmd.version ? QStringLiteral("version")
        : m_cmd.help                   ? QStringLiteral("help")
                                       : m_cmd.command;
    const auto handler = handlers().constFind(name);
    if (handler == handlers().cend()) {
        fail(Error {ErrorCode::Internal, QStringLiteral("command not implemented: ") + name});
        return;
    }
    if (!informational) {
        qCDebug(lcCli) << "command" << name << "config dir"
                       << ProfileStore::resolveConfigDir(m_cmd.configDir);
        if (forwardToAgent())
            return;
    }
    (*handler)(*this);
}

void Cli::printVersion()
{
    print(QStringLiteral("tokentray-cli " TOKENTRAY_VERSION "\n"));
    finish(ExitCode::Ok);
}

void Cli::printHelp()
{
    const QString &c = m_cmd.command;
    const QString topic = c == QLatin1String("help") ? m_cmd.positionals.join(QLatin1Char(' ')) : c;
    print(topic.isEmpty() ? CommandLine::usage() : CommandLine::help(topic));
    finish(ExitCode::Ok);
}

// ---- profiles ------------------------------------------------------------------------------

void Cli::profileList()
{
    if (auto r = loadConfig(); !r)
        return fail(r.error());
    if (m_cmd.json) {
        QJsonArray array;
        for (const Profile &p : std::as_const(m_config.profiles)) {
            QJsonObject o;
            o.insert(QLatin1String("name"), p.name);
            o.insert(QLatin1String("id"), p.id);
            o.insert(QLatin1String("kind"), kindName(p.kind));
            if (p.grant != Grant::None)
                o.insert(QLatin1String("grant"), grantName(p.grant));
            o.insert(QLatin1String("refresh"), refreshPolicyName(p.refresh));
            o.insert(QLatin1String("current"), p.id == m_config.currentProfileId);
            o.insert(QLatin1String("activeEnvironment"), p.activeEnvironment);
            o.insert(QLatin1String("environments"),
                     QJsonArray::fromStringList(p.environmentNames()));
            array.append(o);
        }
        printJson(array);
        return finish(ExitCode::Ok);
    }
    if (m_config.profiles.isEmpty()) {
        print(QStringLiteral(
            "No profiles yet. Add one with: tokentray-cli profile add NAME --kind oauth2\n"));
        return finish(ExitCode::Ok);
    }
    for (const Profile &p : std::as_const(m_config.profiles)) {
        const bool current = p.id == m_config.currentProfileId;
        QString envs = p.activeEnvironment.isEmpty() ? QStringLiteral("(no environments)")
                                                     : p.activeEnvironment;
        if (p.environments.size() > 1)
            envs += QStringLiteral(" (of ") + p.environmentNames().join(QStringLiteral(", "))
                + QLatin1Char(')');
        print((current ? QStringLiteral("* ") : QStringLiteral("  ")) + p.name.leftJustified(20)
              + QLatin1Char(' ') + kindName(p.kind).leftJustified(16) + QLatin1Char(' ') + envs
              + QLatin1Char('\n'));
    }
    finish(ExitCode::Ok);
}

void Cli::profileShow()
{
    if (auto r = loadConfig(); !r)
        return fail(r.error());
    auto found = findProfile(m_cmd.positionals.at(0));
    if (!found)
        return fail(found.error());
    const Profile &p = **found;
    const bool current = p.id == m_config.currentProfileId;
    if (m_cmd.json) {
        QJsonObject o = ConfigCodec::encodeProfile(p);
        o.insert(QLatin1String("current"), current);
        printJson(o);
        return finish(ExitCode::Ok);
    }
    QString text = QStringLiteral("Profile      ") + p.name
        + (current ? QStringLiteral(" (current)") : QString()) + QStringLiteral("\nId           ")
        + p.id + QStringLiteral("\nKind         ") + kindName(p.kind);
    if (p.grant != Grant::None)
        text += QStringLiteral(", grant ") + grantName(p.grant);
    text += QStringLiteral("\nRefresh      ") + refreshPolicyName(p.refresh) + QLatin1Char('\n');
    if (p.environments.isEmpty())
        text += QStringLiteral("Environments none (add one with: tokentray-cli environment add ")
            + p.name + QStringLiteral(" NAME ...)\n");
    for (const Environment &env : p.environments) {
        text += QStringLiteral("Environment  ") + env.name
            + (env.name == p.activeEnvironment ? QStringLiteral(" (active)") : QString())
            + (env.isProtected ? QStringLiteral(" [protected]") : QString()) + QLatin1Char('\n');
        auto line = [&text](const QString &label, const QString &value) {
            if (!value.isEmpty())
                text += QStringLiteral("  ") + label.leftJustified(15) + value + QLatin1Char('\n');
        };
        for (const EnvFieldSpec &spec : envFieldTable())
            line(spec.name, envFieldDisplay(spec, env));
        QStringList stored;
        for (const QString &entry : p.secretIndex) {
            if (entry.startsWith(env.name + QLatin1Char('/')))
                stored << entry.mid(env.name.size() + 1);
        }
        line(QStringLiteral("secrets"), stored.join(QStringLiteral(", ")));
    }
    print(text);
    finish(ExitCode::Ok);
}

void Cli::profileAdd()
{
    const QString name = m_cmd.positionals.at(0);
    if (auto r = validateName(QStringLiteral("profile"), name); !r)
        return fail(usage(r.error().detail));
    if (!m_cmd.has(QStringLiteral("kind")))
        return fail(usage(QStringLiteral("profile add needs --kind (")
                          + kindNames().join(QStringLiteral(", ")) + QLatin1Char(')')));
    const auto kind = kindFromName(m_cmd.value(QStringLiteral("kind")));
    if (!kind)
        return fail(usage(QStringLiteral("unknown kind \"") + m_cmd.value(QStringLiteral("kind"))
                          + QStringLiteral("\"; use one of ")
                          + kindNames().join(QStringLiteral(", "))));
    Profile profile;
    profile.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    profile.name = name;
    profile.kind = *kind;
    if (m_cmd.has(QStringLiteral("grant"))) {
        if (!kindUsesGrant(*kind))
            return fail(usage(QStringLiteral("--grant applies to oauth2 profiles only")));
        const auto grant = grantFromName(m_cmd.value(QStringLiteral("grant")));
        if (!grant)
            return fail(usage(
                QStringLiteral("unknown grant \"") + m_cmd.value(QStringLiteral("grant"))
                + QStringLiteral("\"; use one of ") + grantNames().join(QStringLiteral(", "))));
        profile.grant = *grant;
    } else {
        profile.grant = defaultGrant(*kind);
    }
    if (m_cmd.has(QStringLiteral("refresh"))) {
        const auto policy = refreshPolicyFromName(m_cmd.value(QStringLiteral("refresh")));
        if (!policy)
            return fail(usage(QStringLiteral("--refresh must be deferred or eager")));
        profile.refresh = *policy;
    }
    if (auto r = lockAndLoadConfig(); !r)
        return fail(r.error());
    if (m_config.profileByName(name))
        return fail(Error {ErrorCode::AlreadyExists,
                           QStringLiteral("a profile named \"") + name
                               + QStringLiteral("\" already exists")});
    m_config.profiles.append(profile);
    if (m_config.currentProfileId.isEmpty())
        m_config.currentProfileId = profile.id;
    if (auto r = saveConfig(); !r)
        return fail(r.error());
    if (m_cmd.json)
        printJson(ConfigCodec::encodeProfile(profile));
    else
        print(QStringLiteral("Added profile ") + name + QStringLiteral(" (") + kindName(*kind)
              + QStringLiteral("). Next: tokentray-cli environment add ") + name
              + QStringLiteral(" ENV ...\n"));
    finish(ExitCode::Ok);
}

void Cli::profileRemove()
{
    if (auto r = lockAndLoadConfig(); !r)
        return fail(r.error());
    auto found = findProfile(m_cmd.positionals.at(0));
    if (!found)
        return fail(found.error());
    const QString name = (*found)->name;
    if (auto r = checkProfileRemovable(m_config, (*found)->id); !r)
        return fail(usage(r.error().detail));
    removeIndexedSecrets(name, QString(), [this, name] {
        const qsizetype index = m_config.profiles.indexOf(*m_config.profileByName(name));
        const QString id = m_config.profiles.at(index).id;
        m_config.profiles.removeAt(index);
        if (m_config.currentProfileId == id)
            m_config.currentProfileId
                = m_config.profiles.isEmpty() ? QString() : m_config.profiles.first().id;
        if (auto r = saveConfig(); !r)
            return fail(r.error());
        if (!m_cmd.json)
            print(QStringLiteral("Removed profile ") + name
                  + QStringLiteral(" and its keychain items.\n"));
        finish(ExitCode::Ok);
    });
}

// ---- environments --------------------------------------------------------------------------

void Cli::environmentAdd(bool create)
{
    if (auto r = lockAndLoadConfig(); !r)
        return fail(r.error());
    auto found = findProfile(m_cmd.positionals.at(0));
    if (!found)
        return fail(found.error());
    Profile *profile = *found;
    const QString envName = m_cmd.positionals.at(1);
    if (auto r = validateName(QStringLiteral("environment"), envName); !r)
        return fail(usage(r.error().detail));

    Environment edited;
    if (create) {
        if (profile->environment(envName))
            return fail(
                Error {ErrorCode::AlreadyExists,
                       QStringLiteral("profile ") + profile->name
                           + QStringLiteral(" already has an environment ") + envName
                           + QStringLiteral("; change it with: tokentray-cli environment set")});
        edited.name = envName;
    } else {
        auto env = findEnvironment(profile, envName);
        if (!env)
            return fail(env.error());
        edited = **env;
    }
    if (auto r = applyEnvironmentOptions(*profile, &edited); !r)
        return fail(r.error());
    if (auto r = validateEnvironment(*profile, edited, m_config); !r)
        return fail(usage(r.error().detail));

    if (create) {
        profile->environments.append(edited);
        if (profile->activeEnvironment.isEmpty())
            profile->activeEnvironment = edited.name;
    } else {
        *profile->environment(envName) = edited;
    }
    if (auto r = saveConfig(); !r)
        return fail(r.error());
    if (m_cmd.json) {
        printJson(ConfigCodec::encodeProfile(*m_config.profileByName(m_cmd.positionals.at(0))));
    } else {
        print(
            (create ? QStringLiteral("Added environment ") : QStringLiteral("Updated environment "))
            + profile->name + QLatin1Char('/') + envName + QStringLiteral(".\n"));
        const QStringList needed = requiredSecretNames(profile->kind, profile->grant);
        if (create && !needed.isEmpty())
            print(QStringLiteral("Store its secret with: tokentray-cli secret set ") + profile->name
                  + QLatin1Char(' ') + envName + QLatin1Char(' ') + needed.first()
                  + QStringLiteral(" < FILE\n"));
    }
    finish(ExitCode::Ok);
}

Result<void> Cli::applyEnvironmentOptions(const Profile &profile, Environment *env)
{
    const QStringList allowed = optionsForKind(profile.kind);
    for (auto it = m_cmd.values.cbegin(); it != m_cmd.values.cend(); ++it) {
        if (!allowed.contains(it.key()))
            return usage(QStringLiteral("--") + it.key() + QStringLiteral(" does not apply to ")
                         + kindName(profile.kind) + QStringLiteral(" profiles"));
    }
    for (const QString &flag : std::as_const(m_cmd.flags)) {
        if (!allowed.contains(flag))
            return usage(QStringLiteral("--") + flag + QStringLiteral(" does not apply to ")
                         + kindName(profile.kind) + QStringLiteral(" profiles"));
    }
    for (const EnvFieldSpec &spec : envFieldTable()) {
        const QStringList options = envFieldOptions(spec);
        if (options.size() > 1 && m_cmd.has(options.at(0)) && m_cmd.has(options.at(1)))
            return usage(QStringLiteral("--") + options.at(0) + QStringLiteral(" and --")
                         + options.at(1) + QStringLiteral(" contradict each other"));
    }
    for (const EnvFieldSpec &spec : envFieldTable()) {
        for (const QString &option : envFieldOptions(spec)) {
            if (!m_cmd.has(option))
                continue;
            if (auto r = applyEnvFieldOption(spec, option, m_cmd.value(option), env); !r)
                return usage(r.error().detail);
        }
    }

    // What each kind needs before it can produce a credential.
    if (const auto unmet = unmetRequirements(profile.kind, profile.grant, *env); !unmet.isEmpty())
        return usage(requirementMessage(unmet.first()));
    return {};
}

void Cli::environmentRemove()
{
    if (auto r = lockAndLoadConfig(); !r)
        return fail(r.error());
    auto found = findProfile(m_cmd.positionals.at(0));
    if (!found)
        return fail(found.error());
    const QString profileName = (*found)->name;
    auto env = findEnvironment(*found, m_cmd.positionals.at(1));
    if (!env)
        return fail(env.error());
    const QString envName = (*env)->name;
    removeIndexedSecrets(profileName, envName, [this, profileName, envName] {
        Profile *p = m_config.profileByName(profileName);
        p->environments.removeIf([&envName](const Environment &e) { return e.name == envName; });
        if (p->activeEnvironment == envName)
            p->activeEnvironment
                = p->environments.isEmpty() ? QString() : p->environments.first().name;
        if (auto r = saveConfig(); !r)
            return fail(r.error());
        if (!m_cmd.json)
            print(QStringLiteral("Removed environment ") + profileName + QLatin1Char('/') + envName
                  + QStringLiteral(" and its keychain items.\n"));
        finish(ExitCode::Ok);
    });
}

// ---- secrets -------------------------------------------------------------------------------

Result<Secret> Cli::readSecretInput(const QString &what)
{
    if (!m_streams.in)
        return usage(QStringLiteral("no standard input to read the secret from"));
    QByteArray bytes;
    if (m_streams.inIsTerminal) {
        m_streams.err->write(
            (QStringLiteral("Enter ") + what + QStringLiteral(" (input is hidden): ")).toUtf8());
        {
            const TerminalEchoOff noEcho;
            bytes = m_streams.in->readLine(kMaxSecretBytes + 2);
        }
        m_streams.err->write("\n");
    } else {
        // A pipe delivers what the writer has written so far: read to the end.
        while (bytes.size() < kMaxSecretBytes + 2) {
            const QByteArray chunk = m_streams.in->read(kMaxSecretBytes + 2 - bytes.size());
            if (chunk.isEmpty())
                break;
            bytes += chunk;
        }
    }
    if (bytes.size() > kMaxSecretBytes)
        return usage(QStringLiteral("the secret on standard input is larger than 64 KiB"));
    // One trailing line break is how `echo` and editors end a file; it is never part of a secret.
    if (bytes.endsWith("\r\n"))
        bytes.chop(2);
    else if (bytes.endsWith('\n'))
        bytes.chop(1);
    if (bytes.isEmpty())
        return usage(QStringLiteral(
            "no secret on standard input (pipe it in: tokentray-cli secret set ... < FILE)"));
    return Secret(bytes);
}

void Cli::secretSet()
{
    if (auto r = lockAndLoadConfig(); !r)
        return fail(r.error());
    auto found = findProfile(m_cmd.positionals.at(0));
    if (!found)
        return fail(found.error());
    Profile *profile = *found;
    auto env = findEnvironment(profile, m_cmd.positionals.at(1));
    if (!env)
        return fail(env.error());
    const QString envName = (*env)->name;
    const QString name = m_cmd.positionals.at(2);
    const QStringList allowed = secretNamesFor(profile->kind);
    if (!allowed.contains(name))
        return fail(usage(kindName(profile->kind) + QStringLiteral(" profiles keep ")
                          + (allowed.isEmpty() ? QStringLiteral("no secrets")
                                               : allowed.join(QStringLiteral(", ")))
                          + QStringLiteral(", not \"") + name + QLatin1Char('"')));
    auto secret
        = readSecretInput(profile->name + QLatin1Char('/') + envName + QLatin1Char(' ') + name);
    if (!secret)
        return fail(secret.error());

    // Index first: an indexed key that was never written is harmless, an unindexed item would
    // be orphaned when the profile goes.
    const QString entry = secretIndexEntry(envName, name);
    const bool wasIndexed = profile->secretIndex.contains(entry);
    if (!wasIndexed) {
        profile->secretIndex.append(entry);
        if (auto r = saveConfig(); !r)
            return fail(r.error());
    }
    const QString profileName = profile->name;
    const QString key = secretKey(profile->id, envName, name);
    runSecretJobs(
        {m_secrets->write(key, *secret)},
        [this, profileName, envName, name, entry,
         wasIndexed](const QList<Result<Secret>> &results) {
            if (!results.first()) {
                if (!wasIndexed) {
                    m_config.profileByName(profileName)->secretIndex.removeAll(entry);
                    (void)saveConfig();
                }
                return fail(results.first().error());
            }
            if (!m_cmd.json)
                print(QStringLiteral("Stored ") + name + QStringLiteral(" for ") + profileName
                      + QLatin1Char('/') + envName + QStringLiteral(" in the keychain.\n"));
            // The cached credential came from the old secret; a static token or key
            // pair never expires, so it would otherwise be served forever.
            const Profile *p = m_config.profileByName(profileName);
            runSecretJobs(
                {m_secrets->remove(secretKey(p->id, envName, QStringLiteral("token_cache")))},
                [this](const QList<Result<Secret>> &) { finish(ExitCode::Ok); });
        });
}

void Cli::secretDelete()
{
    if (auto r = lockAndLoadConfig(); !r)
        return fail(r.error());
    auto found = findProfile(m_cmd.positionals.at(0));
    if (!found)
        return fail(found.error());
    Profile *profile = *found;
    auto env = findEnvironment(profile, m_cmd.positionals.at(1));
    if (!env)
        return fail(env.error());
    const QString envName = (*env)->name;
    const QString name = m_cmd.positionals.at(2);
    const QString profileName = profile->name;
    if (profile->secretIndex.contains(secretIndexEntry(envName, name)))
        return removeSecret(profileName, envName, name);
    // Not in the index. The Secret Service says "done" to deleting an item that is not there,
    // so look first: a missing secret is "not found", not a successful delete.
    runSecretJobs({m_secrets->read(secretKey(profile->id, envName, name))},
                  [this, profileName, envName, name](const QList<Result<Secret>> &results) {
                      const Result<Secret> &r = results.first();
                      if (r)
                          return removeSecret(profileName, envName, name);
                      fail(r.error().code == ErrorCode::SecretNotFound
                               ? secretNotFound(profileName, envName, name)
                               : r.error());
                  });
}

void Cli::removeSecret(const QString &profileName, const QString &envName, const QString &name)
{
    const QString entry = secretIndexEntry(envName, name);
    runSecretJobs(
        {m_secrets->remove(secretKey(m_config.profileByName(profileName)->id, envName, name))},
        [this, profileName, envName, name, entry](const QList<Result<Secret>> &results) {
            Profile *p = m_config.profileByName(profileName);
            const bool wasIndexed = p->secretIndex.removeAll(entry) > 0;
            const Result<Secret> &r = results.first();
            if (!r && r.error().code != ErrorCode::SecretNotFound)
                return fail(r.error());
            if (wasIndexed) {
                if (auto saved = saveConfig(); !saved)
                    return fail(saved.error());
            }
            if (!r && !wasIndexed)
                return fail(secretNotFound(profileName, envName, name));
            if (!m_cmd.json)
                print(QStringLiteral("Deleted ") + name + QStringLiteral(" of ") + profileName
                      + QLatin1Char('/') + envName + QStringLiteral(" from the keychain.\n"));
            finish(ExitCode::Ok);
        });
}

void Cli::removeIndexedSecrets(const QString &profileName, const QString &envName,
                               const std::function<void()> &onSuccess)
{
    const Profile *profile = m_config.profileByName(profileName);
    const QStringList entries = secretEntriesToRemove(*profile, envName);
    if (entries.isEmpty())
        return onSuccess();
    QList<SecretJob *> jobs;
    for (const QString &entry : std::as_const(entries))
        jobs << m_secrets->remove(profile->id + QLatin1Char('/') + entry);
    const QString what = envName.isEmpty()
        ? QString(QStringLiteral("profile ") + profileName)
        : QString(QStringLiteral("environment ") + profileName + QLatin1Char('/') + envName);
    runSecretJobs(
        jobs, [this, profileName, what, entries, onSuccess](const QList<Result<Secret>> &results) {
            Profile *p = m_config.profileByName(profileName);
            std::optional<Error> firstError;
            QStringList removed; // really deleted now, not merely absent
            QStringList notRemoved;
            for (qsizetype i = 0; i < results.size(); ++i) {
                const Result<Secret> &r = results.at(i);
                if (r || r.error().code == ErrorCode::SecretNotFound)
                    p->secretIndex.removeAll(entries.at(i));
                else
                    notRemoved << entries.at(i);
                if (r)
                    removed << entries.at(i);
                else if (r.error().code != ErrorCode::SecretNotFound && !firstError)
                    firstError = r.error();
            }
            if (!firstError)
                return onSuccess();
            // Keep what could not be deleted in the index, so a later attempt finds it.
            (void)saveConfig();
            if (removed.isEmpty())
                return fail(*firstError); // "Nothing was changed or deleted" holds
            m_streams.err->write((QStringLiteral("tokentray-cli: ")
                                  + partialRemovalMessage(*firstError, what, removed, notRemoved)
                                  + QLatin1Char('\n'))
                                     .toUtf8());
            finish(exitCodeFor(*firstError));
        });
}

void Cli::runSecretJobs(const QList<SecretJob *> &jobs,
                        const std::function<void(const QList<Result<Secret>> &)> &done)
{
    struct Batch
    {
        QList<Result<Secret>> results;
        qsizetype pending = 0;
    };
    auto batch = std::make_shared<Batch>();
    batch->results = QList<Result<Secret>>(jobs.size(), Secret());
    batch->pending = jobs.size();
    if (jobs.isEmpty()) {
        QTimer::singleShot(0, this, [batch, done] { done(batch->results); });
        return;
    }
    for (qsizetype i = 0; i < jobs.size(); ++i) {
        connect(jobs.at(i), &SecretJob::finished, this, [batch, done, i, job = jobs.at(i)] {
            batch->results[i] = job->result();
            if (--batch->pending == 0)
                done(batch->results);
        });
        jobs.at(i)->start();
    }
}

// ---- switch and status ---------------------------------------------------------------------

void Cli::switchProfile()
{
    if (auto r = lockAndLoadConfig(); !r)
        return fail(r.error());
    auto found = findProfile(m_cmd.positionals.at(0));
    if (!found)
        return fail(found.error());
    Profile *profile = *found;
    if (m_cmd.positionals.size() > 1) {
        auto env = findEnvironment(profile, m_cmd.positionals.at(1));
        if (!env)
            return fail(env.error());
        profile->activeEnvironment = (*env)->name;
    }
    m_config.currentProfileId = profile->id;
    if (auto r = saveConfig(); !r)
        return fail(r.error());
    if (m_cmd.json) {
        printJson(QJsonObject {{QStringLiteral("profile"), profile->name},
                               {QStringLiteral("environment"), profile->activeEnvironment}});
    } else {
        print(QStringLiteral("Current: ") + profile->name
              + (profile->activeEnvironment.isEmpty()
                     ? QString()
                     : QLatin1Char('/') + profile->activeEnvironment)
              + QLatin1Char('\n'));
    }
    finish(ExitCode::Ok);
}

void Cli::status()
{
    if (auto r = loadConfig(); !r)
        return fail(r.error());
    const QList<StatusSecretRead> reads = statusSecretReads(m_config);
    QList<SecretJob *> jobs;
    for (const StatusSecretRead &read : reads)
        jobs << m_secrets->read(secretKey(read.profileId, read.environment, read.secretName));
    runSecretJobs(jobs, [this, reads](const QList<Result<Secret>> &results) {
        LiveTokenLookup live;
        // Inside the agent its engine knows better than the keychain copy: what it holds in
        // memory, refreshing now, or failing.
        if (inAgent()) {
            live = [engine = m_services.engine](const QString &profileId,
                                                const QString &env) -> std::optional<LiveToken> {
                const TokenState state = engine->state(profileId, env);
                if (state == TokenState::None)
                    return std::nullopt;
                const auto held = engine->credential(profileId, env);
                return LiveToken {state, held ? held->expiresAt : QDateTime()};
            };
        }
        const StatusReport report
            = buildStatus(m_config, reads, results, m_services.clock->nowUtc(), live);
        if (m_cmd.json)
            printJson(statusJson(report));
        else
            print(statusText(report));
        if (report.keychainError)
            return fail(*report.keychainError);
        finish(ExitCode::Ok);
    });
}

// ---- plumbing ------------------------------------------------------------------------------

Result<void> Cli::loadConfig()
{
    m_store = std::make_unique<ProfileStore>(ProfileStore::resolveConfigDir(m_cmd.configDir));
    auto loaded = m_store->load();
    if (!loaded)
        return loaded.error();
    m_config = std::move(loaded.value());
    return {};
}

Result<void> Cli::lockAndLoadConfig()
{
    ProfileStore probe(ProfileStore::resolveConfigDir(m_cmd.configDir));
    // A change that touches secrets never interleaves with another process's refresh (a rotated
    // refresh token written back after a logout): the refresh lock first, then the config lock.
    if (auto refreshing = takeRefreshLock(probe); !refreshing)
        return refreshing;
    auto lock = probe.lockForUpdate();
    if (!lock)
        return lock.error();
    m_lock = std::move(lock.value());
    return loadConfig();
}

void Cli::offerMfaCode(const QString &profileId, const QString &env)
{
    if (inAgent() && m_services.offerMfaCode && m_cmd.has(QStringLiteral("mfa-code")))
        m_services.offerMfaCode(profileId, env,
                                Secret::fromUtf8(m_cmd.value(QStringLiteral("mfa-code"))));
}

Result<void> Cli::saveConfig()
{
    auto saved = m_store->save(m_config);
    if (saved)
        m_savedConfig = true;
    return saved;
}

Result<Profile *> Cli::findProfile(const QString &name)
{
    if (Profile *p = m_config.profileByName(name))
        return p;
    return notFound(QStringLiteral("there is no profile named \"") + name
                    + QStringLiteral("\" (see tokentray-cli profile list)"));
}

Result<Environment *> Cli::findEnvironment(Profile *profile, const QString &envName)
{
    if (Environment *env = profile->environment(envName))
        return env;
    const QStringList names = profile->environmentNames();
    return notFound(QStringLiteral("profile ") + profile->name
                    + QStringLiteral(" has no environment \"") + envName
                    + QStringLiteral("\" (it has: ")
                    + (names.isEmpty() ? QStringLiteral("none") : names.join(QStringLiteral(", ")))
                    + QStringLiteral(")"));
}

QString Cli::messageFor(const Error &error)
{
    QString detail = redactSecrets(error.detail);
    switch (error.code) {
    case ErrorCode::KeychainLocked:
        return kUnlockAdvice + QStringLiteral(" Nothing was changed or deleted. (") + detail
            + QLatin1Char(')');
    case ErrorCode::NoKeychain:
        return QStringLiteral("No keychain is available: TokenTray keeps secrets only in the OS "
                              "keychain (Secret Service, e.g. gnome-keyring or KWallet). (")
            + detail + QLatin1Char(')');
    case ErrorCode::KeychainTimeout:
    case ErrorCode::KeychainFailure:
        return QStringLiteral("The keychain failed: ") + detail;
    case ErrorCode::ConfigCorrupt:
    case ErrorCode::ConfigTooNew:
    case ErrorCode::ConfigIo:
    case ErrorCode::ConfigReadOnly:
        return QStringLiteral("Configuration error: ") + detail
            + QStringLiteral(". The file was left as it is.");
    default:
        break;
    }
    if (detail.isEmpty())
        return errorCodeName(error.code);
    return detail
        + (detail.endsWith(QLatin1Char('.')) || detail.endsWith(QLatin1Char(')'))
               ? QString()
               : QStringLiteral("."));
}

void Cli::print(const QString &text)
{
    m_streams.out->write(text.toUtf8());
}

void Cli::printJson(const QJsonValue &value)
{
    const QJsonDocument doc
        = value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject());
    m_streams.out->write(doc.toJson(QJsonDocument::Indented));
}

void Cli::fail(const Error &error)
{
    if (m_finished)
        return;
    QString text = QStringLiteral("tokentray-cli: ") + messageFor(error) + QLatin1Char('\n');
    if (const QString diagnosis = serverDiagnosis(error); m_cmd.verbose && !diagnosis.isEmpty())
        text += QStringLiteral("tokentray-cli: ") + redactSecrets(diagnosis) + QLatin1Char('\n');
    m_streams.err->write(text.toUtf8());
    finish(exitCodeFor(error));
}

bool Cli::forwardToAgent()
{
    // The commands that use a token engine or change what it holds (AgentRole::Forwarded in the
    // command table). The lean front forwards these already; this catches tokentray-cli-full
    // started directly, or an agent that started after the front looked. (The agent also serves
    // others, like switch; the full CLI runs those itself when the agent leaves them to it.)
    const CommandSpec *spec = CommandLine::command(m_cmd.command);
    if (inAgent() || !spec || spec->agent != AgentRole::Forwarded)
        return false;
    const QString configDir = ProfileStore::resolveConfigDir(m_cmd.configDir);
    const QJsonObject request {{QStringLiteral("op"), QStringLiteral("cli")},
                               {QStringLiteral("args"), QJsonArray::fromStringList(m_arguments)},
                               {QStringLiteral("configDir"), configDir},
                               {QStringLiteral("cwd"), QDir::currentPath()}};
    const auto reply = askAgent(configDir, request, agentTimeoutMs());
    if (!reply)
        return false; // no agent: this process does the work
    if (!*reply) {
        fail(reply->error());
        return true;
    }
    const QJsonObject &o = reply->value();
    if (!o.value(QStringLiteral("ok")).toBool()) {
        const QJsonObject e = o.value(QStringLiteral("error")).toObject();
        if (e.value(QStringLiteral("code")).toString() == QLatin1String("unsupported"))
            return false;
        fail(Error {ErrorCode::Internal,
                    QStringLiteral("the TokenTray agent could not run the command: ")
                        + e.value(QStringLiteral("message")).toString()});
        return true;
    }
    qCDebug(lcCli) << "the agent ran" << m_cmd.command;
    m_streams.err->write(o.value(QStringLiteral("stderr")).toString().toUtf8());
    m_streams.out->write(o.value(QStringLiteral("stdout")).toString().toUtf8());
    finish(static_cast<ExitCode>(o.value(QStringLiteral("exit")).toInt(1)));
    return true;
}

void Cli::finish(ExitCode code)
{
    if (m_finished)
        return;
    m_finished = true;
    m_lock.reset();
    m_refreshLock.reset();
    // A running agent (the tray) shows the change now rather than when its file watcher fires.
    if (m_savedConfig && !inAgent() && m_store)
        (void)askAgent(m_store->directory(), {{QStringLiteral("op"), QStringLiteral("reload")}},
                       2000);
    m_exitCode = static_cast<int>(code);
    Q_EMIT finished(m_exitCode);
}

} // namespace TokenTray
