#include "core/model/validation.h"

#include "core/model/envfields.h"

#include <QHash>
#include <QHostAddress>
#include <QRegularExpression>
#include <QSet>

#include <functional>

namespace TokenTray {
namespace {

Error invalid(const QString &detail)
{
    return Error {ErrorCode::Invalid, detail};
}

} // namespace

// Patterns are anchored with anchoredPattern() (\A...\z), not ^...$: '$' also matches before a
// trailing newline, which would let "name\n" through into keychain keys and shell exports.
Result<void> validateName(const QString &what, const QString &name)
{
    static const QRegularExpression re(
        QRegularExpression::anchoredPattern(QStringLiteral("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")));
    if (name.isEmpty())
        return invalid(what + QStringLiteral(" name is empty"));
    if (!re.match(name).hasMatch()) {
        return invalid(what + QStringLiteral(" name \"") + name
                       + QStringLiteral("\" is not allowed: use up to 64 letters, digits, '.', "
                                        "'_' or '-', starting with a letter or digit"));
    }
    return {};
}

bool isLoopbackHost(const QString &host)
{
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

Result<void> validateEndpointUrl(const QString &what, const QUrl &url)
{
    if (!url.isValid() || url.isRelative() || url.host().isEmpty())
        return invalid(what + QStringLiteral(" \"") + url.toString()
                       + QStringLiteral("\" is not an absolute URL"));
    if (!url.userInfo().isEmpty())
        return invalid(what + QStringLiteral(" must not carry a user name or password"));
    const QString scheme = url.scheme().toLower();
    if (scheme == QLatin1String("https"))
        return {};
    if (scheme == QLatin1String("http")) {
        if (isLoopbackHost(url.host()))
            return {};
        return invalid(what + QStringLiteral(" \"") + url.toString()
                       + QStringLiteral("\" uses plain http: only https is allowed, except for "
                                        "loopback hosts"));
    }
    return invalid(what + QStringLiteral(" \"") + url.toString()
                   + QStringLiteral("\" must use https"));
}

Result<void> validateRoleArn(const QString &arn)
{
    static const QRegularExpression re(QRegularExpression::anchoredPattern(
        QStringLiteral(R"(arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512})")));
    if (!re.match(arn).hasMatch())
        return invalid(
            QStringLiteral("role ARN \"") + arn
            + QStringLiteral("\" is not of the form arn:aws:iam::123456789012:role/Name"));
    return {};
}

Result<void> validateSessionName(const QString &name)
{
    static const QRegularExpression re(
        QRegularExpression::anchoredPattern(QStringLiteral(R"([\w+=,.@-]{2,64})")));
    if (!re.match(name).hasMatch())
        return invalid(QStringLiteral("session name \"") + name
                       + QStringLiteral("\" must be 2-64 characters of letters, digits and "
                                        "+=,.@_-"));
    return {};
}

Result<void> validateSourceIdentity(const QString &identity)
{
    static const QRegularExpression re(
        QRegularExpression::anchoredPattern(QStringLiteral(R"([\w+=,.@-]{2,64})")));
    if (!re.match(identity).hasMatch()
        || identity.startsWith(QLatin1String("aws:"), Qt::CaseInsensitive))
        return invalid(QStringLiteral("source identity \"") + identity
                       + QStringLiteral("\" must be 2-64 characters of letters, digits and "
                                        "+=,.@_- and not start with aws:"));
    return {};
}

Result<void> validateDurationSeconds(int seconds)
{
    if (seconds != 0 && (seconds < 900 || seconds > 43200))
        return invalid(QStringLiteral("duration %1 s is outside 900-43200 s").arg(seconds));
    return {};
}

Result<void> validateRegion(const QString &region)
{
    static const QRegularExpression re(
        QRegularExpression::anchoredPattern(QStringLiteral(R"([a-z]{2}(-[a-z]+)+-\d+)")));
    if (!re.match(region).hasMatch())
        return invalid(QStringLiteral("region \"") + region
                       + QStringLiteral("\" is not a region name like eu-west-1"));
    return {};
}

Result<void> validateVariableName(const QString &name)
{
    static const QRegularExpression re(
        QRegularExpression::anchoredPattern(QStringLiteral("[A-Za-z_][A-Za-z0-9_]{0,63}")));
    if (!re.match(name).hasMatch())
        return invalid(QStringLiteral("token variable \"") + name
                       + QStringLiteral("\" is not a variable name: use up to 64 letters, digits "
                                        "or '_', not starting with a digit"));
    // A token in one of these would change how the child runs, or which credentials it uses.
    static const QStringList reserved = {
        QStringLiteral("PATH"),         QStringLiteral("HOME"),
        QStringLiteral("SHELL"),        QStringLiteral("USER"),
        QStringLiteral("IFS"),          QStringLiteral("ENV"),
        QStringLiteral("BASH_ENV"),     QStringLiteral("PS4"),
        QStringLiteral("PWD"),          QStringLiteral("TMPDIR"),
        QStringLiteral("LANG"),         QStringLiteral("TERM"),
        QStringLiteral("PYTHONPATH"),   QStringLiteral("PYTHONSTARTUP"),
        QStringLiteral("NODE_OPTIONS"), QStringLiteral("PERL5OPT"),
        QStringLiteral("RUBYOPT"),      QStringLiteral("JAVA_TOOL_OPTIONS"),
    };
    const QString upper = name.toUpper();
    if (reserved.contains(upper) || upper.startsWith(QLatin1String("LD_"))
        || upper.startsWith(QLatin1String("DYLD_")) || upper.startsWith(QLatin1String("AWS_"))
        || upper.startsWith(QLatin1String("TOKENTRAY_")) || upper.startsWith(QLatin1String("LC_"))
        || upper.startsWith(QLatin1String("XDG_")))
        return invalid(QStringLiteral("token variable \"") + name
                       + QStringLiteral("\" is reserved: choose a name of your own, e.g. "
                                        "API_TOKEN"));
    return {};
}

Result<void> validateEnvironment(const Profile &profile, const Environment &env,
                                 const Config &config)
{
    if (auto r = validateName(QStringLiteral("environment"), env.name); !r)
        return r;
    const QString where = profile.name + QLatin1Char('/') + env.name + QStringLiteral(": ");
    auto prefixed = [&](const Result<void> &r) -> Result<void> {
        if (r)
            return r;
        return invalid(where + r.error().detail);
    };
    for (const EnvFieldSpec &spec : envFieldTable()) {
        // A file is checked when it is chosen; one gone since fails the request that reads it,
        // not loading the configuration.
        if (spec.type == FieldType::File)
            continue;
        if (auto r = prefixed(validateEnvFieldValue(spec, env)); !r)
            return r;
    }
    if (!env.sourceProfile.isEmpty()) {
        const Profile *source = config.profileByName(env.sourceProfile);
        if (!source)
            return invalid(where + QStringLiteral("source profile \"") + env.sourceProfile
                           + QStringLiteral("\" does not exist"));
        if (source->kind != ProfileKind::AwsAccessKey && source->kind != ProfileKind::AwsAssumeRole)
            return invalid(where + QStringLiteral("source profile \"") + env.sourceProfile
                           + QStringLiteral("\" is not an AWS profile"));
        if (source->name == profile.name)
            return invalid(where + QStringLiteral("a profile cannot be its own source"));
    }
    return {};
}

namespace {

// Role profiles name source profiles (per environment); following them must end at access keys,
// never come back.
Result<void> validateSourceChains(const Config &config)
{
    QHash<QString, QStringList> sources;
    for (const Profile &p : config.profiles) {
        for (const Environment &env : p.environments) {
            if (!env.sourceProfile.isEmpty() && !sources[p.name].contains(env.sourceProfile))
                sources[p.name] << env.sourceProfile;
        }
    }
    enum class Mark { Unvisited, OnPath, Done };
    QHash<QString, Mark> marks;
    QStringList path;
    std::function<Result<void>(const QString &)> visit = [&](const QString &name) -> Result<void> {
        const Mark mark = marks.value(name, Mark::Unvisited);
        if (mark == Mark::Done)
            return {};
        if (mark == Mark::OnPath) {
            const QStringList loop = path.mid(path.indexOf(name)) << name;
            return invalid(QStringLiteral("source profiles form a loop: ")
                           + loop.join(QStringLiteral(" -> ")));
        }
        marks.insert(name, Mark::OnPath);
        path << name;
        for (const QString &next : sources.value(name)) {
            if (auto r = visit(next); !r)
                return r;
        }
        path.removeLast();
        marks.insert(name, Mark::Done);
        return {};
    };
    for (const Profile &p : config.profiles) {
        if (auto r = visit(p.name); !r)
            return r;
    }
    return {};
}

} // namespace

Result<void> validateConfig(const Config &config)
{
    QSet<QString> ids;
    QSet<QString> names;
    for (const Profile &p : config.profiles) {
        if (p.id.isEmpty())
            return invalid(QStringLiteral("profile \"") + p.name + QStringLiteral("\" has no id"));
        if (ids.contains(p.id))
            return invalid(QStringLiteral("profile id \"") + p.id
                           + QStringLiteral("\" is used twice"));
        ids.insert(p.id);
        if (auto r = validateName(QStringLiteral("profile"), p.name); !r)
            return r;
        if (names.contains(p.name))
            return invalid(QStringLiteral("profile name \"") + p.name
                           + QStringLiteral("\" is used twice"));
        names.insert(p.name);
        if (p.kind == ProfileKind::OAuth2 && p.grant == Grant::None)
            return invalid(QStringLiteral("profile \"") + p.name
                           + QStringLiteral("\" is oauth2 but names no grant"));
        if (p.kind != ProfileKind::OAuth2 && p.grant != Grant::None)
            return invalid(QStringLiteral("profile \"") + p.name
                           + QStringLiteral("\" has a grant but is not oauth2"));
        QSet<QString> envNames;
        for (const Environment &env : p.environments) {
            if (envNames.contains(env.name))
                return invalid(QStringLiteral("profile \"") + p.name
                               + QStringLiteral("\" has two environments named \"") + env.name
                               + QLatin1Char('"'));
            envNames.insert(env.name);
            if (auto r = validateEnvironment(p, env, config); !r)
                return r;
        }
        if (!p.activeEnvironment.isEmpty() && !envNames.contains(p.activeEnvironment))
            return invalid(QStringLiteral("profile \"") + p.name
                           + QStringLiteral("\" names active environment \"") + p.activeEnvironment
                           + QStringLiteral("\", which does not exist"));
    }
    if (auto r = validateSourceChains(config); !r)
        return r;
    if (!config.currentProfileId.isEmpty() && !ids.contains(config.currentProfileId))
        return invalid(QStringLiteral("the current profile id \"") + config.currentProfileId
                       + QStringLiteral("\" names no profile"));
    if (config.settings.maxConcurrency < 1 || config.settings.maxConcurrency > 256)
        return invalid(QStringLiteral("maxConcurrency must be between 1 and 256"));
    return {};
}

} // namespace TokenTray
