// tokentray-cli import-aws: profiles and keychain items from ~/.aws/config and
// ~/.aws/credentials. The AWS files are only ever opened for reading.
#include "core/aws/awsimport.h"
#include "core/cli/cli.h"
#include "core/model/validation.h"
#include "core/secrets/secretstore.h"
#include "core/util/logging.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QIODevice>
#include <QJsonArray>
#include <QJsonObject>

#include <memory>

namespace TokenTray {
namespace {

// Real files are a few KiB; anything this large is not one.
constexpr qint64 kMaxAwsFileBytes = 4 * 1024 * 1024;

struct AwsFile
{
    QString path;
    bool named = false; // given by option or variable: it must exist
    bool present = false;
    QByteArray bytes;
};

QString expandHome(const QString &path)
{
    if (path == QLatin1String("~"))
        return QDir::homePath();
    if (path.startsWith(QLatin1String("~/")))
        return QDir::homePath() + path.mid(1);
    return path;
}

// --option, else $VARIABLE (botocore expands a leading ~ in it), else ~/.aws/NAME.
AwsFile locate(const QString &option, const char *variable, const char *name)
{
    AwsFile file;
    const QString fromEnvironment = qEnvironmentVariable(variable);
    if (!option.isEmpty()) {
        file.path = option;
        file.named = true;
    } else if (!fromEnvironment.isEmpty()) {
        file.path = expandHome(fromEnvironment);
        file.named = true;
    } else {
        file.path = QDir::homePath() + QStringLiteral("/.aws/") + QLatin1String(name);
    }
    return file;
}

Result<void> readAwsFile(AwsFile *file, const QString &what)
{
    const QFileInfo info(file->path);
    if (!info.exists()) {
        if (file->named)
            return Error {ErrorCode::NotFound,
                          QStringLiteral("the AWS ") + what + QStringLiteral(" file ") + file->path
                              + QStringLiteral(" does not exist")};
        return {};
    }
    if (!info.isFile())
        return Error {ErrorCode::Usage,
                      QStringLiteral("the AWS ") + what + QStringLiteral(" file ") + file->path
                          + QStringLiteral(" is not a file")};
    if (info.size() > kMaxAwsFileBytes)
        return Error {ErrorCode::Usage,
                      QStringLiteral("the AWS ") + what + QStringLiteral(" file ") + file->path
                          + QStringLiteral(" is larger than 4 MiB, which no AWS file is")};
    QFile f(file->path);
    if (!f.open(QIODevice::ReadOnly))
        return Error {ErrorCode::ConfigIo,
                      QStringLiteral("cannot read ") + file->path + QStringLiteral(": ")
                          + f.errorString()};
    file->bytes = f.read(kMaxAwsFileBytes + 1);
    file->present = true;
    return {};
}

QString statusText(AwsImportItem::Status status, bool dryRun)
{
    if (dryRun && status == AwsImportItem::Status::Imported)
        return QStringLiteral("would import");
    return awsImportStatusName(status);
}

QString reportText(const AwsImportPlan &plan, const AwsFile &config, const AwsFile &credentials,
                   bool dryRun)
{
    QString text;
    for (const AwsFile *file : {&config, &credentials}) {
        if (!file->present)
            text += statusText(AwsImportItem::Status::Note, dryRun).leftJustified(13) + file->path
                + QStringLiteral(": not found; nothing read from it\n");
    }
    for (const AwsImportItem &item : plan.report) {
        text += statusText(item.status, dryRun).leftJustified(13);
        if (item.profile.isEmpty()) {
            text += (item.location.isEmpty() ? QString() : item.location + QStringLiteral(": "))
                + item.message + QLatin1Char('\n');
            continue;
        }
        text += item.profile.leftJustified(16) + QLatin1Char(' ') + item.message
            + (item.location.isEmpty() ? QString()
                                       : QStringLiteral("  (") + item.location + QLatin1Char(')'))
            + QLatin1Char('\n');
    }
    const qsizetype skipped = plan.count(AwsImportItem::Status::Skipped);
    const QString counts = QStringLiteral("%1 profile(s) with %2 keychain item(s); skipped %3")
                               .arg(plan.profiles.size())
                               .arg(plan.secrets.size())
                               .arg(skipped);
    if (plan.profiles.isEmpty())
        text
            += QStringLiteral("Nothing to import; skipped %1. Nothing was changed.\n").arg(skipped);
    else if (dryRun)
        text += QStringLiteral("Would import ") + counts
            + QStringLiteral(". Nothing was changed (--dry-run).\n");
    else
        text += QStringLiteral("Imported ") + counts
            + QStringLiteral(". The AWS files were not changed.\n");
    return text;
}

QJsonObject reportJson(const AwsImportPlan &plan, const AwsFile &config, const AwsFile &credentials,
                       bool dryRun)
{
    auto fileJson = [](const AwsFile &file) {
        return QJsonObject {{QStringLiteral("path"), file.path},
                            {QStringLiteral("found"), file.present}};
    };
    QJsonArray imported;
    QJsonArray skipped;
    QJsonArray notes;
    for (const AwsImportItem &item : plan.report) {
        QJsonObject o {{QStringLiteral("name"), item.profile}};
        if (!item.awsProfile.isEmpty())
            o.insert(QStringLiteral("awsProfile"), item.awsProfile);
        if (!item.location.isEmpty())
            o.insert(QStringLiteral("location"), item.location);
        switch (item.status) {
        case AwsImportItem::Status::Imported: {
            const Profile *profile = plan.profile(item.profile);
            o.insert(QStringLiteral("kind"), kindName(profile->kind));
            o.insert(QStringLiteral("environment"), profile->activeEnvironment);
            o.insert(QStringLiteral("secrets"),
                     QJsonArray::fromStringList(plan.secretNames(profile->name)));
            const Environment &env = profile->environments.first();
            if (!env.sourceProfile.isEmpty())
                o.insert(QStringLiteral("sourceProfile"), env.sourceProfile);
            if (!env.roleArn.isEmpty())
                o.insert(QStringLiteral("roleArn"), env.roleArn);
            imported.append(o);
            break;
        }
        case AwsImportItem::Status::Skipped:
            o.insert(QStringLiteral("reason"), item.message);
            skipped.append(o);
            break;
        case AwsImportItem::Status::Warning:
        case AwsImportItem::Status::Note:
        case AwsImportItem::Status::Error:
            o.insert(QStringLiteral("severity"), awsImportStatusName(item.status));
            o.insert(QStringLiteral("message"), item.message);
            notes.append(o);
            break;
        }
    }
    return QJsonObject {{QStringLiteral("dryRun"), dryRun},
                        {QStringLiteral("configFile"), fileJson(config)},
                        {QStringLiteral("credentialsFile"), fileJson(credentials)},
                        {QStringLiteral("imported"), imported},
                        {QStringLiteral("skipped"), skipped},
                        {QStringLiteral("notes"), notes}};
}

} // namespace

void Cli::importAws()
{
    AwsFile config = locate(m_cmd.value(QStringLiteral("config")), "AWS_CONFIG_FILE", "config");
    AwsFile credentials = locate(m_cmd.value(QStringLiteral("credentials")),
                                 "AWS_SHARED_CREDENTIALS_FILE", "credentials");
    if (auto r = readAwsFile(&config, QStringLiteral("config")); !r)
        return fail(r.error());
    if (auto r = readAwsFile(&credentials, QStringLiteral("credentials")); !r)
        return fail(r.error());
    const bool dryRun = m_cmd.has(QStringLiteral("dry-run"));
    if (auto r = dryRun ? loadConfig() : lockAndLoadConfig(); !r)
        return fail(r.error());

    auto plan = std::make_shared<const AwsImportPlan>(
        planAwsImport(parseAwsIni(config.bytes, config.path),
                      parseAwsIni(credentials.bytes, credentials.path), m_config));
    // The plan holds the secrets (as Secret, wiped when freed); drop the raw file copies.
    for (AwsFile *file : {&config, &credentials}) {
        file->bytes.fill('\0');
        file->bytes.clear();
    }
    qCDebug(lcCli) << "import-aws:" << plan->profiles.size() << "profiles," << plan->secrets.size()
                   << "keychain items";
    auto report = [this, plan, config, credentials, dryRun] {
        if (m_cmd.json)
            printJson(reportJson(*plan, config, credentials, dryRun));
        else
            print(reportText(*plan, config, credentials, dryRun));
    };
    if (dryRun || plan->profiles.isEmpty()) {
        report();
        return finish(ExitCode::Ok);
    }

    Config updated = m_config;
    auto ids = addImportedProfiles(updated, *plan);
    if (!ids)
        return fail(ids.error());
    if (auto r = validateConfig(updated); !r)
        return fail(Error {ErrorCode::Internal,
                           QStringLiteral("the imported profiles would not form a valid "
                                          "configuration: ")
                               + r.error().detail});

    // Keychain first, config second: profiles.json never lists an item that was not written.
    QStringList keys;
    QList<SecretJob *> jobs;
    for (const AwsImportSecret &s : plan->secrets) {
        keys << secretKey(ids->value(s.profile), s.environment, s.name);
        jobs << m_secrets->write(keys.last(), s.value);
    }
    auto rollBack = [this](const QStringList &written, const Error &error) {
        QList<SecretJob *> removals;
        for (const QString &key : written)
            removals << m_secrets->remove(key);
        runSecretJobs(removals, [this, error](const QList<Result<Secret>> &results) {
            qsizetype left = 0;
            for (const Result<Secret> &r : results)
                left += r || r.error().code == ErrorCode::SecretNotFound ? 0 : 1;
            if (left > 0)
                m_streams.err->write(
                    QStringLiteral("tokentray-cli: %1 keychain item(s) written before the failure "
                                   "could not be removed again (service tokentray).\n")
                        .arg(left)
                        .toUtf8());
            fail(error);
        });
    };
    runSecretJobs(
        jobs,
        [this, keys, updated, report, rollBack](const QList<Result<Secret>> &results) mutable {
            QStringList written;
            std::optional<Error> firstError;
            for (qsizetype i = 0; i < results.size(); ++i) {
                if (results.at(i))
                    written << keys.at(i);
                else if (!firstError)
                    firstError = results.at(i).error();
            }
            if (firstError)
                return rollBack(written, *firstError);
            m_config = std::move(updated);
            if (auto r = saveConfig(); !r)
                return rollBack(written, r.error());
            report();
            finish(ExitCode::Ok);
        });
}

} // namespace TokenTray
