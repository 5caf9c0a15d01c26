#include "ui/mfadialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QTimer>
#include <QVBoxLayout>

namespace TokenTray {

MfaDialog::MfaDialog(MfaRequest *request, QWidget *parent)
    : QDialog(parent)
    , m_request(request)
    , m_intro(new QLabel(this))
    , m_code(new QLineEdit(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    const MfaChallenge &c = request->challenge();
    const QString scope = c.profileName + QLatin1Char('/') + c.environmentName;
    setWindowTitle(tr("MFA code for %1").arg(scope));
    setAttribute(Qt::WA_DeleteOnClose);

    m_intro->setWordWrap(true);
    m_intro->setText(tr("Enter the current code of your MFA device to renew the credentials of "
                        "<b>%1</b>.")
                         .arg(scope.toHtmlEscaped()));
    auto *role = new QLabel(c.roleArn, this);
    role->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *device = new QLabel(c.serial, this);
    device->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_code->setObjectName(QStringLiteral("mfaCode"));
    m_code->setValidator(
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[0-9]{0,6}")), m_code));
    m_code->setPlaceholderText(tr("6 digits"));
    m_code->setInputMethodHints(Qt::ImhDigitsOnly | Qt::ImhSensitiveData | Qt::ImhNoPredictiveText);
    QFont big = m_code->font();
    big.setPointSizeF(big.pointSizeF() * 1.6);
    big.setLetterSpacing(QFont::AbsoluteSpacing, 4);
    m_code->setFont(big);
    m_code->setMaxLength(6);

    auto *form = new QFormLayout;
    form->setLabelAlignment(Qt::AlignLeft | Qt::AlignVCenter); // beside the tall code field
    form->addRow(tr("Role:"), role);
    form->addRow(tr("MFA device:"), device);
    form->addRow(tr("Code:"), m_code);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_intro);
    layout->addLayout(form);
    layout->addWidget(m_buttons);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &MfaDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &MfaDialog::reject);
    connect(m_code, &QLineEdit::textChanged, this, &MfaDialog::updateOk);
    // The refresh gave up (deadline, quit): nothing to answer any more.
    connect(request, &QObject::destroyed, this, [this] { QDialog::reject(); });
    updateOk();
    m_code->setFocus();
}

MfaDialog::~MfaDialog()
{
    if (m_request && !m_request->isFinished())
        m_request->decline(Error {ErrorCode::Cancelled, QStringLiteral("MFA dialog closed")});
}

void MfaDialog::updateOk()
{
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(isValidMfaCode(m_code->text().toLatin1()));
}

void MfaDialog::accept()
{
    const QByteArray code = m_code->text().toLatin1();
    if (!isValidMfaCode(code))
        return;
    if (m_request)
        m_request->answer(Secret(code));
    m_code->clear();
    QDialog::accept();
}

void MfaDialog::reject()
{
    if (m_request && !m_request->isFinished())
        m_request->decline(Error {ErrorCode::Cancelled, QStringLiteral("MFA code not given")});
    m_code->clear();
    QDialog::reject();
}

DialogMfaPrompter::DialogMfaPrompter(QObject *parent)
    : QObject(parent)
{
}

DialogMfaPrompter::~DialogMfaPrompter()
{
    delete m_dialog;
}

void DialogMfaPrompter::ask(MfaRequest *request)
{
    m_waiting.append(request);
    if (!m_dialog)
        QTimer::singleShot(0, this, &DialogMfaPrompter::showNext);
}

void DialogMfaPrompter::showNext()
{
    if (m_dialog)
        return;
    while (!m_waiting.isEmpty()) {
        const QPointer<MfaRequest> next = m_waiting.takeFirst();
        if (!next || next->isFinished())
            continue;
        m_dialog = new MfaDialog(next);
        connect(m_dialog, &QDialog::finished, this, [this] {
            m_dialog = nullptr; // closing: it deletes itself
            QTimer::singleShot(0, this, &DialogMfaPrompter::showNext);
        });
        m_dialog->show();
        m_dialog->raise();
        m_dialog->activateWindow();
        Q_EMIT dialogShown(m_dialog);
        return;
    }
}

} // namespace TokenTray
