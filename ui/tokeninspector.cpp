#include "ui/tokeninspector.h"

#include "core/oauth/jwt.h"
#include "core/refresh/tokenverifyjob.h"
#include "core/util/clock.h"
#include "core/util/redact.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>

namespace TokenTray {

namespace {

QLabel *valueLabel(QWidget *parent, const char *name)
{
    auto *label = new QLabel(parent);
    label->setObjectName(QLatin1String(name));
    label->setTextFormat(Qt::PlainText);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setWordWrap(true);
    return label;
}

} // namespace

TokenInspector::TokenInspector(const FetchServices &services, const Profile &profile,
                               const Environment &env, TokenState state,
                               const std::optional<Credential> &credential, QWidget *parent)
    : QDialog(parent)
    , m_services(services)
    , m_profile(profile)
    , m_env(env)
    , m_state(valueLabel(this, "state"))
    , m_type(valueLabel(this, "tokenType"))
    , m_scopes(valueLabel(this, "scopes"))
    , m_issued(valueLabel(this, "issued"))
    , m_expires(valueLabel(this, "expires"))
    , m_token(new QLineEdit(this))
    , m_reveal(new QPushButton(tr("Reveal"), this))
    , m_copy(new QPushButton(tr("Copy"), this))
    , m_claimsBox(new QGroupBox(tr("JWT header and claims (not verified)"), this))
    , m_claimsIcon(new QLabel(m_claimsBox))
    , m_claimsNote(new QLabel(m_claimsBox))
    , m_claims(new QPlainTextEdit(m_claimsBox))
    , m_verify(new QPushButton(tr("Verify with the provider"), this))
    , m_verifyResult(valueLabel(this, "verifyResult"))
{
    setWindowTitle(tr("Token of %1").arg(profile.name + QLatin1Char('/') + env.name));
    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);

    m_token->setObjectName(QStringLiteral("accessToken"));
    m_token->setReadOnly(true);
    m_token->setFont(fixed);
    m_token->setPlaceholderText(tr("Hidden: click Reveal to show it"));
    m_reveal->setObjectName(QStringLiteral("reveal"));
    m_reveal->setCheckable(true);
    m_reveal->setAutoDefault(false);
    m_copy->setObjectName(QStringLiteral("copy"));
    m_copy->setIcon(QIcon::fromTheme(QStringLiteral("edit-copy")));
    m_copy->setAutoDefault(false);
    connect(m_reveal, &QPushButton::toggled, this, &TokenInspector::setRevealed);
    connect(m_copy, &QPushButton::clicked, this,
            [this] { Q_EMIT copyRequested(m_profile.id, m_env.name); });

    auto *tokenRow = new QHBoxLayout;
    tokenRow->addWidget(m_token, 1);
    tokenRow->addWidget(m_reveal);
    tokenRow->addWidget(m_copy);

    auto *form = new QFormLayout;
    form->addRow(tr("State:"), m_state);
    form->addRow(tr("Token type:"), m_type);
    form->addRow(tr("Scopes:"), m_scopes);
    form->addRow(tr("Issued:"), m_issued);
    form->addRow(tr("Expires:"), m_expires);
    form->addRow(tr("Access token:"), tokenRow);

    m_claimsBox->setObjectName(QStringLiteral("claimsBox"));
    m_claimsNote->setObjectName(QStringLiteral("claimsNote"));
    m_claimsNote->setTextFormat(Qt::PlainText);
    m_claimsNote->setWordWrap(true);
    m_claims->setObjectName(QStringLiteral("claims"));
    m_claims->setReadOnly(true);
    m_claims->setFont(fixed);
    m_claims->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_claims->setMinimumHeight(180);
    m_claimsIcon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxWarning).pixmap(24, 24));
    m_claimsIcon->setAlignment(Qt::AlignTop);
    auto *noteRow = new QHBoxLayout;
    noteRow->addWidget(m_claimsIcon);
    noteRow->addWidget(m_claimsNote, 1);
    auto *claimsLayout = new QVBoxLayout(m_claimsBox);
    claimsLayout->addLayout(noteRow);
    claimsLayout->addWidget(m_claims, 1);

    m_verify->setObjectName(QStringLiteral("verify"));
    m_verify->setAutoDefault(false);
    m_verify->setToolTip(
        tr("Asks the provider's introspection endpoint whether it still accepts this token."));
    connect(m_verify, &QPushButton::clicked, this, &TokenInspector::verify);
    auto *verifyRow = new QHBoxLayout;
    verifyRow->addWidget(m_verify);
    verifyRow->addWidget(m_verifyResult, 1);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &TokenInspector::reject);

    m_layout = new QVBoxLayout(this);
    m_layout->addLayout(form);
    m_layout->addWidget(m_claimsBox, 1);
    m_layout->addStretch(0); // takes the room the claims do not need
    m_layout->addLayout(verifyRow);
    m_layout->addWidget(buttons);

    setToken(state, credential);
    resize(640, m_claims->isHidden() ? sizeHint().height() : 600);
}

