#pragma once

#include "core/aws/mfa.h"

#include <QDialog>
#include <QList>
#include <QPointer>

class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace TokenTray {

// Asks the person for the six-digit code of an MFA device so a role can be assumed: which
// profile and environment, the role and the device, a digits-only field. OK is enabled only for
// six digits. Answers the request on accept, declines it on cancel, and closes by itself when
// the request goes away (the refresh was abandoned).
class MfaDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MfaDialog)
public:
    explicit MfaDialog(MfaRequest *request, QWidget *parent = nullptr);
    ~MfaDialog() override;

    [[nodiscard]] QLineEdit *codeEdit() const { return m_code; }
    [[nodiscard]] QDialogButtonBox *buttons() const { return m_buttons; }
    [[nodiscard]] MfaRequest *request() const { return m_request; }

    void accept() override;
    void reject() override;

private:
    void updateOk();

    QPointer<MfaRequest> m_request;
    QLabel *m_intro;
    QLineEdit *m_code;
    QDialogButtonBox *m_buttons;
};

// The tray app's MfaPrompter: one dialog at a time, further challenges wait their turn, so a
// background refresh can ask the person. Raises the dialog so it is seen even when the manager
// window is closed.
class DialogMfaPrompter final : public QObject, public MfaPrompter
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DialogMfaPrompter)
public:
    explicit DialogMfaPrompter(QObject *parent = nullptr);
    ~DialogMfaPrompter() override;

    void ask(MfaRequest *request) override;
    [[nodiscard]] MfaDialog *currentDialog() const { return m_dialog; }

Q_SIGNALS:
    void dialogShown(TokenTray::MfaDialog *dialog);

private:
    void showNext();

    QList<QPointer<MfaRequest>> m_waiting;
    QPointer<MfaDialog> m_dialog;
};

} // namespace TokenTray
