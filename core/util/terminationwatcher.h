#pragma once

#include <QObject>

class QSocketNotifier;

namespace TokenTray {

// Turns SIGINT, SIGTERM and SIGHUP (the terminal or the session went away) into a queued Qt signal
// (a self-pipe read by a QSocketNotifier), so a long-running command such as `serve` shuts down
// through its event loop instead of dying mid-write. The previous handlers come back when it is
// destroyed. One at a time per process.
class TerminationWatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TerminationWatcher)
public:
    explicit TerminationWatcher(QObject *parent = nullptr);
    ~TerminationWatcher() override;

    [[nodiscard]] bool isActive() const { return m_notifier != nullptr; }

Q_SIGNALS:
    void terminationRequested(int signalNumber);

private:
    void onReadable();

    QSocketNotifier *m_notifier = nullptr;
};

} // namespace TokenTray