TokenInspector::~TokenInspector() = default;

void TokenInspector::setToken(TokenState state, const std::optional<Credential> &credential)
{
    m_stateValue = state;
    m_credential = credential;
    if (m_verifyJob) {
        m_verifyJob->disconnect(this);
        m_verifyJob->cancel();
        m_verifyJob->deleteLater();
        m_verifyJob = nullptr;
    }
    m_verifyResult->clear();
    m_reveal->setChecked(false);
    showToken();
    showClaims();
}

bool TokenInspector::isRevealed() const
{
    return m_reveal->isChecked();
}

QString TokenInspector::claimsText() const
{
    return m_claims->toPlainText();
}

QString TokenInspector::verifyText() const
{
    return m_verifyResult->text();
}

QString TokenInspector::stateText(TokenState state)
{
    switch (state) {
    case TokenState::None:
        return tr("No token yet");
    case TokenState::Fresh:
        return tr("Fresh");
    case TokenState::Advisory:
        return tr("Valid, refresh due soon");
    case TokenState::Mandatory:
        return tr("About to expire");
    case TokenState::Expired:
        return tr("Expired");
    case TokenState::Refreshing:
        return tr("Refreshing");
    case TokenState::Error:
        return tr("Refresh failed; retrying");
    case TokenState::SignInRequired:
        return tr("Sign-in required");
    case TokenState::Locked:
        return tr("Keychain locked");
    }
    return QString();
}

QString TokenInspector::relativeText(qint64 secondsFromNow)
{
    const bool future = secondsFromNow >= 0;
    const qint64 s = qAbs(secondsFromNow);
    if (s == 0)
        return tr("now");
    if (s < 60)
        return future ? tr("in %n s", nullptr, static_cast<int>(s))
                      : tr("%n s ago", nullptr, static_cast<int>(s));
    if (s < 3600) {
        const int m = static_cast<int>(s / 60);
        return future ? tr("in %n min", nullptr, m) : tr("%n min ago", nullptr, m);
    }
    if (s < 2 * 86400) {
        const int h = static_cast<int>(s / 3600);
        return future ? tr("in %n h", nullptr, h) : tr("%n h ago", nullptr, h);
    }
    const int d = static_cast<int>(s / 86400); // at least 2: English needs no singular
    return future ? tr("in %n days", nullptr, d) : tr("%n days ago", nullptr, d);
}

QString TokenInspector::timeText(const QDateTime &utc) const
{
    const qint64 fromNow = m_services.clock ? m_services.clock->nowUtc().secsTo(utc)
                                            : QDateTime::currentDateTimeUtc().secsTo(utc);
    //: %1 is a local date and time, %2 how far it is from now ("in 5 min")
    return tr("%1 (%2)").arg(QLocale().toString(utc.toLocalTime(), QLocale::ShortFormat),
                             relativeText(fromNow));
}

