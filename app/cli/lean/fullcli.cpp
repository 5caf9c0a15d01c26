#include "app/cli/lean/fullcli.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>

#ifndef TOKENTRAY_LIBEXEC_RELATIVE
#define TOKENTRAY_LIBEXEC_RELATIVE "../libexec/tokentray"
#endif

namespace TokenTray::Lean {

namespace {

constexpr const char *kFullName = "tokentray-cli-full";

std::string ownDirectory(const char *argv0)
{
    std::string self(4096, '\0');
    const ssize_t n = ::readlink("/proc/self/exe", self.data(), self.size() - 1);
    if (n > 0)
        self.resize(static_cast<std::size_t>(n));
    else
        self = argv0 ? argv0 : "";
    const std::size_t slash = self.rfind('/');
    if (slash == std::string::npos)
        return ".";
    return slash == 0 ? std::string("/") : self.substr(0, slash);
}

void writeAll(int fd, const std::string &text)
{
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        done += static_cast<std::size_t>(n);
    }
}

} // namespace

void execFullCli(char **argv)
{
    const std::string dir = ownDirectory(argv[0]);
    const std::string candidates[] = {
        dir + '/' + kFullName,
        dir + '/' + TOKENTRAY_LIBEXEC_RELATIVE + '/' + kFullName,
    };
    int error = ENOENT;
    for (const std::string &path : candidates) {
        ::execv(path.c_str(), argv);
        if (errno != ENOENT || error == ENOENT)
            error = errno;
    }
    writeAll(2,
             std::string("tokentray-cli: cannot run ") + kFullName + " (looked in " + dir + " and "
                 + dir + '/' + TOKENTRAY_LIBEXEC_RELATIVE + "): " + std::strerror(error) + '\n');
    std::_Exit(1);
}

} // namespace TokenTray::Lean
