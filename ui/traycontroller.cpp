#include "ui/traycontroller.h"

#include "ui/managerwindow.h"

#include <QAction>
#include <QIcon>
#include <QMenu>
#include <QSystemTrayIcon>

namespace TokenTray {

TrayController::TrayController(ManagerWindow *window, QObject *parent)
    : QObject(parent), m_window(window), m_menu(new QMenu), m_tray(new QSystemTrayIcon(this))
{
    m_summaryAction = m_menu->addAction(tr("No profiles"));
    m_summaryAction->setEnabled(false);
    m_menu->addSeparator();
    QAction *open = m_menu->addAction(tr("Open manager…"));
    open->setObjectName(QStringLiteral("openManagerAction"));
    connect(open, &QAction::triggered, this, &TrayController::openManager);
    QAction *quit = m_menu->addAction(QIcon::fromTheme(QStringLiteral("application-exit")), tr("Quit"));
    quit->setObjectName(QStringLiteral("quitAction"));
    connect(quit, &QAction::triggered, this, &TrayController::quitRequested);

    m_tray->setIcon(QIcon(QStringLiteral(":/icons/status-grey.svg")));
    m_tray->setToolTip(tr("TokenTray"));
    m_tray->setContextMenu(m_menu);
    connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger)
            openManager();
    });
}

TrayController::~TrayController()
{
    delete m_menu;
}

void TrayController::show()
{
    if (QSystemTrayIcon::isSystemTrayAvailable())
        m_tray->show();
    else
        openManager();
}

void TrayController::setSummary(const QString &summary)
{
    m_summaryAction->setText(summary);
    m_tray->setToolTip(tr("TokenTray") + QLatin1Char('\n') + summary);
}

bool TrayController::isTrayVisible() const
{
    return m_tray->isVisible();
}

void TrayController::openManager()
{
    if (!m_window)
        return;
    m_window->show();
    m_window->raise();
    m_window->activateWindow();
}

} // namespace TokenTray
