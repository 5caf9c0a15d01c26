#pragma once

#include "core/model/kinds.h"

#include <QDialog>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace TokenTray {

class FieldMessage;
class Workspace;

// Adds or edits a profile: name, kind (fixed once the profile has environments), grant (oauth2
// only) and refresh policy. The name is checked as it is typed (core's checkProfileName), the
// message shows under it and OK stays disabled while anything is invalid. OK saves through
// Workspace::update; a refusal keeps the dialog open with the reason.
class ProfileForm final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProfileForm)
public:
    // An empty profileId adds a new profile.
    ProfileForm(Workspace *workspace, const QString &profileId = QString(),
                QWidget *parent = nullptr);
    ~ProfileForm() override;

    // The profile's id: the new one after a successful add.
    [[nodiscard]] QString profileId() const { return m_profileId; }
    [[nodiscard]] bool isValid() const;

    [[nodiscard]] QLineEdit *nameEdit() const { return m_name; }
    [[nodiscard]] QComboBox *kindCombo() const { return m_kind; }
    [[nodiscard]] QComboBox *grantCombo() const { return m_grant; }
    [[nodiscard]] QComboBox *refreshCombo() const { return m_refresh; }
    [[nodiscard]] QPushButton *okButton() const;
    // The message under the name, and the one above the buttons (save refused).
    [[nodiscard]] QString nameMessage() const;
    [[nodiscard]] QString errorMessage() const;

    void accept() override;

private:
    void updateForm();
    [[nodiscard]] ProfileKind selectedKind() const;
    [[nodiscard]] Grant selectedGrant() const;
    [[nodiscard]] RefreshPolicy selectedRefresh() const;

    Workspace *m_workspace;
    QString m_profileId;
    QLineEdit *m_name;
    FieldMessage *m_nameMessage;
    QComboBox *m_kind;
    QLabel *m_grantLabel;
    QComboBox *m_grant;
    QComboBox *m_refresh;
    FieldMessage *m_error;
    QDialogButtonBox *m_buttons;
};

} // namespace TokenTray
