// Unit tests of the tokentray-cli grammar (CommandLine::parse, usage, help).
#include "core/cli/commandline.h"

#include <QTest>

#include <algorithm>

using namespace TokenTray;

namespace {

QStringList words(const char *text)
{
    return QString::fromUtf8(text).split(QLatin1Char(' '), Qt::SkipEmptyParts);
}

// "name=value" per option value, sorted, so a table row can state them in one cell.
QStringList valuesOf(const ParsedCommand &parsed)
{
    QStringList out;
    for (auto it = parsed.values.cbegin(); it != parsed.values.cend(); ++it)
        out << it.key() + QLatin1Char('=') + it.value();
    out.sort();
    return out;
}

QStringList flagsOf(const ParsedCommand &parsed)
{
    QStringList out(parsed.flags.cbegin(), parsed.flags.cend());
    out.sort();
    return out;
}

} // namespace

class TestCommandLine final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void validCommands_data();
    void validCommands();
    void usageErrors_data();
    void usageErrors();
    void helpAndVersionSkipArgumentChecks_data();
    void helpAndVersionSkipArgumentChecks();
    void usageMentionsEveryCommand();
    void helpDescribesEachCommandsOptions_data();
    void helpDescribesEachCommandsOptions();
    void helpOfAGroupListsItsCommands();
    void everyCommandOptionIsDefined();
};

void TestCommandLine::validCommands_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("command");
    QTest::addColumn<QStringList>("positionals");
    QTest::addColumn<QStringList>("values");
    QTest::addColumn<QStringList>("flags");
    QTest::addColumn<QString>("configDir");
    QTest::addColumn<bool>("json");
    QTest::addColumn<bool>("verbose");

    const QStringList none;
    QTest::newRow("two words, no args") << words("profile list") << "profile list" << none << none
                                        << none << QString() << false << false;
    QTest::newRow("one word, no args")
        << words("status") << "status" << none << none << none << QString() << false << false;
    QTest::newRow("one word, required positional")
        << words("switch work") << "switch" << words("work") << none << none << QString() << false
        << false;
    QTest::newRow("one word, optional positional given")
        << words("switch work prod") << "switch" << words("work prod") << none << none << QString()
        << false << false;
    QTest::newRow("three positionals")
        << words("secret set work prod client_secret") << "secret set"
        << words("work prod client_secret") << none << none << QString() << false << false;
    QTest::newRow("--opt value") << words("profile add work --kind oauth2") << "profile add"
                                 << words("work") << QStringList {QStringLiteral("kind=oauth2")}
                                 << none << QString() << false << false;
    QTest::newRow("--opt=value") << words("profile add work --kind=static-token") << "profile add"
                                 << words("work")
                                 << QStringList {QStringLiteral("kind=static-token")} << none
                                 << QString() << false << false;
    QTest::newRow("--opt=value containing '='")
        << words("environment add work dev --token-url=https://h/t?a=b") << "environment add"
        << words("work dev") << QStringList {QStringLiteral("token-url=https://h/t?a=b")} << none
        << QString() << false << false;
    QTest::newRow("--opt= clears (empty value)")
        << words("environment set work dev --scope=") << "environment set" << words("work dev")
        << QStringList {QStringLiteral("scope=")} << none << QString() << false << false;
    QTest::newRow("value with spaces (one argv element)")
        << QStringList {QStringLiteral("environment"), QStringLiteral("set"),
                        QStringLiteral("w"),           QStringLiteral("e"),
                        QStringLiteral("--scope"),     QStringLiteral("read write")}
        << "environment set" << words("w e") << QStringList {QStringLiteral("scope=read write")}
        << none << QString() << false << false;
    QTest::newRow("value beginning with a dash is taken as the value")
        << words("environment set w e --external-id -v") << "environment set" << words("w e")
        << QStringList {QStringLiteral("external-id=-v")} << none << QString() << false << false;
    QTest::newRow("options before positionals")
        << words("profile add --grant device_code --kind oauth2 work") << "profile add"
        << words("work")
        << QStringList {QStringLiteral("grant=device_code"), QStringLiteral("kind=oauth2")} << none
        << QString() << false << false;
    QTest::newRow("flag") << words("environment add w prod --protected --client-id c")
                          << "environment add" << words("w prod")
                          << QStringList {QStringLiteral("client-id=c")}
                          << QStringList {QStringLiteral("protected")} << QString() << false
                          << false;
    QTest::newRow("--unprotected allowed for environment set")
        << words("environment set w prod --unprotected") << "environment set" << words("w prod")
        << none << QStringList {QStringLiteral("unprotected")} << QString() << false << false;
    QTest::newRow("globals first")
        << words("--config-dir /tmp/c --json -v profile list") << "profile list" << none << none
        << none << "/tmp/c" << true << true;
    QTest::newRow("globals last") << words("profile list --config-dir=/tmp/c --json --verbose")
                                  << "profile list" << none << none << none << "/tmp/c" << true
                                  << true;
    QTest::newRow("globals between the command's words")
        << words("profile --json show -v work --config-dir /d") << "profile show" << words("work")
        << none << none << "/d" << true << true;
    QTest::newRow("-v only") << words("status -v") << "status" << none << none << none << QString()
                             << false << true;
    QTest::newRow("-- with nothing after it")
        << words("status --") << "status" << none << none << none << QString() << false << false;
    QTest::newRow("help with topic") << words("help profile") << "help" << words("profile") << none
                                     << none << QString() << false << false;
    QTest::newRow("help with a two-word topic")
        << words("help secret set") << "help" << words("secret set") << none << none << QString()
        << false << false;
    QTest::newRow("version") << words("version") << "version" << none << none << none << QString()
                             << false << false;
}

