// libFuzzer target: the ~/.aws/config and ~/.aws/credentials reader and the import planner.
// Input: config bytes, a NUL byte, credentials bytes (no NUL: everything is the config file).
// Besides not crashing, every plan must apply to a config that stays valid.
#include "core/aws/awsimport.h"
#include "core/aws/awsini.h"
#include "core/model/kinds.h"
#include "core/model/validation.h"

#include <cstddef>
#include <cstdint>

namespace {

using namespace TokenTray;

void check(bool condition)
{
    if (!condition)
        __builtin_trap();
}

void checkFile(const AwsIniFile &file, qsizetype lines)
{
    int previous = 0;
    for (const AwsIniSection &section : file.sections) {
        check(section.line > previous && section.line <= lines);
        previous = section.line;
        check(!section.header.isEmpty() && !section.name.isEmpty());
        for (const AwsIniEntry &entry : section.entries) {
            check(entry.line > section.line && entry.lastLine >= entry.line);
            check(!entry.key.isEmpty() && entry.key == entry.key.toLower());
            check(entry.nested.isEmpty() || entry.hasNestedBlock);
        }
        for (int line : section.unreadableLines)
            check(line > section.line && line <= lines);
    }
    for (const AwsIniDiagnostic &d : file.diagnostics)
        check(d.line >= 1 && d.line <= lines && d.section < file.sections.size());
}

Config existingConfig()
{
    Config config;
    Profile keys;
    keys.id = QStringLiteral("id-default");
    keys.name = QStringLiteral("default");
    keys.kind = ProfileKind::AwsAccessKey;
    Environment env;
    env.name = QStringLiteral("default");
    keys.environments = {env};
    keys.activeEnvironment = env.name;
    Profile token;
    token.id = QStringLiteral("id-dev");
    token.name = QStringLiteral("dev");
    token.kind = ProfileKind::StaticToken;
    token.environments = {env};
    config.profiles = {keys, token};
    config.currentProfileId = keys.id;
    return config;
}

void checkPlan(const AwsImportPlan &plan, const Config &existing)
{
    Config config = existing;
    const auto ids = addImportedProfiles(config, plan);
    check(ids.has_value());
    check(validateConfig(config).has_value());
    for (const AwsImportSecret &secret : plan.secrets) {
        const Profile *profile = plan.profile(secret.profile);
        check(profile && profile->kind == ProfileKind::AwsAccessKey);
        check(secretNamesFor(profile->kind).contains(secret.name));
        check(!secret.value.isEmpty());
    }
    check(plan.count(AwsImportItem::Status::Imported) == plan.profiles.size());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    const qsizetype split = input.indexOf('\0');
    const QByteArray configBytes = split < 0 ? input : input.left(split);
    const QByteArray credentialsBytes = split < 0 ? QByteArray() : input.mid(split + 1);

    const AwsIniFile config = parseAwsIni(configBytes, QStringLiteral("config"));
    const AwsIniFile credentials = parseAwsIni(credentialsBytes, QStringLiteral("credentials"));
    // Lines: one more than the line breaks ("\r\n" counts once), as the reader numbers them.
    auto lineCount = [](const QByteArray &bytes) {
        qsizetype n = 1;
        for (qsizetype i = 0; i < bytes.size(); ++i) {
            if (bytes.at(i) == '\n'
                || (bytes.at(i) == '\r' && (i + 1 == bytes.size() || bytes.at(i + 1) != '\n')))
                ++n;
        }
        return n;
    };
    checkFile(config, lineCount(configBytes));
    checkFile(credentials, lineCount(credentialsBytes));

    checkPlan(planAwsImport(config, credentials, Config()), Config());
    const Config existing = existingConfig();
    checkPlan(planAwsImport(config, credentials, existing), existing);
    return 0;
}
