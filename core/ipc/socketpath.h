#pragma once

// Where the agent's socket lives, in std C++ and POSIX only: the Qt agent (core/ipc/agentserver)
// and the Qt-free tokentray-cli front (app/cli/lean) must compute the same path from the same
// inputs. Each function mirrors the Qt 6 code it stands in for; tests/core/tst_socketpath
// compares them with Qt for many inputs.

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <pwd.h>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace TokenTray {

inline std::uint64_t fnv1a64(std::string_view bytes)
{
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (const char c : bytes) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

// QDir::cleanPath() on Unix: "//" and "/./" collapse, "a/.." goes, a trailing "/" goes. A ".."
// with nothing left to remove stays, even after the root ("/.." stays "/..", as in Qt 6.4).
inline std::string cleanPath(const std::string &path)
{
    if (path.empty())
        return path;
    const bool absolute = path.front() == '/';
    std::vector<std::string_view> parts;
    const std::string_view view(path);
    std::size_t start = 0;
    while (start <= view.size()) {
        std::size_t end = view.find('/', start);
        if (end == std::string_view::npos)
            end = view.size();
        const std::string_view part = view.substr(start, end - start);
        if (part == "..") {
            if (!parts.empty() && parts.back() != "..")
                parts.pop_back();
            else
                parts.push_back(part);
        } else if (!part.empty() && part != ".") {
            parts.push_back(part);
        }
        start = end + 1;
    }
    std::string out;
    for (const std::string_view part : parts) {
        if (!out.empty() || absolute)
            out += '/';
        out += part;
    }
    if (out.empty())
        return absolute ? std::string("/") : std::string(".");
    return out;
}

inline std::string currentDirectory()
{
    std::string buffer(256, '\0');
    for (;;) {
        if (::getcwd(buffer.data(), buffer.size())) {
            buffer.resize(std::char_traits<char>::length(buffer.data()));
            return buffer;
        }
        if (errno != ERANGE || buffer.size() > (1U << 20))
            return {};
        buffer.resize(buffer.size() * 2);
    }
}

// QDir::cleanPath(QDir(path).absolutePath()) with `cwd` as the current directory.
inline std::string cleanAbsolutePath(const std::string &path, const std::string &cwd)
{
    if (!path.empty() && path.front() == '/')
        return cleanPath(path);
    if (path.empty())
        return cleanPath(cwd);
    return cleanPath(cwd + '/' + path);
}

// <runtimeDir>/tokentray/agent-<FNV-1a 64 of the config dir, 16 hex digits>. Empty when there
// is no usable (absolute) runtime directory: then there is no agent to talk to.
inline std::string agentSocketPath(const std::string &absoluteCleanConfigDir,
                                   const std::string &runtimeDir)
{
    if (runtimeDir.empty() || runtimeDir.front() != '/')
        return {};
    std::string base = runtimeDir;
    while (base.size() > 1 && base.back() == '/')
        base.pop_back();
    if (base != "/")
        base += '/';
    static constexpr char kHex[] = "0123456789abcdef";
    std::uint64_t hash = fnv1a64(absoluteCleanConfigDir);
    std::string hex(16, '0');
    for (int i = 15; i >= 0; --i) {
        hex[static_cast<std::size_t>(i)] = kHex[hash & 0xfU];
        hash >>= 4;
    }
    return base + "tokentray/agent-" + hex;
}

inline std::string environmentValue(const char *name)
{
    const char *value = std::getenv(name);
    return value ? std::string(value) : std::string();
}

// ProfileStore::resolveConfigDir(), made absolute and clean: the option, else
// $TOKENTRAY_CONFIG_DIR, else QStandardPaths::GenericConfigLocation ($XDG_CONFIG_HOME, else
// $HOME/.config, HOME "" meaning "/") + "/tokentray".
inline std::string resolveConfigDir(const char *optionValue)
{
    const std::string cwd = currentDirectory();
    if (optionValue && *optionValue)
        return cleanAbsolutePath(optionValue, cwd);
    const std::string fromEnv = environmentValue("TOKENTRAY_CONFIG_DIR");
    if (!fromEnv.empty())
        return cleanAbsolutePath(fromEnv, cwd);
    std::string base = environmentValue("XDG_CONFIG_HOME");
    if (base.empty()) {
        const std::string home = environmentValue("HOME");
        base = (home.empty() ? std::string("/") : cleanPath(home)) + "/.config";
    }
    return cleanAbsolutePath(base + "/tokentray", cwd);
}

// Qt 6.4's checkXdgRuntimeDir(): a directory it could create (mkdir 0700) is accepted as is;
// an existing one only if it is a real directory (not a symlink), ours, with rwx------ exactly
// (special bits ignored). Qt 6.4 does not repair a wider mode; it falls back.
inline bool isUsableRuntimeDir(const std::string &dir)
{
    if (::mkdir(dir.c_str(), 0700) == 0)
        return true;
    if (errno != EEXIST)
        return false;
    struct stat st
    {
    };
    return ::lstat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == ::geteuid()
        && (st.st_mode & 0777) == 0700;
}

// QStandardPaths::writableLocation(RuntimeLocation) in Qt 6.4 on Unix: $XDG_RUNTIME_DIR if
// usable, else <QDir::tempPath()>/runtime-<user name> if usable, else "".
inline std::string runtimeDirectory()
{
    std::string xdg = environmentValue("XDG_RUNTIME_DIR");
    if (!xdg.empty() && isUsableRuntimeDir(xdg))
        return xdg;
    // QDir::tempPath(): $TMPDIR (else /tmp), cleaned, then canonical ("" if it does not exist).
    std::string temp = environmentValue("TMPDIR");
    if (temp.empty())
        temp = "/tmp";
    std::string canonical;
    if (char *resolved = ::realpath(cleanPath(temp).c_str(), nullptr)) {
        canonical = resolved;
        std::free(resolved);
    }
    std::string user;
    long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    std::string buffer(size > 0 ? static_cast<std::size_t>(size) : 1024U, '\0');
    struct passwd entry
    {
    };
    struct passwd *found = nullptr;
    if (::getpwuid_r(::geteuid(), &entry, buffer.data(), buffer.size(), &found) == 0 && found)
        user = found->pw_name;
    const std::string fallback = canonical + "/runtime-" + user;
    return isUsableRuntimeDir(fallback) ? fallback : std::string();
}

} // namespace TokenTray
