#include "core/cli/commandline.h"

#include "core/model/envfields.h"

namespace TokenTray::CommandLine {
namespace {

Error usageError(const QString &detail)
{
    return Error {ErrorCode::Usage, detail};
}

// The environment fields' options, from their table.
QList<OptionSpec> environmentOptionSpecs()
{
    QList<OptionSpec> specs;
    for (const EnvFieldSpec &field : envFieldTable()) {
        specs.append({field.option, field.valueName, field.help});
        if (field.type == FieldType::Flag)
            specs.append({QStringLiteral("un") + field.option, QString(), field.negationHelp});
    }
    return specs;
}

} // namespace

const QList<OptionSpec> &options()
{
    static const QList<OptionSpec> list = QList<OptionSpec> {
        {QStringLiteral("kind"), QStringLiteral("KIND"),
         QStringLiteral("oauth2, aws-assume-role, aws-access-key or static-token")},
        {QStringLiteral("grant"), QStringLiteral("GRANT"),
         QStringLiteral("oauth2 grant: client_credentials (default), refresh_token or "
                        "device_code")},
        {QStringLiteral("refresh"), QStringLiteral("POLICY"),
         QStringLiteral("deferred (refresh when asked, default) or eager (before expiry)")},
        {QStringLiteral("env"), QStringLiteral("ENV"),
         QStringLiteral("environment (default: the profile's active one)")},
        {QStringLiteral("min-valid"), QStringLiteral("SECONDS"),
         QStringLiteral("refresh first unless the token is valid this long")},
        {QStringLiteral("config"), QStringLiteral("FILE"),
         QStringLiteral("AWS config file (default: $AWS_CONFIG_FILE, else ~/.aws/config)")},
        {QStringLiteral("credentials"), QStringLiteral("FILE"),
         QStringLiteral("AWS credentials file (default: $AWS_SHARED_CREDENTIALS_FILE, else "
                        "~/.aws/credentials)")},
        {QStringLiteral("dry-run"), QString(),
         QStringLiteral("show what would be imported; change nothing")},
        {QStringLiteral("mfa-code"), QStringLiteral("CODE"),
         QStringLiteral("the current one-time code of the environment's MFA device")},
        {QStringLiteral("format"), QStringLiteral("FORMAT"),
         QStringLiteral("sh (default), fish or json")},
        {QStringLiteral("port"), QStringLiteral("PORT"),
         QStringLiteral("port on 127.0.0.1 (default: a free one)")},
    } + environmentOptionSpecs();
    return list;
}

const QList<CommandSpec> &commands()
{
    static const QList<CommandSpec> list = {
        {QStringLiteral("profile list"),
         {},
         {},
         {},
         QStringLiteral("list profiles"),
         false,
         AgentRole::Served},
        {QStringLiteral("profile show"),
         {QStringLiteral("NAME")},
         {},
         {},
         QStringLiteral("show one profile and its environments"),
         false,
         AgentRole::Served},
        {QStringLiteral("profile add"),
         {QStringLiteral("NAME")},
         {},
         {QStringLiteral("kind"), QStringLiteral("grant"), QStringLiteral("refresh")},
         QStringLiteral("create a profile")},
        {QStringLiteral("profile remove"),
         {QStringLiteral("NAME")},
         {},
         {},
         QStringLiteral("remove a profile and every keychain item it wrote")},
        {QStringLiteral("environment add"),
         {QStringLiteral("PROFILE"), QStringLiteral("ENV")},
         {},
         allEnvFieldOptions(false),
         QStringLiteral("add an environment to a profile")},
        {QStringLiteral("environment set"),
         {QStringLiteral("PROFILE"), QStringLiteral("ENV")},
         {},
         allEnvFieldOptions(true),
         QStringLiteral("change an environment's settings")},
        {QStringLiteral("environment remove"),
         {QStringLiteral("PROFILE"), QStringLiteral("ENV")},
         {},
         {},
         QStringLiteral("remove an environment and its keychain items")},
        {QStringLiteral("secret set"),
         {QStringLiteral("PROFILE"), QStringLiteral("ENV"), QStringLiteral("NAME")},
         {},
         {},
         QStringLiteral("store a secret read from standard input in the keychain")},
        {QStringLiteral("secret delete"),
         {QStringLiteral("PROFILE"), QStringLiteral("ENV"), QStringLiteral("NAME")},
         {},
         {},
         QStringLiteral("delete a secret from the keychain")},
        {QStringLiteral("switch"),
         {QStringLiteral("PROFILE")},
         {QStringLiteral("ENV")},
         {},
         QStringLiteral("make PROFILE current and ENV its active environment"),
         false,
         AgentRole::Served},
        {QStringLiteral("status"),
         {},
         {},
         {},
         QStringLiteral("every profile and environment: token state, expiry, secrets"),
         false,
         AgentRole::Served},
        {QStringLiteral("token"),
         {},
         {QStringLiteral("PROFILE")},
         {QStringLiteral("env"), QStringLiteral("min-valid")},
         QStringLiteral("print an access token (refreshed when needed)"),
         false,
         AgentRole::Forwarded},
        {QStringLiteral("login"),
         {QStringLiteral("PROFILE")},
         {},
         {QStringLiteral("env"), QStringLiteral("mfa-code")},
         QStringLiteral("sign in (device code: shows a code and a URL) and keep the tokens")},
        {QStringLiteral("logout"),
         {QStringLiteral("PROFILE")},
         {},
         {QStringLiteral("env")},
         QStringLiteral("revoke the refresh token and forget cached tokens"),
         false,
         AgentRole::Forwarded},
        {QStringLiteral("verify"),
         {},
         {QStringLiteral("PROFILE")},
         {QStringLiteral("env"), QStringLiteral("mfa-code")},
         QStringLiteral("ask the provider whether the credential is good (AWS: "
                        "GetCallerIdentity; OAuth2: introspection)"),
         false,
         AgentRole::Forwarded},
        {QStringLiteral("credential-process"),
         {QStringLiteral("PROFILE")},
         {},
         {QStringLiteral("env"), QStringLiteral("mfa-code")},
         QStringLiteral("print AWS credential_process JSON (for ~/.aws/config)"),
         false,
         AgentRole::Forwarded},
        {QStringLiteral("export"),
         {},
         {QStringLiteral("PROFILE")},
         {QStringLiteral("env"), QStringLiteral("format"), QStringLiteral("mfa-code")},
         QStringLiteral("print the credential as environment variables (AWS_* or TOKENTRAY_TOKEN)"),
         false,
         AgentRole::Forwarded},
        {QStringLiteral("exec"),
         {},
         {QStringLiteral("PROFILE")},
         {QStringLiteral("env"), QStringLiteral("mfa-code")},
         QStringLiteral("run -- COMMAND [ARGS...] with the credential in its environment"),
         true},
        {QStringLiteral("serve"),
         {},
         {QStringLiteral("PROFILE")},
         {QStringLiteral("env"), QStringLiteral("port"), QStringLiteral("format"),
          QStringLiteral("mfa-code")},
         QStringLiteral("serve credentials on 127.0.0.1 until interrupted; prints the variables "
                        "a consumer sets")},
        {QStringLiteral("import-aws"),
         {},
         {},
         {QStringLiteral("config"), QStringLiteral("credentials"), QStringLiteral("dry-run")},
         QStringLiteral("add profiles and keychain items from ~/.aws/config and "
                        "~/.aws/credentials (never changes those files)")},
        // Two words, so `help secret set` works like `help secret`.
        {QStringLiteral("help"),
         {},
         {QStringLiteral("COMMAND"), QStringLiteral("SUBCOMMAND")},
         {},
         QStringLiteral("show help for a command")},
        {QStringLiteral("version"), {}, {}, {}, QStringLiteral("print the version")},
    };
    return list;
}

const OptionSpec *option(const QString &name)
{
    for (const OptionSpec &o : options()) {
        if (o.name == name)
            return &o;
    }
    return nullptr;
}

const CommandSpec *command(const QString &name)
{
    for (const CommandSpec &c : commands()) {
        if (c.name == name)
            return &c;
    }
    return nullptr;
}

QStringList servedByAgent()
{
    QStringList names;
    for (const CommandSpec &c : commands()) {
        if (c.servedByAgent())
            names << c.name;
    }
    return names;
}

Result<ParsedCommand> parse(const QStringList &arguments)
{
    ParsedCommand parsed;
    QStringList words;
    QList<std::pair<QString, QString>> rawOptions; // name, value (null for flags)
    bool afterDashDash = false;

    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QString &arg = arguments.at(i);
        if (afterDashDash) {
            parsed.trailing << arg;
            continue;
        }
        if (arg == QLatin1String("--")) {
            afterDashDash = true;
            continue;
        }
        if (arg == QLatin1String("-v") || arg == QLatin1String("--verbose")) {
            parsed.verbose = true;
            continue;
        }
        if (arg == QLatin1String("-h") || arg == QLatin1String("--help")) {
            parsed.help = true;
            continue;
        }
        if (arg == QLatin1String("--version")) {
            parsed.version = true;
            continue;
        }
        if (arg == QLatin1String("--json")) {
            parsed.json = true;
            continue;
        }
        if (arg.startsWith(QLatin1String("--"))) {
            QString name = arg.mid(2);
            QString value;
            bool inlineValue = false;
            if (const qsizetype eq = name.indexOf(QLatin1Char('=')); eq >= 0) {
                value = name.mid(eq + 1);
                name.truncate(eq);
                inlineValue = true;
            }
            const bool isConfigDir = name == QLatin1String("config-dir");
            const OptionSpec *spec = option(name);
            if (!isConfigDir && !spec)
                return usageError(QStringLiteral("unknown option --") + name);
            const bool takesValue = isConfigDir || spec->takesValue();
            if (takesValue && !inlineValue) {
                if (i + 1 >= arguments.size())
                    return usageError(QStringLiteral("option --") + name
                                      + QStringLiteral(" needs a value"));
                value = arguments.at(++i);
            } else if (!takesValue && inlineValue) {
                return usageError(QStringLiteral("option --") + name
                                  + QStringLiteral(" takes no value"));
            }
            if (isConfigDir) {
                if (value.isEmpty())
                    return usageError(QStringLiteral("option --config-dir needs a directory"));
                parsed.configDir = value;
                continue;
            }
            rawOptions.append({name, takesValue ? value : QString()});
            continue;
        }
        if (arg.size() > 1 && arg.startsWith(QLatin1Char('-')))
            return usageError(QStringLiteral("unknown option ") + arg);
        words << arg;
    }

