#include "app/cli/lean/agentconnection.h"

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

namespace TokenTray::Lean {

namespace {

bool listenerIsOurUser(int fd)
{
#if defined(__linux__)
    struct ucred credentials
    {
    };
    socklen_t length = sizeof credentials;
    return ::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0
        && length == sizeof credentials && credentials.uid == ::geteuid();
#else
    uid_t uid = 0;
    gid_t gid = 0;
    return ::getpeereid(fd, &uid, &gid) == 0 && uid == ::geteuid();
#endif
}

} // namespace

int connectToAgent(const std::string &path)
{
    sockaddr_un address {};
    if (path.empty() || path.size() >= sizeof address.sun_path)
        return -1;
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.data(), path.size());
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    // A busy agent leaves later clients in its listen queue; when even that is full, connect()
    // waits for room. Worth a wait rather than a second refresher, but a bounded one (then
    // EAGAIN, and the caller does the work itself). It bounds sending the request too.
    const timeval wait {kConnectWaitSeconds, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &wait, sizeof wait);
    for (;;) {
        if (::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) == 0) {
            if (listenerIsOurUser(fd))
                return fd;
            break;
        }
        if (errno != EINTR)
            break;
    }
    ::close(fd);
    return -1;
}

bool sendFrame(int fd, std::string_view body)
{
    const auto length = static_cast<std::uint32_t>(body.size());
    std::string frame;
    frame.reserve(body.size() + 4);
    frame += static_cast<char>((length >> 24) & 0xFF);
    frame += static_cast<char>((length >> 16) & 0xFF);
    frame += static_cast<char>((length >> 8) & 0xFF);
    frame += static_cast<char>(length & 0xFF);
    frame.append(body);
    std::size_t sent = 0;
    while (sent < frame.size()) {
        const ssize_t n = ::send(fd, frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

ReadStatus readFrame(int fd, std::string &body, int timeoutMs)
{
    using Clock = std::chrono::steady_clock;
    const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
    unsigned char header[4];
    std::size_t have = 0;
    std::size_t want = sizeof header;
    bool inBody = false;
    for (;;) {
        const auto left
            = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now())
                  .count();
        if (left <= 0)
            return ReadStatus::TimedOut;
        pollfd waiting {fd, POLLIN, 0};
        const int ready = ::poll(&waiting, 1, static_cast<int>(left));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0)
            return ReadStatus::Closed;
        if (ready == 0)
            return ReadStatus::TimedOut;
        char *target = inBody ? body.data() + have : reinterpret_cast<char *>(header) + have;
        const ssize_t n = ::recv(fd, target, want - have, 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        // A Unix socket closed with bytes unread in it resets its peer: the agent never read
        // all of our request (it was never accepted, or dropped unread), so it did not run it.
        if (n < 0 && errno == ECONNRESET && !inBody && have == 0)
            return ReadStatus::NotRead;
        if (n <= 0)
            return ReadStatus::Closed;
        have += static_cast<std::size_t>(n);
        if (have < want)
            continue;
        if (inBody)
            return ReadStatus::Ok;
        const std::size_t length = (std::size_t(header[0]) << 24) | (std::size_t(header[1]) << 16)
            | (std::size_t(header[2]) << 8) | std::size_t(header[3]);
        if (length == 0 || length > kMaxReplySize)
            return ReadStatus::Malformed;
        body.assign(length, '\0');
        inBody = true;
        have = 0;
        want = length;
    }
}

} // namespace TokenTray::Lean
