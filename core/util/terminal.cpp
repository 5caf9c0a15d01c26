#include "core/util/terminal.h"

#include <QtGlobal>

#ifdef Q_OS_UNIX
#include <termios.h>
#include <unistd.h>
#endif

namespace TokenTray {

TerminalEchoOff::TerminalEchoOff()
{
#ifdef Q_OS_UNIX
    termios t {};
    if (tcgetattr(STDIN_FILENO, &t) != 0)
        return;
    m_savedFlags = t.c_lflag;
    t.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    m_changed = tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) == 0;
#endif
}

TerminalEchoOff::~TerminalEchoOff()
{
#ifdef Q_OS_UNIX
    if (!m_changed)
        return;
    termios t {};
    if (tcgetattr(STDIN_FILENO, &t) != 0)
        return;
    t.c_lflag = static_cast<tcflag_t>(m_savedFlags);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &t);
#endif
}

bool TerminalEchoOff::isTerminal(int fd)
{
#ifdef Q_OS_UNIX
    return ::isatty(fd) == 1;
#else
    Q_UNUSED(fd)
    return false;
#endif
}

} // namespace TokenTray