    if (words.isEmpty()) {
        if (parsed.help || parsed.version)
            return parsed;
        return usageError(QStringLiteral("no command given"));
    }

    // Longest match: "profile add" before "profile".
    const CommandSpec *spec = nullptr;
    if (words.size() >= 2)
        spec = command(words.at(0) + QLatin1Char(' ') + words.at(1));
    if (spec) {
        words.remove(0, 2);
    } else {
        spec = command(words.at(0));
        if (!spec) {
            bool isGroup = false;
            for (const CommandSpec &c : commands())
                isGroup = isGroup || c.name.startsWith(words.at(0) + QLatin1Char(' '));
            if (isGroup && words.size() == 1 && parsed.help) {
                parsed.command = words.at(0);
                return parsed;
            }
            if (isGroup)
                return usageError(QStringLiteral("unknown command \"")
                                  + words.join(QLatin1Char(' '))
                                  + QStringLiteral("\"; see tokentray-cli help ") + words.at(0));
            return usageError(QStringLiteral("unknown command \"") + words.at(0)
                              + QLatin1Char('"'));
        }
        words.remove(0, 1);
    }
    parsed.command = spec->name;
    if (parsed.help)
        return parsed;

    if (words.size() < spec->required.size())
        return usageError(spec->name + QStringLiteral(": missing ")
                          + spec->required.mid(words.size()).join(QLatin1Char(' ')));
    if (words.size() > spec->required.size() + spec->optional.size())
        return usageError(spec->name + QStringLiteral(": unexpected argument \"")
                          + words.at(spec->required.size() + spec->optional.size())
                          + QLatin1Char('"'));
    parsed.positionals = words;

