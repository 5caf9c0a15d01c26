#pragma once

#include "core/util/secret.h"

#include <QObject>

class QTimer;

namespace TokenTray {

// Puts a secret on the clipboard marked for clipboard managers to skip, and takes it off again
// after a delay or on quit, but only while the clipboard still holds it: whatever the user
// copied since is never touched. Only QClipboard::Clipboard is used, never the X11 selection
// (every text selection would otherwise overwrite or expose it).
class ClipboardGuard final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClipboardGuard)
public:
    explicit ClipboardGuard(QObject *parent = nullptr);
    // Clears our content if the clipboard still holds it, without emitting signals.
    ~ClipboardGuard() override;

    // Replaces the clipboard content with value and (re)starts the clear timer;
    // clearAfterSeconds <= 0 means no automatic clear (clearNow() or quit still clear it).
    // An empty value is not copied.
    void copySecret(const Secret &value, int clearAfterSeconds);

    // Clears the clipboard now if it still holds our secret (for quit; also runs on
    // QCoreApplication::aboutToQuit). Emits cleared() or clearSkipped() when a copy was pending.
    void clearNow();

    // Whole seconds until the automatic clear (rounded up), or -1 when none is scheduled.
    [[nodiscard]] int secondsUntilClear() const;
    // True while our secret may still be on the clipboard: clearNow() or the timer will see to it.
    [[nodiscard]] bool isGuarding() const { return !m_value.isEmpty(); }

Q_SIGNALS:
    void copied();
    // Our secret was taken off the clipboard.
    void cleared();
    // The clipboard held someone else's content by then, so it was left alone.
    void clearSkipped();

private:
    enum class Notify { Yes, No };
    void clearIfOurs(Notify notify);
    [[nodiscard]] bool clipboardHoldsOurs() const;

    QTimer *m_timer = nullptr;
    Secret m_value; // what we put on the clipboard, as it went there (UTF-8 of the text)
    bool m_platformReportsOwnership = false;
};

} // namespace TokenTray
