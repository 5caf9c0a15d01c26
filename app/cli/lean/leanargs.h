#pragma once

// tokentray-cli's front (no Qt): just enough of the command line grammar (core/cli/commandline)
// to find the config dir and the command, and to tell whether the agent may run it.

#include <array>
#include <span>
#include <string>
#include <string_view>

namespace TokenTray::Lean {

struct Invocation
{
    bool forward = false; // a command the agent runs; false: exec the full CLI
    std::string command;
    const char *configDir = nullptr; // --config-dir's value (the last one), if given
};

// `arguments` without the program name. Anything it does not fully understand (an unknown
// option, --help, "--", a command not in the table) means "not forwardable": the full CLI
// then parses it and reports any usage error itself.
Invocation parseArguments(int argc, const char *const *argv);

// The commands sent to a running agent, with the options each accepts (all take a value).
bool isForwardable(std::string_view command);

struct ForwardableCommand
{
    std::string_view name;
    std::array<std::string_view, 3> options; // value options it accepts ("" = unused slot)
};

// The whole list; tst_commandtable compares it with the servedByAgent rows of the command table.
std::span<const ForwardableCommand> forwardableCommands();

} // namespace TokenTray::Lean
