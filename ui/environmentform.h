#pragma once

#include "core/model/environment.h"
#include "core/model/kindrules.h"

#include <QDialog>
#include <QList>
#include <QPointer>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace TokenTray {

class FieldMessage;
class SecretField;
class SecretSaveJob;
class SecretStore;
class Workspace;

// Adds or edits one environment of a profile. Shows the fields of the profile's kind
// (environmentFields), checks each as it is typed (validateField), says under the field what
// the kind still needs (unmetRequirements), and keeps OK disabled while anything is wrong.
// Password fields take the kind's secrets (enterableSecretNames); a stored value is never shown,
// only said to be there. OK saves the environment through Workspace::update, then the typed
// secrets through a SecretSaveJob (indexed in the profile, written to the keychain) and clears
// the fields; a keychain refusal keeps the dialog open with the reason. The name of an
// existing environment is fixed: its keychain items are keyed by it.
class EnvironmentForm final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EnvironmentForm)
public:
    // An empty envName adds a new environment to the profile.
    EnvironmentForm(Workspace *workspace, SecretStore *secrets, const QString &profileId,
                    const QString &envName = QString(), QWidget *parent = nullptr);
    ~EnvironmentForm() override;

    [[nodiscard]] QString profileId() const { return m_profileId; }
    // The environment's name once it exists (after a successful save of a new one).
    [[nodiscard]] QString environmentName() const { return m_envName; }
    [[nodiscard]] bool isValid() const;
    [[nodiscard]] bool isSaving() const { return !m_job.isNull(); }

    [[nodiscard]] QLineEdit *nameEdit() const { return m_name; }
    // The editor of a field (QLineEdit, QComboBox, QSpinBox or QCheckBox); null when the
    // profile's kind has no such field.
    [[nodiscard]] QWidget *fieldEditor(EnvField field) const;
    [[nodiscard]] QString fieldMessage(EnvField field) const;
    [[nodiscard]] QString nameMessage() const;
    [[nodiscard]] QString errorMessage() const;
    [[nodiscard]] SecretField *secretField(const QString &secretName) const;
    [[nodiscard]] QPushButton *okButton() const;

    void accept() override;

private:
    struct Row
    {
        EnvField field;
        QWidget *editor = nullptr;
        FieldMessage *message = nullptr;
    };

    void addFieldRow(QFormLayout *form, EnvField field, const QStringList &sourceProfiles);
    [[nodiscard]] Environment environmentFromFields() const;
    [[nodiscard]] const Row *row(EnvField field) const;
    void updateForm();
    void storeSecrets();
    void onSecretsSaved();
    void setBusy(bool busy);
    void refreshStoredMarks();

    Workspace *m_workspace;
    SecretStore *m_secrets;
    QString m_profileId;
    QString m_envName;
    Environment m_original;
    QLineEdit *m_name;
    FieldMessage *m_nameMessage;
    QList<Row> m_rows;
    QList<SecretField *> m_secretFields;
    QLabel *m_status;
    FieldMessage *m_error;
    QDialogButtonBox *m_buttons;
    QPointer<SecretSaveJob> m_job;
    bool m_valid = false;
};

} // namespace TokenTray
