#include "ui/signindialog.h"

#include "core/refresh/signinjob.h"
#include "core/util/redact.h"

#include <QClipboard>
#include <QDesktopServices>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>

namespace TokenTray {

SignInDialog::SignInDialog(SignInJob *job, QWidget *parent)
    : QDialog(parent)
    , m_job(job)
    , m_intro(new QLabel(this))
    , m_code(new QLabel(this))
    , m_url(new QLabel(this))
    , m_status(new QLabel(this))
    , m_openBrowser(new QPushButton(tr("Open browser"), this))
    , m_copyCode(new QPushButton(tr("Copy code"), this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
{
    job->setParent(this);
    const QString scope = job->profileName() + QLatin1Char('/') + job->environmentName();
    setWindowTitle(tr("Sign in to %1").arg(scope));

    m_intro->setText(tr("Open the sign-in page in a browser and enter this code:"));
    m_intro->setWordWrap(true);

    // The desktop's fixed font; the hint keeps it monospaced where that family is missing.
    QFont codeFont = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    codeFont.setStyleHint(QFont::Monospace);
    codeFont.setPointSizeF(codeFont.pointSizeF() * 2.4);
    codeFont.setBold(true);
    codeFont.setLetterSpacing(QFont::PercentageSpacing, 110);
    m_code->setFont(codeFont);
    m_code->setObjectName(QStringLiteral("userCode"));
    m_code->setAlignment(Qt::AlignCenter);
    m_code->setTextFormat(Qt::PlainText);
    m_code->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_code->setFrameShape(QFrame::StyledPanel);
    m_code->setMinimumHeight(m_code->fontMetrics().height() * 2);
    m_code->setText(QStringLiteral("…"));

    m_url->setObjectName(QStringLiteral("verificationUrl"));
    m_url->setAlignment(Qt::AlignCenter);
    m_url->setTextFormat(Qt::PlainText);
    m_url->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_url->setWordWrap(true);

    m_status->setObjectName(QStringLiteral("status"));
    m_status->setTextFormat(Qt::PlainText);
    m_status->setWordWrap(true);
    m_status->setMinimumHeight(m_status->fontMetrics().lineSpacing() * 2);
    m_status->setAlignment(Qt::AlignLeft | Qt::AlignTop);

    m_openBrowser->setObjectName(QStringLiteral("openBrowser"));
    m_openBrowser->setIcon(QIcon::fromTheme(QStringLiteral("internet-web-browser")));
    m_openBrowser->setEnabled(false);
    m_openBrowser->setDefault(true);
    m_copyCode->setObjectName(QStringLiteral("copyCode"));
    m_copyCode->setIcon(QIcon::fromTheme(QStringLiteral("edit-copy")));
    m_copyCode->setEnabled(false);
    m_copyCode->setAutoDefault(false);
    m_cancel->setObjectName(QStringLiteral("cancel"));
    m_cancel->setAutoDefault(false);

    auto *actions = new QHBoxLayout;
    actions->addStretch(1);
    actions->addWidget(m_openBrowser);
    actions->addWidget(m_copyCode);
    actions->addStretch(1);

    auto *buttons = new QDialogButtonBox(this);
    buttons->addButton(m_cancel, QDialogButtonBox::RejectRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &SignInDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_intro);
    layout->addSpacing(4);
    layout->addWidget(m_code);
    layout->addWidget(m_url);
    layout->addLayout(actions);
    layout->addSpacing(8);
    layout->addWidget(m_status);
    layout->addStretch(1);
    layout->addWidget(buttons);
    setMinimumWidth(440);

    connect(m_openBrowser, &QPushButton::clicked, this, &SignInDialog::openBrowser);
    connect(m_copyCode, &QPushButton::clicked, this, &SignInDialog::copyCode);
    connect(job, &SignInJob::userCodeReady, this, &SignInDialog::onUserCodeReady);
    connect(job, &SignInJob::statusChanged, this, &SignInDialog::onStatusChanged);
    connect(job, &SignInJob::finished, this, &SignInDialog::onFinished);
    setStatus(tr("Contacting the sign-in service…"));
    job->start();
}

SignInDialog::~SignInDialog() = default;

QUrl SignInDialog::browserUrl() const
{
    return m_verificationUriComplete.isEmpty() ? m_verificationUri : m_verificationUriComplete;
}

QString SignInDialog::statusText() const
{
    return m_status->text();
}

void SignInDialog::reject()
{
    m_closing = true;
    if (!m_job->isFinished())
        m_job->cancel();
    QDialog::reject();
}

void SignInDialog::onUserCodeReady(const QString &userCode, const QUrl &verificationUri,
                                   const QUrl &verificationUriComplete, const QDateTime &expiresAt)
{
    m_userCode = userCode;
    m_verificationUri = verificationUri;
    m_verificationUriComplete = verificationUriComplete;
    m_expiresAt = expiresAt;
    m_code->setText(userCode);
    m_url->setText(verificationUri.toDisplayString());
    m_openBrowser->setEnabled(browserUrl().isValid());
    m_copyCode->setEnabled(!userCode.isEmpty());
    onStatusChanged(QStringLiteral("pending"));
}

void SignInDialog::onStatusChanged(const QString &status)
{
    const QString expiry
        = QLocale().toString(m_expiresAt.toLocalTime().time(), QLocale::ShortFormat);
    if (status == QLatin1String("slow_down"))
        setStatus(
            tr("The sign-in service asked to be checked less often. Still waiting for approval…"));
    else if (status == QLatin1String("retrying"))
        setStatus(
            tr("The sign-in service could not be reached; trying again. The code expires at %1.")
                .arg(expiry));
    else
        setStatus(tr("Waiting for approval in the browser. The code expires at %1.").arg(expiry));
}

void SignInDialog::onFinished()
{
    if (m_closing)
        return;
    const auto &result = m_job->result();
    if (result) {
        accept();
        return;
    }
    if (result.error().code == ErrorCode::Cancelled) { // by the caller, not by this dialog
        QDialog::reject();
        return;
    }
    m_failed = true;
    setStatus(failureText(result.error()));
    m_status->setStyleSheet(QStringLiteral("color: #b00020;"));
    m_openBrowser->setEnabled(false);
    m_copyCode->setEnabled(false);
    m_cancel->setText(tr("Close"));
    m_cancel->setDefault(true);
    m_cancel->setFocus();
}

void SignInDialog::openBrowser()
{
    QDesktopServices::openUrl(browserUrl());
}

void SignInDialog::copyCode()
{
    // A user code is not a secret: it is useless without the person's own sign-in.
    QGuiApplication::clipboard()->setText(m_userCode);
}

void SignInDialog::setStatus(const QString &text)
{
    m_status->setText(text);
}

QString SignInDialog::failureText(const Error &error)
{
    const QString detail = redactSecrets(error.detail);
    if (error.reason == QLatin1String("access_denied"))
        return tr("The sign-in was denied.");
    if (error.reason == QLatin1String("expired_token"))
        return tr(
            "The code expired before the sign-in was approved. Close this window and try again.");
    switch (error.code) {
    case ErrorCode::KeychainLocked:
        return tr("The keychain is locked. Unlock it and try again; nothing was changed.");
    case ErrorCode::NoKeychain:
        return tr("No keychain is available, so the sign-in cannot be stored.");
    case ErrorCode::Network:
    case ErrorCode::Timeout:
        return tr("The sign-in service could not be reached: %1").arg(detail);
    case ErrorCode::NotFound:
        return tr("The profile or environment was removed while signing in.");
    default:
        return tr("The sign-in failed: %1").arg(detail);
    }
}

} // namespace TokenTray
