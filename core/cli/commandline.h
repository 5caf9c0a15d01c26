#pragma once

#include "core/util/result.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

namespace TokenTray {

// The tokentray-cli grammar: `[global options] COMMAND [SUBCOMMAND] ARGS [options] [-- ARGS]`.
// Every command is described once in a table; parsing, validation of option names and the
// help text all come from it.
struct OptionSpec
{
    QString name; // without the leading "--"
    QString valueName; // empty for a flag
    QString help;
    [[nodiscard]] bool takesValue() const { return !valueName.isEmpty(); }
};

// Who runs a command while an agent (the tray or `tokentray --no-tray`) is up.
enum class AgentRole {
    Local, // always this process
    Served, // the agent runs it when the lean front sends it; the full CLI runs it itself
    Forwarded, // uses the token engine: even the full CLI hands it to a running agent
};

struct CommandSpec
{
    QString name; // "profile add"
    QStringList required; // positional argument names
    QStringList optional;
    QStringList options; // names of OptionSpec this command accepts
    QString summary;
    bool trailing = false; // accepts "-- ARGS..."
    AgentRole agent = AgentRole::Local;
    // The lean front (app/cli/lean/leanargs.cpp) and the agent service forward exactly these;
    // tst_commandtable compares the lean list with this table.
    [[nodiscard]] bool servedByAgent() const { return agent != AgentRole::Local; }
};

struct ParsedCommand
{
    QString command; // "profile add"; empty with --help/--version alone
    QStringList positionals;
    QHash<QString, QString> values;
    QSet<QString> flags;
    QStringList trailing;
    // global
    QString configDir;
    bool json = false;
    bool verbose = false;
    bool help = false;
    bool version = false;

    [[nodiscard]] bool has(const QString &option) const
    {
        return flags.contains(option) || values.contains(option);
    }
    [[nodiscard]] QString value(const QString &option) const { return values.value(option); }
};

namespace CommandLine {

const QList<CommandSpec> &commands();
const QList<OptionSpec> &options();
const OptionSpec *option(const QString &name);
const CommandSpec *command(const QString &name);
QStringList servedByAgent(); // the names of the commands a running agent runs for a client

Result<ParsedCommand> parse(const QStringList &arguments);

QString usage(); // the whole command list
QString help(const QString &commandName); // one command with its options

} // namespace CommandLine
} // namespace TokenTray
