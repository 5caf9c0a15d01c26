#pragma once

#include <QObject>
#include <QPointer>

class QAction;
class QMenu;
class QSystemTrayIcon;

namespace TokenTray {

class ManagerWindow;

// Owns the tray icon and its menu. In this first version it shows the grey "no tokens yet"
// state, the current profile, "Open manager" and "Quit"; where no tray host exists the manager
// window is the UI.
class TrayController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrayController)
public:
    TrayController(ManagerWindow *window, QObject *parent = nullptr);
    ~TrayController() override;

    // Shows the tray icon, or the window when the desktop has no tray.
    void show();
    void setSummary(const QString &summary);

    [[nodiscard]] bool isTrayVisible() const;
    [[nodiscard]] QMenu *menu() const { return m_menu; }
    [[nodiscard]] QSystemTrayIcon *trayIcon() const { return m_tray; }

Q_SIGNALS:
    void quitRequested();

private:
    void openManager();

    QPointer<ManagerWindow> m_window;
    QMenu *m_menu = nullptr;
    QSystemTrayIcon *m_tray = nullptr;
    QAction *m_summaryAction = nullptr;
};

} // namespace TokenTray
