#pragma once

#include "core/workspace/workspace.h"

#include <QObject>
#include <QPointer>

class QAction;
class QMenu;
class QSystemTrayIcon;

namespace TokenTray {

// Owns the tray icon and its menu and renders what the Workspace computed: the worst state of
// the active environments as the icon's colour (with a mark for a protected current
// environment), the current profile and time left as tooltip, and a menu to switch
// environments with one click. Actions that need more than one core call are signals, wired
// to their handlers by the composition root.
class TrayController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrayController)
public:
    explicit TrayController(Workspace *workspace, QObject *parent = nullptr);
    ~TrayController() override;

    // Shows the tray icon; without a tray host asks for the manager window instead.
    void show();
    void showMessage(const QString &title, const QString &message, bool critical = false);

    [[nodiscard]] bool isTrayVisible() const;
    [[nodiscard]] QMenu *menu() const { return m_menu; }
    [[nodiscard]] QSystemTrayIcon *trayIcon() const { return m_tray; }
    [[nodiscard]] Severity iconSeverity() const { return m_severity; }
    [[nodiscard]] bool iconProtected() const { return m_protected; }
    [[nodiscard]] QString toolTipText() const;

Q_SIGNALS:
    // Every notification asked for, whether or not a tray host can show it.
    void messageShown(const QString &title, const QString &message, bool critical);
    void openManagerRequested();
    void quitRequested();
    void copyTokenRequested(const QString &profileId, const QString &env);
    void refreshRequested(const QString &profileId, const QString &env);
    void signInRequested(const QString &profileId, const QString &env);
    void settingsRequested();
    void activityRequested();
    void inspectRequested(const QString &profileId, const QString &env);
    void endpointRequested(const QString &profileId, const QString &env);

private:
    void scheduleRebuild();
    void rebuildMenu();
    void addProfileActions(QMenu *menu, const Profile &profile);
    void updateIcon();
    QString stateText(TokenState state, const std::optional<qint64> &secondsLeft) const;

    Workspace *m_workspace;
    QMenu *m_menu;
    QSystemTrayIcon *m_tray;
    Severity m_severity = Severity::None;
    bool m_protected = false;
    bool m_rebuildPending = false;
    bool m_iconInitialised = false;
};

} // namespace TokenTray
