#pragma once

namespace TokenTray {

// While alive, characters typed on the controlling terminal (standard input) are not echoed,
// so a secret typed at a prompt does not appear on screen or in a terminal's scrollback.
class TerminalEchoOff
{
public:
    TerminalEchoOff();
    ~TerminalEchoOff();
    TerminalEchoOff(const TerminalEchoOff &) = delete;
    TerminalEchoOff &operator=(const TerminalEchoOff &) = delete;

    static bool isTerminal(int fd);

private:
    bool m_changed = false;
    unsigned long m_savedFlags = 0;
};

} // namespace TokenTray
