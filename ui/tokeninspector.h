#pragma once

#include "core/model/credential.h"
#include "core/model/profile.h"
#include "core/refresh/credentialfetch.h"
#include "core/refresh/tokenstate.h"

#include <QDialog>
#include <QPointer>

#include <optional>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QGroupBox;
class QVBoxLayout;

namespace TokenTray {

class TokenVerifyJob;

// Shows one (profile, environment)'s token: state, issued and expiry times (local, and relative),
// scopes, type, the JWT's header and claims decoded WITHOUT verification (and marked so), the
// access token itself only after "Reveal", "Verify" (RFC 7662 introspection at the provider) and
// "Copy", which only asks (copyRequested) so the tray's ClipboardGuard does the copying.
class TokenInspector final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TokenInspector)
public:
    TokenInspector(const FetchServices &services, const Profile &profile, const Environment &env,
                   TokenState state, const std::optional<Credential> &credential,
                   QWidget *parent = nullptr);
    ~TokenInspector() override;

    // A newer state or credential (the engine refreshed): shown at once, hidden again if revealed.
    void setToken(TokenState state, const std::optional<Credential> &credential);

    [[nodiscard]] QString profileId() const { return m_profile.id; }
    [[nodiscard]] QString environmentName() const { return m_env.name; }
    [[nodiscard]] bool isRevealed() const;
    [[nodiscard]] QString claimsText() const;
    [[nodiscard]] QString verifyText() const;

    [[nodiscard]] QLabel *stateLabel() const { return m_state; }
    [[nodiscard]] QLabel *expiresLabel() const { return m_expires; }
    [[nodiscard]] QLabel *scopesLabel() const { return m_scopes; }
    [[nodiscard]] QLineEdit *tokenField() const { return m_token; }
    [[nodiscard]] QPushButton *revealButton() const { return m_reveal; }
    [[nodiscard]] QPushButton *copyButton() const { return m_copy; }
    [[nodiscard]] QPushButton *verifyButton() const { return m_verify; }
    [[nodiscard]] QGroupBox *claimsBox() const { return m_claimsBox; }

    static QString stateText(TokenState state);
    // "in 5 min", "3 h ago", "in 4 days"
    static QString relativeText(qint64 secondsFromNow);

Q_SIGNALS:
    // The person asked to copy this environment's access token (ClipboardGuard's business).
    void copyRequested(const QString &profileId, const QString &env);

private:
    void showToken();
    void showClaims();
    void setRevealed(bool revealed);
    void verify();
    void onVerified();
    [[nodiscard]] QString timeText(const QDateTime &utc) const;

    FetchServices m_services;
    Profile m_profile;
    Environment m_env;
    TokenState m_stateValue = TokenState::None;
    std::optional<Credential> m_credential;
    QPointer<TokenVerifyJob> m_verifyJob;

    QLabel *m_state;
    QLabel *m_type;
    QLabel *m_scopes;
    QLabel *m_issued;
    QLabel *m_expires;
    QLineEdit *m_token;
    QPushButton *m_reveal;
    QPushButton *m_copy;
    QGroupBox *m_claimsBox;
    QLabel *m_claimsIcon;
    QLabel *m_claimsNote;
    QPlainTextEdit *m_claims;
    QPushButton *m_verify;
    QLabel *m_verifyResult;
    QVBoxLayout *m_layout = nullptr;
};

} // namespace TokenTray