    for (const auto &[name, value] : rawOptions) {
        if (!spec->options.contains(name))
            return usageError(spec->name + QStringLiteral(" does not take --") + name);
        if (parsed.has(name))
            return usageError(QStringLiteral("option --") + name + QStringLiteral(" given twice"));
        if (option(name)->takesValue())
            parsed.values.insert(name, value);
        else
            parsed.flags.insert(name);
    }
    if (!parsed.trailing.isEmpty() && !spec->trailing)
        return usageError(spec->name + QStringLiteral(" takes no arguments after --"));
    return parsed;
}

QString usage()
{
    QString text = QStringLiteral(
        "Usage: tokentray-cli [--config-dir DIR] [--json] [-v] COMMAND [ARGS] [OPTIONS]\n\n"
        "Commands:\n");
    for (const CommandSpec &c : commands()) {
        QString synopsis = c.name;
        for (const QString &r : c.required)
            synopsis += QLatin1Char(' ') + r;
        for (const QString &o : c.optional)
            synopsis += QStringLiteral(" [") + o + QLatin1Char(']');
        text += QStringLiteral("  ") + synopsis.leftJustified(34) + c.summary + QLatin1Char('\n');
    }
    text += QStringLiteral(
        "\nGlobal options:\n"
        "  --config-dir DIR   configuration directory (else $TOKENTRAY_CONFIG_DIR, else the\n"
        "                     platform default)\n"
        "  --json             machine-readable output\n"
        "  -v, --verbose      diagnostic log on standard error (secrets are redacted)\n"
        "\nExit codes: 0 ok, 2 usage, 3 not found, 4 rejected or sign-in required,\n"
        "5 network or server failure, 6 keychain locked or unavailable, 7 configuration\n"
        "file error, 1 anything else.\n"
        "Run 'tokentray-cli help COMMAND' for a command's options.\n");
    return text;
}

QString help(const QString &commandName)
{
    QString text;
    for (const CommandSpec &c : commands()) {
        if (c.name != commandName && !c.name.startsWith(commandName + QLatin1Char(' ')))
            continue;
        QString synopsis = QStringLiteral("tokentray-cli ") + c.name;
        for (const QString &r : c.required)
            synopsis += QLatin1Char(' ') + r;
        for (const QString &o : c.optional)
            synopsis += QStringLiteral(" [") + o + QLatin1Char(']');
        if (!c.options.isEmpty())
            synopsis += QStringLiteral(" [OPTIONS]");
        text += synopsis + QStringLiteral("\n  ") + c.summary + QLatin1Char('\n');
        for (const QString &name : c.options) {
            const OptionSpec *o = option(name);
            QString left = QStringLiteral("--") + o->name;
            if (o->takesValue())
                left += QLatin1Char(' ') + o->valueName;
            text += QStringLiteral("    ") + left.leftJustified(26) + o->help + QLatin1Char('\n');
        }
        text += QLatin1Char('\n');
    }
    return text.isEmpty() ? usage() : text;
}

} // namespace TokenTray::CommandLine
