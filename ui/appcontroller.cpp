#include "ui/appcontroller.h"

#include "core/delivery/credentialserver.h"
#include "core/delivery/exporters.h"
#include "core/model/kindrules.h"
#include "core/refresh/signinjob.h"
#include "core/refresh/tokenengine.h"
#include "core/workspace/workspace.h"
#include "ui/activitylog.h"
#include "ui/activitylogview.h"
#include "ui/clipboardguard.h"
#include "ui/settings.h"
#include "ui/settingsdialog.h"
#include "ui/signindialog.h"
#include "ui/tokeninspector.h"
#include "ui/traycontroller.h"

#include <QMessageBox>

namespace TokenTray {

AppController::AppController(const Parts &parts, QObject *parent)
    : QObject(parent)
    , m_parts(parts)
{
    m_confirm = [](const QString &profile, const QString &env) {
        return QMessageBox::question(
                   nullptr, tr("Copy a protected token?"),
                   tr("%1 · %2 is a protected environment. Copy its token to the clipboard?")
                       .arg(profile, env))
            == QMessageBox::Yes;
    };
    connect(m_parts.tray, &TrayController::copyTokenRequested, this, &AppController::copyToken);
    connect(m_parts.tray, &TrayController::refreshRequested, this, &AppController::refresh);
    connect(m_parts.tray, &TrayController::signInRequested, this, &AppController::signIn);
    connect(m_parts.tray, &TrayController::inspectRequested, this, &AppController::inspect);
    connect(m_parts.tray, &TrayController::endpointRequested, this,
            &AppController::copyEndpointVariables);
    connect(m_parts.tray, &TrayController::settingsRequested, this, &AppController::showSettings);
    connect(m_parts.tray, &TrayController::activityRequested, this, &AppController::showActivity);
    connect(m_parts.engine, &TokenEngine::signInRequired, this,
            [this](const QString &id, const QString &env, const Error &) {
                notifyOnce(QStringLiteral("signin:") + id + env, tr("Sign-in required"),
                           tr("%1 · %2 needs you to sign in again.").arg(profileName(id), env),
                           true);
            });
    connect(m_parts.engine, &TokenEngine::refreshFailed, this,
            [this](const QString &id, const QString &env, const Error &error) {
                notifyOnce(QStringLiteral("failed:") + id + env, tr("Token refresh failed"),
                           tr("%1 · %2: %3").arg(profileName(id), env, error.detail), false);
            });
    connect(m_parts.engine, &TokenEngine::stateChanged, this,
            [this](const QString &id, const QString &env, TokenState state) {
                if (state == TokenState::Locked) {
                    notifyOnce(
                        QStringLiteral("locked"), tr("Keychain locked"),
                        tr("Unlock your keychain so that TokenTray can read and refresh tokens."),
                        true);
                } else if (state == TokenState::Advisory || state == TokenState::Mandatory) {
                    warnBeforeExpiry(id, env);
                } else if (state == TokenState::Fresh) {
                    // Recovered: the next failure of this key is news again.
                    m_notified.remove(QStringLiteral("expiring:") + id + env);
                    m_notified.remove(QStringLiteral("signin:") + id + env);
                    m_notified.remove(QStringLiteral("failed:") + id + env);
                    m_notified.remove(QStringLiteral("locked"));
                }
            });
    connect(m_parts.workspace, &Workspace::switched, this,
            [this](const QString &profile, const QString &env) {
                m_parts.activity->record(ActivityLog::Kind::Switched, profile, env);
            });
    connect(m_parts.clipboard, &ClipboardGuard::cleared, this, [this] {
        m_parts.tray->showMessage(tr("Clipboard cleared"),
                                  tr("The copied token was removed from the clipboard."));
    });
}

void AppController::warnBeforeExpiry(const QString &profileId, const QString &env)
{
    const Config &config = m_parts.workspace->config();
    const Profile *p = config.profileById(profileId);
    const Environment *e = p ? p->environment(env) : nullptr;
    if (!e || !renewalNeedsPerson(config, *p, *e))
        return;
    const std::optional<qint64> left = m_parts.workspace->secondsLeft(profileId, env);
    const QString when
        = left ? tr("in %n min", nullptr, int(qMax<qint64>(1, *left / 60))) : tr("soon");
    notifyOnce(
        QStringLiteral("expiring:") + profileId + env, tr("Credentials expire %1").arg(when),
        tr("%1 · %2 can only be renewed with your MFA code: use Refresh now.").arg(p->name, env),
        false);
}

QString AppController::profileName(const QString &profileId) const
{
    const Profile *p = m_parts.workspace->config().profileById(profileId);
    return p ? p->name : profileId;
}

void AppController::notifyOnce(const QString &key, const QString &title, const QString &message,
                               bool critical)
{
    if (m_notified.contains(key))
        return;
    m_notified.insert(key);
    if (m_parts.settings->notificationsEnabled())
        m_parts.tray->showMessage(title, message, critical);
}

void AppController::copyToken(const QString &profileId, const QString &env)
{
    const Profile *p = m_parts.workspace->config().profileById(profileId);
    const Environment *e = p ? p->environment(env) : nullptr;
    if (!e)
        return;
    const QString name = p->name;
    if (e->isProtected && m_parts.settings->confirmProtectedCopy() && !m_confirm(name, env))
        return;
    // Inside the mandatory window the engine refreshes first; the copied token is never one
    // about to expire.
    TokenAsk *ask = m_parts.engine->ask(profileId, env);
    const ProfileKind kind = p->kind;
    const Environment environment = *e;
    connect(ask, &TokenAsk::finished, this,
            [this, profileId, env, name, kind, environment](TokenAsk *a) {
                if (!a->result()) {
                    m_parts.tray->showMessage(
                        tr("Could not copy the token"),
                        tr("%1 · %2: %3").arg(name, env, a->result().error().detail), true);
                    m_parts.activity->record(ActivityLog::Kind::Failed, name, env,
                                             a->result().error().detail);
                    Q_EMIT copyFailed(profileId, env, a->result().error());
                    return;
                }
                const int delay = m_parts.settings->clipboardClearSeconds();
                // AWS keys have no single token: the shell lines that set them, ready to paste.
                if (isAwsKind(kind))
                    m_parts.clipboard->copySecret(
                        Secret(formatVariables(credentialVariables(kind, environment, *a->result()),
                                               ExportFormat::Sh)),
                        delay);
                else
                    m_parts.clipboard->copySecret(a->result()->accessToken, delay);
                m_parts.activity->record(ActivityLog::Kind::Copied, name, env);
                m_parts.tray->showMessage(
                    tr("Token copied"),
                    delay > 0 ? tr("%1 · %2 — the clipboard is cleared in %n s.", nullptr, delay)
                                    .arg(name, env)
                              : tr("%1 · %2").arg(name, env));
                Q_EMIT tokenCopied(profileId, env);
            });
}

void AppController::refresh(const QString &profileId, const QString &env)
{
    m_notified.remove(QStringLiteral("signin:") + profileId + env);
    m_notified.remove(QStringLiteral("failed:") + profileId + env);
    m_parts.engine->refreshNow(profileId, env);
}

void AppController::signIn(const QString &profileId, const QString &env)
{
    const Profile *p = m_parts.workspace->config().profileById(profileId);
    const Environment *e = p ? p->environment(env) : nullptr;
    if (!e)
        return;
    auto *job = new SignInJob(m_parts.services, *p, *e, this);
    // Index the refresh token on the newest config before it is written.
    job->setBeforeStore([this, job](bool storesRefreshToken) -> Result<void> {
        return m_parts.workspace->update([job, storesRefreshToken](Config &config) -> Result<void> {
            auto recorded = job->recordInConfig(config, storesRefreshToken);
            if (!recorded)
                return recorded.error();
            return {};
        });
    });
    auto *dialog = new SignInDialog(job);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(job, &SignInJob::finished, this, [this, job, profileId, env] {
        job->deleteLater();
        const QString name = profileName(profileId);
        if (!job->result()) {
            if (job->result().error().code != ErrorCode::Cancelled)
                m_parts.activity->record(ActivityLog::Kind::Failed, name, env,
                                         job->result().error().detail);
            return;
        }
        m_parts.engine->adopt(profileId, env, job->result()->credential);
        m_notified.remove(QStringLiteral("signin:") + profileId + env);
        m_parts.activity->record(ActivityLog::Kind::SignedIn, name, env);
    });
    dialog->show();
    job->start();
}

AppController::~AppController() = default;

void AppController::copyEndpointVariables(const QString &profileId, const QString &env)
{
    const Config &config = m_parts.workspace->config();
    const Profile *p = config.profileById(profileId);
    const Environment *e = p ? p->environment(env) : nullptr;
    if (!e || !m_parts.services.clock)
        return;
    const CredentialServer::Scope scope {p->id, p->name, e->name, p->kind, e->isProtected};
    if (m_endpoint && !(m_endpoint->scope() == scope))
        m_endpoint.reset(); // a new scope gets a new server, port and token
    if (!m_endpoint) {
        m_endpoint
            = std::make_unique<CredentialServer>(m_parts.engine, m_parts.services.clock, scope);
        if (auto r = m_endpoint->listen(); !r) {
            m_parts.tray->showMessage(tr("Could not start the credential endpoint"),
                                      r.error().detail, true);
            m_endpoint.reset();
            return;
        }
        m_parts.activity->record(ActivityLog::Kind::Copied, p->name, env,
                                 tr("credential endpoint on 127.0.0.1:%1").arg(m_endpoint->port()));
    }
    const int delay = m_parts.settings->clipboardClearSeconds();
    m_parts.clipboard->copySecret(
        Secret(formatVariables(m_endpoint->consumerVariables(), ExportFormat::Sh)), delay);
    m_parts.tray->showMessage(tr("Endpoint variables copied"),
                              tr("%1 · %2 is served on 127.0.0.1:%3 until TokenTray quits.")
                                  .arg(p->name, env)
                                  .arg(m_endpoint->port()));
}

void AppController::inspect(const QString &profileId, const QString &env)
{
    const Profile *p = m_parts.workspace->config().profileById(profileId);
    const Environment *e = p ? p->environment(env) : nullptr;
    if (!e)
        return;
    auto *inspector
        = new TokenInspector(m_parts.services, *p, *e, m_parts.engine->state(profileId, env),
                             m_parts.engine->credential(profileId, env));
    inspector->setAttribute(Qt::WA_DeleteOnClose);
    connect(inspector, &TokenInspector::copyRequested, this, &AppController::copyToken);
    connect(m_parts.engine, &TokenEngine::stateChanged, inspector,
            [this, inspector, profileId, env](const QString &id, const QString &environment,
                                              TokenState state) {
                if (id == profileId && environment == env)
                    inspector->setToken(state, m_parts.engine->credential(id, environment));
            });
    inspector->show();
}

void AppController::showSettings()
{
    if (!m_settingsDialog) {
        auto *dialog = new SettingsDialog(m_parts.settings);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        m_settingsDialog = dialog;
    }
    m_settingsDialog->show();
    m_settingsDialog->raise();
    m_settingsDialog->activateWindow();
}

void AppController::showActivity()
{
    if (!m_activityView) {
        auto *view = new ActivityLogView(m_parts.activity);
        view->setAttribute(Qt::WA_DeleteOnClose);
        view->setWindowTitle(tr("TokenTray activity"));
        view->resize(720, 360);
        m_activityView = view;
    }
    m_activityView->show();
    m_activityView->raise();
    m_activityView->activateWindow();
}

} // namespace TokenTray
