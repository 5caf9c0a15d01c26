#pragma once

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QSpinBox;

namespace TokenTray {

class AppSettings;

// Edits AppSettings. Shows the stored values on open; OK writes the changed ones and stays open
// with the reason when one cannot be written (e.g. profiles.json is read-only).
class SettingsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SettingsDialog)
public:
    explicit SettingsDialog(AppSettings *settings, QWidget *parent = nullptr);
    ~SettingsDialog() override;

    // Writes the edited values; false (with the reason shown) when one could not be written.
    bool apply();
    void accept() override;

    [[nodiscard]] QSpinBox *clipboardClearSpin() const { return m_clipboardClear; }
    [[nodiscard]] QCheckBox *confirmProtectedCheck() const { return m_confirmProtected; }
    [[nodiscard]] QCheckBox *notificationsCheck() const { return m_notifications; }
    [[nodiscard]] QComboBox *refreshPolicyCombo() const { return m_refreshPolicy; }
    [[nodiscard]] QSpinBox *maxConcurrencySpin() const { return m_maxConcurrency; }
    [[nodiscard]] QCheckBox *autostartCheck() const { return m_autostart; }
    [[nodiscard]] QComboBox *languageCombo() const { return m_language; }
    [[nodiscard]] QLabel *errorLabel() const { return m_error; }

private:
    void load();

    AppSettings *m_settings;
    QSpinBox *m_clipboardClear;
    QCheckBox *m_confirmProtected;
    QCheckBox *m_notifications;
    QComboBox *m_refreshPolicy;
    QSpinBox *m_maxConcurrency;
    QCheckBox *m_autostart;
    QComboBox *m_language;
    QLabel *m_error;
};

} // namespace TokenTray
