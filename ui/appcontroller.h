#pragma once

#include "core/refresh/credentialfetch.h"
#include "core/util/result.h"

#include <QObject>
#include <QPointer>
#include <QSet>
#include <QWidget>

#include <functional>
#include <memory>

namespace TokenTray {

class ActivityLog;
class AppSettings;
class ClipboardGuard;
class CredentialServer;
class SecretStore;
class TokenEngine;
class TrayController;
class Workspace;
struct Error;

// The tray app's actions that take more than one core call: copying a token (confirmation for
// protected environments, waiting for a refresh inside the mandatory window, the clipboard
// guard), refreshing, and turning engine events into notifications (once per event) and
// activity-log entries.
class AppController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AppController)
public:
    struct Parts
    {
        Workspace *workspace = nullptr;
        TokenEngine *engine = nullptr;
        AppSettings *settings = nullptr;
        TrayController *tray = nullptr;
        ClipboardGuard *clipboard = nullptr;
        ActivityLog *activity = nullptr;
        FetchServices services; // for sign-in and the inspector's verify
    };
    using Confirm = std::function<bool(const QString &profile, const QString &env)>;

    explicit AppController(const Parts &parts, QObject *parent = nullptr);
    ~AppController() override;

    // Asked before a protected environment's token reaches the clipboard (when the setting is
    // on). The default shows a question box; tests replace it.
    void setConfirm(Confirm confirm) { m_confirm = std::move(confirm); }

    void copyToken(const QString &profileId, const QString &env);
    void refresh(const QString &profileId, const QString &env);
    // Opens the device-flow sign-in dialog; the result is adopted and indexed.
    void signIn(const QString &profileId, const QString &env);
    void inspect(const QString &profileId, const QString &env);
    // Starts the loopback credential endpoint for the scope (once; later calls switch what it
    // serves by default) and copies the variables a consumer sets to the guarded clipboard.
    void copyEndpointVariables(const QString &profileId, const QString &env);
    [[nodiscard]] CredentialServer *endpoint() const { return m_endpoint.get(); }
    void showSettings();
    void showActivity();

Q_SIGNALS:
    void tokenCopied(const QString &profileId, const QString &env);
    void copyFailed(const QString &profileId, const QString &env, const TokenTray::Error &error);

private:
    void notifyOnce(const QString &key, const QString &title, const QString &message,
                    bool critical);
    QString profileName(const QString &profileId) const;
    void warnBeforeExpiry(const QString &profileId, const QString &env);

    Parts m_parts;
    Confirm m_confirm;
    QSet<QString> m_notified; // events already shown, until the state recovers
    QPointer<QWidget> m_settingsDialog;
    QPointer<QWidget> m_activityView;
    std::unique_ptr<CredentialServer> m_endpoint;
};

} // namespace TokenTray
