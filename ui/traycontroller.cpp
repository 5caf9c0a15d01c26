#include "ui/traycontroller.h"

#include "ui/managertext.h"
#include "ui/trayicons.h"

#include <QAction>
#include <QActionGroup>
#include <QCoreApplication>
#include <QMenu>
#include <QSystemTrayIcon>
#include <QTimer>

namespace TokenTray {

TrayController::TrayController(Workspace *workspace, QObject *parent)
    : QObject(parent)
    , m_workspace(workspace)
    , m_menu(new QMenu)
    , m_tray(new QSystemTrayIcon(this))
{
    m_tray->setContextMenu(m_menu);
    connect(m_tray, &QSystemTrayIcon::activated, this,
            [this](QSystemTrayIcon::ActivationReason reason) {
                if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
                    Q_EMIT openManagerRequested();
            });
    connect(m_workspace, &Workspace::configChanged, this, &TrayController::scheduleRebuild);
    connect(m_workspace, &Workspace::stateChanged, this, &TrayController::scheduleRebuild);
    // Never rebuild under the user's pointer: wait until the menu closes.
    connect(m_menu, &QMenu::aboutToHide, this, [this] {
        if (m_rebuildPending)
            QTimer::singleShot(0, this, &TrayController::rebuildMenu);
    });
    rebuildMenu();
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
        Q_EMIT openManagerRequested();
}

void TrayController::showMessage(const QString &title, const QString &message, bool critical)
{
    Q_EMIT messageShown(title, message, critical);
    if (m_tray->isVisible() && QSystemTrayIcon::supportsMessages())
        m_tray->showMessage(title, message,
                            critical ? QSystemTrayIcon::Critical : QSystemTrayIcon::Information);
}

bool TrayController::isTrayVisible() const
{
    return m_tray->isVisible();
}

void TrayController::scheduleRebuild()
{
    m_rebuildPending = true;
    updateIcon();
    if (!m_menu->isVisible())
        QTimer::singleShot(0, this, [this] {
            if (m_rebuildPending && !m_menu->isVisible())
                rebuildMenu();
        });
}

QString TrayController::stateText(TokenState state, const std::optional<qint64> &secondsLeft) const
{
    // The tray counts down ("expires in 12 min"); every other state reads as in the manager.
    const bool valid = state == TokenState::Fresh || state == TokenState::Advisory
        || state == TokenState::Mandatory;
    if (valid && secondsLeft && *secondsLeft >= 120)
        return tr("expires in %n min", nullptr, static_cast<int>(*secondsLeft / 60));
    if (valid && secondsLeft)
        return tr("expires in %n s", nullptr, static_cast<int>(qMax<qint64>(0, *secondsLeft)));
    return ManagerText::state(state);
}

QString TrayController::toolTipText() const
{
    if (const auto error = m_workspace->loadError())
        return tr("TokenTray: the configuration cannot be read");
    const Profile *p = m_workspace->config().currentProfile();
    if (!p)
        return tr("TokenTray: no profiles yet");
    if (p->activeEnvironment.isEmpty())
        return tr("TokenTray\n%1: no environments").arg(p->name);
    const TokenState s = m_workspace->state(p->id, p->activeEnvironment);
    return tr("TokenTray\n%1 · %2 · %3")
        .arg(p->name, p->activeEnvironment,
             stateText(s, m_workspace->secondsLeft(p->id, p->activeEnvironment)));
}

void TrayController::updateIcon()
{
    const Severity severity = m_workspace->overallSeverity();
    const bool isProtected = m_workspace->currentIsProtected();
    if (!m_iconInitialised || severity != m_severity || isProtected != m_protected) {
        m_severity = severity;
        m_protected = isProtected;
        m_iconInitialised = true;
        m_tray->setIcon(statusIcon(severity, isProtected));
    }
    m_tray->setToolTip(toolTipText());
}

void TrayController::rebuildMenu()
{
    m_rebuildPending = false;
    m_menu->clear();
    // clear() leaves submenus and action groups alive; they are rebuilt below.
    qDeleteAll(m_menu->findChildren<QMenu *>(Qt::FindDirectChildrenOnly));
    qDeleteAll(m_menu->findChildren<QActionGroup *>(Qt::FindDirectChildrenOnly));
    updateIcon();
    const Config &config = m_workspace->config();

    if (const auto error = m_workspace->loadError()) {
        QAction *a = m_menu->addAction(tr("Configuration error — open the manager for details"));
        a->setEnabled(false);
    } else if (config.profiles.isEmpty()) {
        QAction *a = m_menu->addAction(tr("No profiles yet"));
        a->setEnabled(false);
    }

    // The current profile inline, the others as submenus: one click switches either way.
    const Profile *current = config.currentProfile();
    if (current) {
        m_menu->addSection(current->name);
        addProfileActions(m_menu, *current);
    }
    bool separated = false;
    for (const Profile &p : config.profiles) {
        if (current && p.id == current->id)
            continue;
        if (!separated) {
            m_menu->addSection(tr("Other profiles"));
            separated = true;
        }
        QMenu *sub = m_menu->addMenu(p.name);
        sub->setObjectName(QStringLiteral("profileMenu:") + p.name);
        const TokenState s = p.activeEnvironment.isEmpty()
            ? TokenState::None
            : m_workspace->state(p.id, p.activeEnvironment);
        sub->setIcon(statusIcon(severityOf(s), false));
        addProfileActions(sub, p);
    }

    m_menu->addSeparator();
    QAction *open = m_menu->addAction(tr("Open manager…"));
    open->setObjectName(QStringLiteral("openManagerAction"));
    connect(open, &QAction::triggered, this, &TrayController::openManagerRequested);
    QAction *activity = m_menu->addAction(tr("Activity log…"));
    activity->setObjectName(QStringLiteral("activityAction"));
    connect(activity, &QAction::triggered, this, &TrayController::activityRequested);
    QAction *settings = m_menu->addAction(tr("Settings…"));
    settings->setObjectName(QStringLiteral("settingsAction"));
    connect(settings, &QAction::triggered, this, &TrayController::settingsRequested);
    QAction *quit = m_menu->addAction(tr("Quit"));
    quit->setObjectName(QStringLiteral("quitAction"));
    connect(quit, &QAction::triggered, this, &TrayController::quitRequested);
}

void TrayController::addProfileActions(QMenu *menu, const Profile &profile)
{
    const bool readOnly = m_workspace->isReadOnly();
    auto *group = new QActionGroup(menu);
    group->setExclusive(true);
    const QString id = profile.id;
    const QString name = profile.name;
    const bool isCurrent = profile.id == m_workspace->config().currentProfileId;
    for (const Environment &env : profile.environments) {
        const TokenState s = m_workspace->state(profile.id, env.name);
        const QString label = env.isProtected
            ? tr("%1 (protected) — %2")
                  .arg(env.name, stateText(s, m_workspace->secondsLeft(id, env.name)))
            : tr("%1 — %2").arg(env.name, stateText(s, m_workspace->secondsLeft(id, env.name)));
        QAction *a = menu->addAction(label);
        a->setObjectName(QStringLiteral("env:") + name + QLatin1Char('/') + env.name);
        a->setCheckable(true);
        a->setChecked(isCurrent && env.name == profile.activeEnvironment);
        a->setEnabled(!readOnly);
        a->setActionGroup(group);
        const QString envName = env.name;
        connect(a, &QAction::triggered, this, [this, name, envName] {
            m_workspace->switchTo(name, envName, this, [this](const Result<void> &switched) {
                if (!switched)
                    showMessage(tr("Not switched"), ManagerText::error(switched.error()), true);
            });
        });
    }
    if (profile.activeEnvironment.isEmpty())
        return;
    const QString env = profile.activeEnvironment;
    const TokenState s = m_workspace->state(id, env);
    const bool aws
        = profile.kind == ProfileKind::AwsAccessKey || profile.kind == ProfileKind::AwsAssumeRole;
    QAction *copy = menu->addAction(aws ? tr("Copy AWS variables") : tr("Copy token"));
    copy->setObjectName(QStringLiteral("copy:") + name);
    connect(copy, &QAction::triggered, this,
            [this, id, env] { Q_EMIT copyTokenRequested(id, env); });
    QAction *refresh = menu->addAction(tr("Refresh now"));
    refresh->setObjectName(QStringLiteral("refresh:") + name);
    connect(refresh, &QAction::triggered, this,
            [this, id, env] { Q_EMIT refreshRequested(id, env); });
    QAction *endpoint = menu->addAction(tr("Copy endpoint variables"));
    endpoint->setObjectName(QStringLiteral("endpoint:") + name);
    endpoint->setToolTip(tr("Serves this profile's credentials on 127.0.0.1 to SDKs and tools; "
                            "copies the two variables they read"));
    connect(endpoint, &QAction::triggered, this,
            [this, id, env] { Q_EMIT endpointRequested(id, env); });
    QAction *inspect = menu->addAction(tr("Inspect token…"));
    inspect->setObjectName(QStringLiteral("inspect:") + name);
    connect(inspect, &QAction::triggered, this,
            [this, id, env] { Q_EMIT inspectRequested(id, env); });
    if (s == TokenState::SignInRequired || profile.grant == Grant::DeviceCode) {
        QAction *signIn = menu->addAction(tr("Sign in…"));
        signIn->setObjectName(QStringLiteral("signIn:") + name);
        connect(signIn, &QAction::triggered, this,
                [this, id, env] { Q_EMIT signInRequested(id, env); });
    }
}

} // namespace TokenTray
