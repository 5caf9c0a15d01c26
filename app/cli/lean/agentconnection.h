#pragma once

// tokentray-cli's front talking to the agent: POSIX local sockets, the frame format of
// core/ipc/frame.h (4-byte big-endian length, then JSON).

#include <string>
#include <string_view>

namespace TokenTray::Lean {

constexpr std::size_t kMaxRequestSize = 64 * 1024;
constexpr std::size_t kMaxReplySize = 4 * 1024 * 1024;

// A connected socket to the agent at `path`, or -1 (nothing there, refused, or the listener is
// not our own user).
int connectToAgent(const std::string &path);

// Writes the whole frame for `body`; false if the agent went away before it had all of it.
bool sendFrame(int fd, std::string_view body);

enum class ReadStatus {
    Ok,
    Closed, // the agent closed the connection (or it broke) before a whole reply arrived
    TimedOut,
    Malformed, // length 0 or above the limit
};

ReadStatus readFrame(int fd, std::string &body, int timeoutMs);

} // namespace TokenTray::Lean
