// The command table (core/cli/commandline) against the lists that must agree with it: Cli's
// handlers, the lean front's forward list (app/cli/lean/leanargs.cpp) and the agent's.
#include "app/cli/lean/leanargs.h"
#include "core/agent/agentservice.h"
#include "core/cli/cli.h"
#include "core/cli/commandline.h"

#include <QTest>

#include <map>
#include <set>
#include <string>
#include <vector>

using namespace TokenTray;

namespace {

QString fromView(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

QString firstWord(const QString &commandName)
{
    return commandName.section(QLatin1Char(' '), 0, 0);
}

// First word of each servedByAgent row -> the options those rows accept.
std::map<QString, std::set<QString>> servedByTable()
{
    std::map<QString, std::set<QString>> served;
    for (const CommandSpec &c : CommandLine::commands()) {
        if (!c.servedByAgent())
            continue;
        std::set<QString> &options = served[firstWord(c.name)];
        for (const QString &o : c.options)
            options.insert(o);
    }
    return served;
}

std::map<QString, std::set<QString>> forwardedByLean()
{
    std::map<QString, std::set<QString>> forwarded;
    for (const Lean::ForwardableCommand &c : Lean::forwardableCommands()) {
        std::set<QString> &options = forwarded[fromView(c.name)];
        for (const std::string_view o : c.options) {
            if (!o.empty())
                options.insert(fromView(o));
        }
    }
    return forwarded;
}

Lean::Invocation leanParse(const QStringList &args)
{
    std::vector<std::string> storage;
    for (const QString &a : args)
        storage.push_back(a.toStdString());
    std::vector<const char *> argv;
    for (const std::string &s : storage)
        argv.push_back(s.c_str());
    return Lean::parseArguments(static_cast<int>(argv.size()), argv.data());
}

} // namespace

class TestCommandTable final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyCommandHasAHandler();
    void unknownCommandsHaveNoHandler();
    void leanForwardListMatchesTable();
    void leanOptionsTakeValues();
    void leanForwardsEveryServedRow();
    void leanKeepsLocalCommands();
    void agentServesExactlyTheServedRows();
    void forwardedRowsAreTheEngineCommands();
};

void TestCommandTable::everyCommandHasAHandler()
{
    for (const CommandSpec &c : CommandLine::commands())
        QVERIFY2(Cli::implements(c.name), qPrintable(c.name));
}

void TestCommandTable::unknownCommandsHaveNoHandler()
{
    QVERIFY(!Cli::implements(QStringLiteral("profile")));
    QVERIFY(!Cli::implements(QStringLiteral("frobnicate")));
    QVERIFY(!Cli::implements(QString()));
}

void TestCommandTable::leanForwardListMatchesTable()
{
    const auto lean = forwardedByLean();
    const auto table = servedByTable();
    QCOMPARE(lean.size(), Lean::forwardableCommands().size()); // no name twice
    for (const auto &[name, options] : table) {
        const auto it = lean.find(name);
        QVERIFY2(it != lean.end(),
                 qPrintable(name + QStringLiteral(" is served but not forwarded")));
        QVERIFY2(it->second == options, qPrintable(name + QStringLiteral(": options differ")));
    }
    for (const auto &[name, options] : lean)
        QVERIFY2(table.contains(name),
                 qPrintable(name + QStringLiteral(" is forwarded but not served")));
}

void TestCommandTable::leanOptionsTakeValues()
{
    // The lean front skips an option's value without knowing flags.
    for (const auto &[name, options] : forwardedByLean()) {
        for (const QString &o : options) {
            const OptionSpec *spec = CommandLine::option(o);
            QVERIFY2(spec, qPrintable(o));
            QVERIFY2(spec->takesValue(), qPrintable(o));
        }
    }
}

void TestCommandTable::leanForwardsEveryServedRow()
{
    for (const CommandSpec &c : CommandLine::commands()) {
        if (!c.servedByAgent())
            continue;
        QStringList args = c.name.split(QLatin1Char(' '));
        args << c.required;
        const Lean::Invocation invocation = leanParse(args);
        QVERIFY2(invocation.forward, qPrintable(c.name));
        QCOMPARE(QString::fromStdString(invocation.command), firstWord(c.name));
        for (const QString &o : c.options) {
            const Lean::Invocation withOption
                = leanParse(args + QStringList {QStringLiteral("--") + o, QStringLiteral("x")});
            QVERIFY2(withOption.forward, qPrintable(c.name + QStringLiteral(" --") + o));
        }
    }
}

void TestCommandTable::leanKeepsLocalCommands()
{
    const auto lean = forwardedByLean();
    for (const CommandSpec &c : CommandLine::commands()) {
        if (c.servedByAgent() || lean.contains(firstWord(c.name)))
            continue; // "profile add" shares its first word with served rows: the agent declines it
        QStringList args = c.name.split(QLatin1Char(' '));
        args << c.required;
        QVERIFY2(!leanParse(args).forward, qPrintable(c.name));
    }
}

void TestCommandTable::agentServesExactlyTheServedRows()
{
    QStringList service = AgentService::servedCommands();
    QStringList table;
    for (const CommandSpec &c : CommandLine::commands()) {
        if (c.servedByAgent())
            table << c.name;
    }
    service.sort();
    table.sort();
    QCOMPARE(service, table);
    QCOMPARE(service,
             (QStringList {QStringLiteral("credential-process"), QStringLiteral("export"),
                           QStringLiteral("logout"), QStringLiteral("profile list"),
                           QStringLiteral("profile show"), QStringLiteral("status"),
                           QStringLiteral("switch"), QStringLiteral("token"),
                           QStringLiteral("verify")}));
}

void TestCommandTable::forwardedRowsAreTheEngineCommands()
{
    // The full CLI hands these to a running agent itself (Cli::forwardToAgent).
    QStringList forwarded;
    for (const CommandSpec &c : CommandLine::commands()) {
        if (c.agent == AgentRole::Forwarded)
            forwarded << c.name;
    }
    forwarded.sort();
    QCOMPARE(forwarded,
             (QStringList {QStringLiteral("credential-process"), QStringLiteral("export"),
                           QStringLiteral("logout"), QStringLiteral("token"),
                           QStringLiteral("verify")}));
}

QTEST_GUILESS_MAIN(TestCommandTable)
#include "tst_commandtable.moc"