void TestCommandLine::validCommands()
{
    QFETCH(QStringList, args);
    QFETCH(QString, command);
    QFETCH(QStringList, positionals);
    QFETCH(QStringList, values);
    QFETCH(QStringList, flags);
    QFETCH(QString, configDir);
    QFETCH(bool, json);
    QFETCH(bool, verbose);

    const auto parsed = CommandLine::parse(args);
    QVERIFY2(parsed.has_value(), qPrintable(parsed ? QString() : parsed.error().detail));
    QCOMPARE(parsed->command, command);
    QCOMPARE(parsed->positionals, positionals);
    QCOMPARE(valuesOf(*parsed), values);
    QCOMPARE(flagsOf(*parsed), flags);
    QCOMPARE(parsed->configDir, configDir);
    QCOMPARE(parsed->json, json);
    QCOMPARE(parsed->verbose, verbose);
    QVERIFY(parsed->trailing.isEmpty());
    QVERIFY(!parsed->help);
    QVERIFY(!parsed->version);
    for (const QString &v : std::as_const(values))
        QVERIFY(parsed->has(v.section(QLatin1Char('='), 0, 0)));
    for (const QString &f : std::as_const(flags))
        QVERIFY(parsed->has(f));
    QVERIFY(!parsed->has(QStringLiteral("audience")));
}

void TestCommandLine::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("phrase");

    QTest::newRow("nothing") << QStringList() << "no command given";
    QTest::newRow("only globals") << words("--json -v") << "no command given";
    QTest::newRow("command only after --") << words("-- status") << "no command given";
    QTest::newRow("unknown command") << words("frobnicate") << "unknown command \"frobnicate\"";
    QTest::newRow("unknown subcommand")
        << words("profile frobnicate") << "unknown command \"profile frobnicate\"";
    QTest::newRow("group without subcommand") << words("profile") << "unknown command \"profile\"";
    QTest::newRow("unknown option")
        << words("profile list --frobnicate") << "unknown option --frobnicate";
    QTest::newRow("unknown option with value")
        << words("status --colour=always") << "unknown option --colour";
    QTest::newRow("unknown short option") << words("status -x") << "unknown option -x";
    QTest::newRow("option not for the command")
        << words("profile add work --kind oauth2 --token-url https://h/t")
        << "profile add does not take --token-url";
    QTest::newRow("flag not for the command") << words("environment add w e --unprotected")
                                              << "environment add does not take --unprotected";
    QTest::newRow("option for no-option command")
        << words("status --kind oauth2") << "status does not take --kind";
    QTest::newRow("missing value at end")
        << words("profile add work --kind") << "option --kind needs a value";
    QTest::newRow("missing --config-dir value")
        << words("status --config-dir") << "option --config-dir needs a value";
    QTest::newRow("empty --config-dir")
        << words("status --config-dir=") << "--config-dir needs a directory";
    QTest::newRow("value given to a flag")
        << words("environment add w e --protected=yes") << "option --protected takes no value";
    QTest::newRow("too few positionals (none)")
        << words("profile show") << "profile show: missing NAME";
    QTest::newRow("too few positionals (some)")
        << words("secret set work prod") << "secret set: missing NAME";
    QTest::newRow("too few positionals (several)")
        << words("environment remove") << "environment remove: missing PROFILE ENV";
    QTest::newRow("too many positionals")
        << words("profile list extra") << "profile list: unexpected argument \"extra\"";
    QTest::newRow("too many after optional")
        << words("switch work prod more") << "switch: unexpected argument \"more\"";
    QTest::newRow("option given twice")
        << words("profile add work --kind oauth2 --kind static-token")
        << "option --kind given twice";
    QTest::newRow("option given twice, mixed spellings")
        << words("profile add work --kind=oauth2 --kind oauth2") << "option --kind given twice";
    QTest::newRow("flag given twice")
        << words("environment add w e --protected --protected") << "option --protected given twice";
    QTest::newRow("-- args to a command without trailing args")
        << words("status -- echo hi") << "status takes no arguments after --";
    QTest::newRow("-- args to a two-word command")
        << words("profile list -- x") << "profile list takes no arguments after --";
}

