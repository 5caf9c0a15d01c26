#include "ui/clipboardguard.h"

#include <QClipboard>
#include <QCoreApplication>
#include <QGuiApplication>
#include <QLoggingCategory>
#include <QMimeData>
#include <QTimer>

#include <chrono>
#include <limits>

namespace TokenTray {

namespace {

Q_LOGGING_CATEGORY(lcClipboard, "tokentray.clipboard", QtInfoMsg)

// The longest delay a QTimer takes (int milliseconds).
constexpr int maxClearSeconds = std::numeric_limits<int>::max() / 1000;

QClipboard *systemClipboard()
{
    // None once QGuiApplication is gone: a guard that outlives it can only wipe its own copy.
    return qGuiApp ? QGuiApplication::clipboard() : nullptr;
}

QMimeData *markedAsSecret(const QString &text)
{
    auto *mime = new QMimeData;
    mime->setText(text);
    // KDE Klipper, CopyQ and other history keepers skip content carrying this hint.
    mime->setData(QStringLiteral("x-kde-passwordManagerHint"), QByteArrayLiteral("secret"));
#if defined(Q_OS_MACOS)
    // nspasteboard.org's org.nspasteboard.ConcealedType. Readers look only at its presence, so
    // the secret is not duplicated into it.
    mime->setData(QStringLiteral("application/x-nspasteboard-concealed-type"),
                  QByteArrayLiteral("secret"));
#elif defined(Q_OS_WIN)
    // Registered formats Windows reads as a DWORD: a 0 keeps the copy out of Clipboard History
    // (Win+V) and cloud sync; the presence of the first asks clipboard monitors to skip it.
    const QByteArray zeroDword(4, '\0');
    mime->setData(QStringLiteral("ExcludeClipboardContentFromMonitorProcessing"), zeroDword);
    mime->setData(QStringLiteral("CanIncludeInClipboardHistory"), zeroDword);
    mime->setData(QStringLiteral("CanUploadToCloudClipboard"), zeroDword);
#endif
    return mime;
}

} // namespace

ClipboardGuard::ClipboardGuard(QObject *parent)
    : QObject(parent)
    , m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    // A coarse timer may fire up to 5 % late (1.5 s of 30 s) and then disagree with the
    // countdown shown to the user; one precise timer costs nothing.
    m_timer->setTimerType(Qt::PreciseTimer);
    connect(m_timer, &QTimer::timeout, this, [this] { clearIfOurs(Notify::Yes); });
    // A safety net for quit: the clipboard must not keep (or hand a clipboard manager) our
    // secret once we are gone.
    if (QCoreApplication *app = QCoreApplication::instance())
        connect(app, &QCoreApplication::aboutToQuit, this, &ClipboardGuard::clearNow);
}

ClipboardGuard::~ClipboardGuard()
{
    // No signals: whoever listens may be half destroyed already.
    clearIfOurs(Notify::No);
}

void ClipboardGuard::copySecret(const Secret &value, int clearAfterSeconds)
{
    QClipboard *clipboard = systemClipboard();
    if (value.isEmpty() || !clipboard)
        return;

    m_timer->stop();
    const QString text = value.exposeUtf8();
    // Keep what actually went onto the clipboard, so a value that is not valid UTF-8 still
    // compares equal to its own copy later.
    m_value = Secret::fromUtf8(text);
    // The clipboard takes ownership of the QMimeData.
    clipboard->setMimeData(markedAsSecret(text), QClipboard::Clipboard);
    // Platforms that track ownership (xcb, Wayland, Windows) let us tell "someone else copied
    // since" without reading their content; the others (offscreen) always answer false.
    m_platformReportsOwnership = clipboard->ownsClipboard();

    if (clearAfterSeconds > 0) {
        const int seconds = qMin(clearAfterSeconds, maxClearSeconds);
        m_timer->start(std::chrono::seconds(seconds));
    }
    qCDebug(lcClipboard) << "copied" << m_value << "clear after" << clearAfterSeconds << "s";
    Q_EMIT copied();
}

void ClipboardGuard::clearNow()
{
    clearIfOurs(Notify::Yes);
}

int ClipboardGuard::secondsUntilClear() const
{
    if (!m_timer->isActive())
        return -1;
    const qint64 ms = qMax(0, m_timer->remainingTime());
    return static_cast<int>((ms + 999) / 1000); // 64-bit: near INT_MAX ms, +999 would overflow
}

void ClipboardGuard::clearIfOurs(Notify notify)
{
    m_timer->stop();
    if (m_value.isEmpty())
        return;

    const bool ours = clipboardHoldsOurs();
    if (ours)
        systemClipboard()->clear(QClipboard::Clipboard);
    m_value.clear();
    qCDebug(lcClipboard) << (ours ? "cleared" : "left someone else's content alone");

    if (notify == Notify::No)
        return;
    if (ours)
        Q_EMIT cleared();
    else
        Q_EMIT clearSkipped();
}

bool ClipboardGuard::clipboardHoldsOurs() const
{
    QClipboard *clipboard = systemClipboard();
    if (!clipboard)
        return false;
    // Another program owns it: their content, whatever its text. Checked first, so we never
    // fetch (or wait on) a foreign program's clipboard.
    if (m_platformReportsOwnership && !clipboard->ownsClipboard())
        return false;
    // We may still own it while another part of this process copied something else.
    const Secret current = Secret::fromUtf8(clipboard->text(QClipboard::Clipboard));
    return current.constantTimeEquals(m_value);
}

} // namespace TokenTray