void TokenInspector::showToken()
{
    m_state->setText(stateText(m_stateValue));
    const bool has = m_credential && !m_credential->isEmpty();
    if (!has) {
        m_type->setText(QStringLiteral("–"));
        m_scopes->setText(QStringLiteral("–"));
        m_issued->setText(QStringLiteral("–"));
        m_expires->setText(QStringLiteral("–"));
    } else {
        const Credential &c = *m_credential;
        if (!c.accessKeyId.isEmpty())
            m_type->setText(tr("AWS keys %1").arg(c.accessKeyId));
        else
            m_type->setText(c.tokenType.isEmpty() ? QStringLiteral("–") : c.tokenType);
        m_scopes->setText(c.scopes.isEmpty() ? tr("(none stated)")
                                             : c.scopes.join(QLatin1Char(' ')));
        m_issued->setText(c.issuedAt.isValid() ? timeText(c.issuedAt) : tr("unknown"));
        m_expires->setText(c.expires() ? timeText(c.expiresAt) : tr("never"));
    }
    const bool hasToken = has && !m_credential->accessToken.isEmpty();
    m_reveal->setEnabled(hasToken);
    m_copy->setEnabled(hasToken);
    const bool aws = has && !m_credential->accessKeyId.isEmpty();
    m_verify->setEnabled((hasToken && m_profile.kind == ProfileKind::OAuth2) || aws);
    m_token->setPlaceholderText(hasToken ? tr("Hidden: click Reveal to show it") : tr("No token"));
}

void TokenInspector::showClaims()
{
    m_claims->clear();
    std::optional<UnverifiedJwt> jwt;
    if (!m_credential || m_credential->accessToken.isEmpty()) {
        m_claimsNote->setText(tr("There is no access token to decode."));
    } else if (auto decoded = decodeJwtUnverified(m_credential->accessToken.expose()); !decoded) {
        m_claimsNote->setText(
            tr("This access token is not a JWT: only the provider can say what it "
               "stands for (use Verify)."));
    } else {
        jwt = *decoded;
        m_claimsNote->setText(tr("Decoded without checking the signature. NOT VERIFIED: anyone can "
                                 "write a token that shows these claims."));
        // Header first, as in the token; QJsonObject would sort "claims" before "header".
        auto nested = [](const QJsonObject &o) {
            return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented))
                .trimmed()
                .replace(QLatin1Char('\n'), QStringLiteral("\n    "));
        };
        m_claims->setPlainText(QStringLiteral("{\n    \"header\": ") + nested(jwt->header)
                               + QStringLiteral(",\n    \"claims\": ") + nested(jwt->claims)
                               + QStringLiteral("\n}\n"));
    }
    m_claimsIcon->setVisible(jwt.has_value());
    m_claims->setVisible(jwt.has_value());
    m_layout->setStretch(1, jwt ? 1 : 0);
    m_layout->setStretch(2, jwt ? 0 : 1);
    m_claimsBox->setSizePolicy(QSizePolicy::Preferred,
                               jwt ? QSizePolicy::Expanding : QSizePolicy::Maximum);
}

void TokenInspector::setRevealed(bool revealed)
{
    // The token reaches a widget only on request and leaves it when hidden again.
    if (revealed && m_credential)
        m_token->setText(m_credential->accessToken.exposeUtf8());
    else
        m_token->clear();
    m_reveal->setText(revealed ? tr("Hide") : tr("Reveal"));
}

void TokenInspector::verify()
{
    if (m_verifyJob || !m_credential)
        return;
    m_verifyJob = new TokenVerifyJob(m_services, m_profile, m_env, *m_credential, this);
    connect(m_verifyJob, &TokenVerifyJob::finished, this, &TokenInspector::onVerified);
    m_verify->setEnabled(false);
    m_verifyResult->setStyleSheet(QString());
    m_verifyResult->setText(tr("Asking the provider…"));
    m_verifyJob->start();
}

void TokenInspector::onVerified()
{
    TokenVerifyJob *job = m_verifyJob;
    if (!job)
        return;
    job->deleteLater();
    m_verifyJob = nullptr;
    m_verify->setEnabled(true);
    const auto &r = job->result();
    if (!r) {
        m_verifyResult->setStyleSheet(QStringLiteral("color: #b00020;"));
        m_verifyResult->setText(tr("Could not verify: %1").arg(redactSecrets(r.error().detail)));
        return;
    }
    m_verifyResult->setStyleSheet(
        QStringLiteral("color: %1;")
            .arg(r->active ? QStringLiteral("#1b7f3b") : QStringLiteral("#b00020")));
    const QString arn = r->claims.value(QStringLiteral("Arn")).toString();
    if (!arn.isEmpty())
        m_verifyResult->setText(tr("Active: AWS knows these keys as %1.").arg(arn));
    else
        m_verifyResult->setText(r->active
                                    ? tr("Active: the provider accepts this token.")
                                    : tr("Inactive: the provider no longer accepts this token."));
}

} // namespace TokenTray
