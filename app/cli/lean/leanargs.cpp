#include "app/cli/lean/leanargs.h"

#include <array>
#include <vector>

namespace TokenTray::Lean {

namespace {

// The one list of what the agent runs: the servedByAgent rows of core/cli/commandline.cpp's
// table with their value options (tst_commandtable checks that both agree).
// "profile" covers list and show; the agent answers "unsupported" for the other subcommands and
// the full CLI runs them.
constexpr std::array<ForwardableCommand, 8> kForwardable = {{
    {"token", {"env", "min-valid", ""}},
    {"credential-process", {"env", "mfa-code", ""}},
    {"status", {"", "", ""}},
    {"switch", {"", "", ""}},
    {"export", {"env", "format", "mfa-code"}},
    {"verify", {"env", "mfa-code", ""}},
    {"logout", {"env", "", ""}},
    {"profile", {"", "", ""}},
}};

const ForwardableCommand *find(std::string_view name)
{
    for (const ForwardableCommand &command : kForwardable) {
        if (command.name == name)
            return &command;
    }
    return nullptr;
}

bool accepts(const ForwardableCommand &command, std::string_view option)
{
    for (const std::string_view known : command.options) {
        if (!known.empty() && known == option)
            return true;
    }
    return false;
}

// Every value option any forwardable command accepts.
bool isKnownValueOption(std::string_view option)
{
    for (const ForwardableCommand &command : kForwardable) {
        if (accepts(command, option))
            return true;
    }
    return false;
}

} // namespace

std::span<const ForwardableCommand> forwardableCommands()
{
    return kForwardable;
}

bool isForwardable(std::string_view command)
{
    return find(command) != nullptr;
}

Invocation parseArguments(int argc, const char *const *argv)
{
    Invocation result;
    std::vector<std::string_view> words;
    std::vector<std::string_view> options;
    for (int i = 0; i < argc; ++i) {
        const std::string_view arg(argv[i]);
        if (arg == "-v" || arg == "--verbose" || arg == "--json")
            continue;
        if (arg == "--" || arg == "-h" || arg == "--help" || arg == "--version")
            return {};
        if (arg.substr(0, 2) == "--") {
            std::string_view name = arg.substr(2);
            const std::size_t eq = name.find('=');
            const bool inlineValue = eq != std::string_view::npos;
            const char *value = nullptr;
            if (inlineValue) {
                value = argv[i] + 2 + eq + 1;
                name = name.substr(0, eq);
            }
            if (name != "config-dir" && !isKnownValueOption(name))
                return {};
            if (!inlineValue) {
                if (i + 1 >= argc)
                    return {};
                value = argv[++i];
            }
            if (name == "config-dir") {
                if (!*value)
                    return {};
                result.configDir = value;
            } else {
                options.push_back(name);
            }
            continue;
        }
        if (arg.size() > 1 && arg.front() == '-')
            return {};
        words.push_back(arg);
    }
    if (words.empty())
        return {};
    const ForwardableCommand *command = find(words.front());
    if (!command)
        return {};
    for (const std::string_view option : options) {
        if (!accepts(*command, option))
            return {};
    }
    result.forward = true;
    result.command = std::string(words.front());
    return result;
}

} // namespace TokenTray::Lean
