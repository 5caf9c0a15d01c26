// tokentray-cli: the front the shell starts. Qt-free and statically linked against libstdc++,
// so with the tray running `tokentray-cli token` costs about a bare process start: it forwards
// the command to the agent over its local socket and prints the answer. Everything else, or no
// agent, replaces this process with the Qt tokentray-cli-full (same arguments).
#include "app/cli/lean/agentconnection.h"
#include "app/cli/lean/fullcli.h"
#include "app/cli/lean/leanargs.h"
#include "app/cli/lean/leanjson.h"
#include "core/ipc/socketpath.h"
#include "core/util/processhardening.h"

#include <cerrno>
#include <cstdlib>
#include <string>
#include <unistd.h>

using namespace TokenTray;
using namespace TokenTray::Lean;

namespace {

constexpr int kReplyTimeoutMs = 120 * 1000;

void writeAll(int fd, const std::string &bytes)
{
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        done += static_cast<std::size_t>(n);
    }
}

int failWith(const char *sentence)
{
    writeAll(2, std::string("tokentray-cli: ") + sentence + '\n');
    return 1;
}

bool agentDisabled()
{
    const char *value = std::getenv("TOKENTRAY_NO_AGENT");
    return value && *value && std::string(value) != "0";
}

// {"v":1,"op":"cli","args":[...],"stdinTty":b,"stdoutTty":b,"cwd":"...","configDir":"..."}
// cwd and configDir: the agent must resolve relative paths and the config dir as this process
// would, not with its own working directory and environment. Empty if not valid UTF-8.
std::string cliRequest(int argc, char **argv, const std::string &cwd, const std::string &configDir)
{
    std::string json = R"({"v":1,"op":"cli","args":[)";
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg(argv[i]);
        if (!isValidUtf8(arg))
            return {};
        if (i > 1)
            json += ',';
        appendJsonString(json, arg);
    }
    if (!isValidUtf8(cwd) || !isValidUtf8(configDir))
        return {};
    json += R"(],"stdinTty":)";
    json += ::isatty(0) ? "true" : "false";
    json += R"(,"stdoutTty":)";
    json += ::isatty(1) ? "true" : "false";
    json += R"(,"cwd":)";
    appendJsonString(json, cwd);
    json += R"(,"configDir":)";
    appendJsonString(json, configDir);
    json += '}';
    return json;
}

} // namespace

int main(int argc, char **argv)
{
    hardenProcess(); // the token it prints passes through this process's memory
    if (agentDisabled())
        execFullCli(argv);
    const Invocation invocation = parseArguments(argc - 1, argv + 1);
    if (!invocation.forward)
        execFullCli(argv);

    const std::string cwd = currentDirectory();
    const std::string configDir = resolveConfigDir(invocation.configDir);
    const std::string socketPath = agentSocketPath(configDir, runtimeDirectory());
    if (cwd.empty() || socketPath.empty())
        execFullCli(argv);
    const std::string request = cliRequest(argc, argv, cwd, configDir);
    if (request.empty() || request.size() > kMaxRequestSize)
        execFullCli(argv);

    const int fd = connectToAgent(socketPath);
    if (fd < 0)
        execFullCli(argv);
    // Until the agent has the whole request it cannot have run anything: falling back is safe.
    if (!sendFrame(fd, request)) {
        ::close(fd);
        execFullCli(argv);
    }
    std::string body;
    const ReadStatus status = readFrame(fd, body, kReplyTimeoutMs);
    ::close(fd);
    // From here the command may have run: never fall back to running it a second time.
    switch (status) {
    case ReadStatus::Ok:
        break;
    case ReadStatus::NotRead:
        // The agent dropped it unread (going away, or an older agent at its connection cap):
        // running it here is its only run.
        execFullCli(argv);
    case ReadStatus::Closed:
        return failWith("the connection to the TokenTray agent broke before it answered; the "
                        "command may or may not have run.");
    case ReadStatus::TimedOut:
        return failWith("the TokenTray agent did not answer within 120 seconds; the command may "
                        "or may not have run.");
    case ReadStatus::Malformed:
        return failWith("the TokenTray agent sent a reply this tokentray-cli cannot read.");
    }
    AgentReply reply;
    if (!parseAgentReply(body, reply) || reply.version != 1)
        return failWith("the TokenTray agent sent a reply this tokentray-cli cannot read.");
    if (!reply.ok) {
        if (reply.errorCode == "unsupported")
            execFullCli(argv);
        const std::string detail
            = reply.errorMessage.empty() ? reply.errorCode : reply.errorMessage;
        writeAll(2,
                 "tokentray-cli: the TokenTray agent could not run the command: " + detail + '\n');
        return 1;
    }
    writeAll(2, reply.err);
    writeAll(1, reply.out);
    if (reply.exitCode < 0 || reply.exitCode > 255)
        return 1;
    return static_cast<int>(reply.exitCode);
}
