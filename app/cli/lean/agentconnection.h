#pragma once

// tokentray-cli's front talking to the agent: POSIX local sockets, the frame format of
// core/ipc/frame.h (4-byte big-endian length, then JSON).

#include <string>
#include <string_view>

namespace TokenTray::Lean {

constexpr std::size_t kMaxRequestSize = 64 * 1024;
constexpr std::size_t kMaxReplySize = 4 * 1024 * 1024;
constexpr int kConnectWaitSeconds = 10;

// A connected socket to the agent at `path`, or -1 (nothing there, refused, the listener is not
// our own user, or its listen queue stayed full for kConnectWaitSeconds).
int connectToAgent(const std::string &path);

// Writes the whole frame for `body`; false if the agent went away before it had all of it.
bool sendFrame(int fd, std::string_view body);

enum class ReadStatus {
    Ok,
    Closed, // the agent closed the connection (or it broke) before a whole reply arrived
    NotRead, // the agent closed it with our request (in part) unread: it cannot have run it
    TimedOut,
    Malformed, // length 0 or above the limit
};

ReadStatus readFrame(int fd, std::string &body, int timeoutMs);

} // namespace TokenTray::Lean