void TestCommandLine::usageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, phrase);

    const auto parsed = CommandLine::parse(args);
    QVERIFY2(!parsed.has_value(),
             qPrintable(QStringLiteral("accepted: ") + args.join(QLatin1Char(' '))));
    QCOMPARE(parsed.error().code, ErrorCode::Usage);
    QVERIFY2(parsed.error().detail.contains(phrase),
             qPrintable(QStringLiteral("message: ") + parsed.error().detail));
}

void TestCommandLine::helpAndVersionSkipArgumentChecks_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("command");
    QTest::addColumn<bool>("help");
    QTest::addColumn<bool>("version");

    QTest::newRow("--help alone") << words("--help") << QString() << true << false;
    QTest::newRow("-h alone") << words("-h") << QString() << true << false;
    QTest::newRow("--version alone") << words("--version") << QString() << false << true;
    QTest::newRow("command --help, positionals missing")
        << words("secret set --help") << "secret set" << true << false;
    QTest::newRow("group --help") << words("profile --help") << "profile" << true << false;
    QTest::newRow("-h after an incomplete command")
        << words("environment add -h") << "environment add" << true << false;
}

void TestCommandLine::helpAndVersionSkipArgumentChecks()
{
    QFETCH(QStringList, args);
    QFETCH(QString, command);
    QFETCH(bool, help);
    QFETCH(bool, version);

    const auto parsed = CommandLine::parse(args);
    QVERIFY2(parsed.has_value(), qPrintable(parsed ? QString() : parsed.error().detail));
    QCOMPARE(parsed->command, command);
    QCOMPARE(parsed->help, help);
    QCOMPARE(parsed->version, version);
}

void TestCommandLine::usageMentionsEveryCommand()
{
    const QString text = CommandLine::usage();
    QVERIFY(!CommandLine::commands().isEmpty());
    for (const CommandSpec &c : CommandLine::commands()) {
        QVERIFY2(text.contains(QStringLiteral("  ") + c.name), qPrintable(c.name));
        QVERIFY2(text.contains(c.summary), qPrintable(c.summary));
    }
    // The documented spellings of DESIGN §8 that exist today.
    for (const char *name :
         {"profile list", "profile show", "profile add", "profile remove", "environment add",
          "environment set", "environment remove", "secret set", "secret delete", "switch",
          "status", "help", "version"}) {
        QVERIFY2(CommandLine::command(QString::fromLatin1(name)), name);
        QVERIFY2(text.contains(QString::fromLatin1(name)), name);
    }
    for (const char *global : {"--config-dir", "--json", "-v", "Exit codes"})
        QVERIFY2(text.contains(QString::fromLatin1(global)), global);
}

void TestCommandLine::helpDescribesEachCommandsOptions_data()
{
    QTest::addColumn<QString>("command");
    for (const CommandSpec &c : CommandLine::commands())
        QTest::newRow(qPrintable(c.name)) << c.name;
}

void TestCommandLine::helpDescribesEachCommandsOptions()
{
    QFETCH(QString, command);
    const CommandSpec *spec = CommandLine::command(command);
    QVERIFY(spec);
    const QString text = CommandLine::help(command);
    QVERIFY2(text.startsWith(QStringLiteral("tokentray-cli ") + command), qPrintable(text));
    QVERIFY(text.contains(spec->summary));
    for (const QString &positional : spec->required)
        QVERIFY2(text.contains(positional), qPrintable(positional));
    for (const QString &name : spec->options) {
        const OptionSpec *o = CommandLine::option(name);
        QVERIFY2(o, qPrintable(name));
        QVERIFY2(text.contains(QStringLiteral("--") + name), qPrintable(name));
        QVERIFY2(text.contains(o->help), qPrintable(o->help));
    }
}

void TestCommandLine::helpOfAGroupListsItsCommands()
{
    const QString text = CommandLine::help(QStringLiteral("environment"));
    QVERIFY(text.contains(QStringLiteral("tokentray-cli environment add")));
    QVERIFY(text.contains(QStringLiteral("tokentray-cli environment set")));
    QVERIFY(text.contains(QStringLiteral("tokentray-cli environment remove")));
    QVERIFY(!text.contains(QStringLiteral("tokentray-cli profile")));
    // An unknown topic falls back to the whole usage rather than printing nothing.
    QCOMPARE(CommandLine::help(QStringLiteral("frobnicate")), CommandLine::usage());
}

void TestCommandLine::everyCommandOptionIsDefined()
{
    QStringList names;
    for (const OptionSpec &o : CommandLine::options()) {
        QVERIFY2(!names.contains(o.name), qPrintable(QStringLiteral("defined twice: ") + o.name));
        names << o.name;
        QVERIFY2(!o.help.isEmpty(), qPrintable(o.name));
    }
    for (const CommandSpec &c : CommandLine::commands()) {
        for (const QString &name : c.options)
            QVERIFY2(names.contains(name), qPrintable(c.name + QStringLiteral(": --") + name));
    }
}

QTEST_GUILESS_MAIN(TestCommandLine)
#include "tst_commandline.moc"
