// tokentray-test-authority: runs FakeAuthority until killed; prints its issuer URL on stdout.
// Used by end-to-end tests of the real binaries and by benchmarks.
#include "fakeauthority.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption lifetime("lifetime", "access token lifetime in seconds", "S", "3600");
    const QCommandLineOption interval("interval", "device flow poll interval in seconds", "S", "1");
    const QCommandLineOption autoApprove("auto-approve-after", "approve device codes after N polls",
                                         "N", "-1");
    const QCommandLineOption noRotation("no-rotation", "keep refresh tokens valid after use");
    parser.addOptions({lifetime, interval, autoApprove, noRotation});
    parser.process(app);

    FakeAuthority::Options options;
    options.lifetimeSeconds = parser.value(lifetime).toInt();
    options.deviceIntervalSeconds = parser.value(interval).toDouble();
    options.autoApproveAfterPolls = parser.value(autoApprove).toInt();
    options.rotateRefreshTokens = !parser.isSet(noRotation);
    FakeAuthority authority(options);
    if (!authority.listen())
        return 1;
    QTextStream(stdout) << authority.issuer().toString() << Qt::endl;
    return QCoreApplication::exec();
}
