// tokentray-test-sts: runs the fake STS (tests/support/fakests) on 127.0.0.1 until killed and
// prints its URL on stdout's first line, for tests that drive the CLI, awscli or boto3 in another
// process. Faults can be queued and counters read over HTTP: GET /_demo/fault?kind=throttling
// (throttling, server-error, malformed, slow, access-denied, expired-token; delay_ms,
// retry_after) and GET /_demo/stats.
#include "fakests.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>

using TokenTray::FakeSts;

namespace {

// ARN[,mfa-serial=SERIAL,mfa-code=CODE][,external-id=ID][,max-duration=SECONDS]
std::optional<FakeSts::Role> parseRole(const QString &spec)
{
    const QStringList parts = spec.split(',');
    FakeSts::Role role;
    role.arn = parts.value(0);
    if (!role.arn.startsWith("arn:"))
        return std::nullopt;
    for (const QString &part : parts.mid(1)) {
        const QString key = part.section('=', 0, 0);
        const QString value = part.section('=', 1);
        if (key == "mfa-serial")
            role.mfaSerial = value;
        else if (key == "mfa-code")
            role.mfaCode = value;
        else if (key == "external-id")
            role.externalId = value;
        else if (key == "max-duration")
            role.maxSessionSeconds = value.toInt();
        else
            return std::nullopt;
    }
    return role;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription("A fake AWS STS on 127.0.0.1 for tests.");
    parser.addHelpOption();
    const QCommandLineOption key("key", "a long-term key STS accepts: ID:SECRET[:USER_ARN]",
                                 "ID:SECRET");
    const QCommandLineOption role(
        "role",
        "a role that may be assumed: "
        "ARN[,mfa-serial=S,mfa-code=C][,external-id=X][,max-duration=SECONDS]",
        "SPEC");
    const QCommandLineOption anyRole("any-role", "assume any role ARN (no MFA, no external id)");
    const QCommandLineOption region("region", "accept only this signing region", "REGION");
    const QCommandLineOption account("account", "the account id of users and roles", "ID",
                                     "123456789012");
    const QCommandLineOption forcedDuration(
        "forced-duration", "issued credentials last this many seconds, whatever is asked", "S",
        "0");
    const QCommandLineOption maxSkew("max-skew", "accepted clock skew in seconds", "S", "300");
    parser.addOptions({key, role, anyRole, region, account, forcedDuration, maxSkew});
    parser.process(app);

    FakeSts::Options options;
    options.accountId = parser.value(account);
    options.region = parser.value(region);
    options.forcedDurationSeconds = parser.value(forcedDuration).toInt();
    options.maxSkewSeconds = parser.value(maxSkew).toInt();
    options.acceptAnyRole = parser.isSet(anyRole);
    FakeSts sts(options);
    QTextStream err(stderr);
    for (const QString &spec : parser.values(key)) {
        const QStringList parts = spec.split(':');
        if (parts.size() < 2 || parts.at(0).isEmpty() || parts.at(1).isEmpty()) {
            err << "tokentray-test-sts: --key wants ID:SECRET[:USER_ARN]" << Qt::endl;
            return 2;
        }
        sts.addAccessKey(parts.at(0), parts.at(1), QStringList(parts.mid(2)).join(':'));
    }
    for (const QString &spec : parser.values(role)) {
        const auto parsed = parseRole(spec);
        if (!parsed) {
            err << "tokentray-test-sts: cannot read --role " << spec << Qt::endl;
            return 2;
        }
        sts.addRole(*parsed);
    }
    if (!sts.listen())
        return 1;
    QTextStream(stdout) << sts.url().toString() << Qt::endl;
    return QCoreApplication::exec();
}
