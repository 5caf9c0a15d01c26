#include "ui/settingsdialog.h"

#include "core/util/redact.h"
#include "ui/settings.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace TokenTray {

SettingsDialog::SettingsDialog(AppSettings *settings, QWidget *parent)
    : QDialog(parent)
    , m_settings(settings)
    , m_clipboardClear(new QSpinBox(this))
    , m_confirmProtected(
          new QCheckBox(tr("Ask before copying a token of a protected environment"), this))
    , m_notifications(new QCheckBox(tr("Show notifications"), this))
    , m_refreshPolicy(new QComboBox(this))
    , m_maxConcurrency(new QSpinBox(this))
    , m_autostart(new QCheckBox(tr("Start TokenTray when I log in"), this))
    , m_language(new QComboBox(this))
    , m_error(new QLabel(this))
{
    setWindowTitle(tr("TokenTray Settings"));

    m_clipboardClear->setRange(0, AppSettings::kMaxClipboardClearSeconds);
    m_clipboardClear->setSuffix(tr(" s"));
    m_clipboardClear->setSpecialValueText(tr("Never"));
    m_clipboardClear->setObjectName(QStringLiteral("clipboardClear"));
    m_confirmProtected->setObjectName(QStringLiteral("confirmProtected"));
    m_notifications->setObjectName(QStringLiteral("notifications"));
    m_refreshPolicy->addItem(tr("When a tool asks (deferred)"),
                             QVariant::fromValue(static_cast<int>(RefreshPolicy::Deferred)));
    m_refreshPolicy->addItem(tr("Before it expires (eager)"),
                             QVariant::fromValue(static_cast<int>(RefreshPolicy::Eager)));
    m_refreshPolicy->setObjectName(QStringLiteral("refreshPolicy"));
    m_maxConcurrency->setRange(1, 256);
    m_maxConcurrency->setObjectName(QStringLiteral("maxConcurrency"));
    m_autostart->setObjectName(QStringLiteral("autostart"));
    m_language->addItem(tr("System default"), QString());
    m_language->addItem(QStringLiteral("English"), QStringLiteral("en"));
    m_language->addItem(QStringLiteral("Deutsch"), QStringLiteral("de"));
    m_language->setObjectName(QStringLiteral("language"));
    m_error->setObjectName(QStringLiteral("error"));
    m_error->setTextFormat(Qt::PlainText);
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #b00020;"));
    m_error->hide();

    auto *clipboard = new QGroupBox(tr("Clipboard"), this);
    auto *clipboardForm = new QFormLayout(clipboard);
    clipboardForm->addRow(tr("Clear copied tokens after:"), m_clipboardClear);
    clipboardForm->addRow(m_confirmProtected);

    auto *tokens = new QGroupBox(tr("Tokens"), this);
    auto *tokensForm = new QFormLayout(tokens);
    tokensForm->addRow(tr("Refresh new profiles:"), m_refreshPolicy);
    tokensForm->addRow(tr("Requests at once, at most:"), m_maxConcurrency);

    auto *desktop = new QGroupBox(tr("Desktop"), this);
    auto *desktopForm = new QFormLayout(desktop);
    desktopForm->addRow(m_notifications);
    desktopForm->addRow(m_autostart);
    desktopForm->addRow(tr("Language:"), m_language);
    auto *restartNote = new QLabel(tr("A new language is used after TokenTray restarts."), this);
    restartNote->setWordWrap(true);
    restartNote->setEnabled(false);
    desktopForm->addRow(restartNote);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(clipboard);
    layout->addWidget(tokens);
    layout->addWidget(desktop);
    layout->addWidget(m_error);
    layout->addStretch(1);
    layout->addWidget(buttons);
    load();
}

SettingsDialog::~SettingsDialog() = default;

void SettingsDialog::load()
{
    m_clipboardClear->setValue(m_settings->clipboardClearSeconds());
    m_confirmProtected->setChecked(m_settings->confirmProtectedCopy());
    m_notifications->setChecked(m_settings->notificationsEnabled());
    m_refreshPolicy->setCurrentIndex(
        m_refreshPolicy->findData(static_cast<int>(m_settings->defaultRefreshPolicy())));
    m_maxConcurrency->setValue(m_settings->maxConcurrency());
    m_maxConcurrency->setEnabled(m_settings->canSetMaxConcurrency());
    if (!m_settings->canSetMaxConcurrency())
        m_maxConcurrency->setToolTip(tr("Kept in profiles.json, which cannot be changed now."));
    m_autostart->setChecked(m_settings->autostart());
    m_language->setCurrentIndex(qMax(0, m_language->findData(m_settings->language())));
}

bool SettingsDialog::apply()
{
    m_settings->setClipboardClearSeconds(m_clipboardClear->value());
    m_settings->setConfirmProtectedCopy(m_confirmProtected->isChecked());
    m_settings->setNotificationsEnabled(m_notifications->isChecked());
    m_settings->setDefaultRefreshPolicy(
        static_cast<RefreshPolicy>(m_refreshPolicy->currentData().toInt()));
    m_settings->setLanguage(m_language->currentData().toString());

    QStringList failures;
    if (m_settings->canSetMaxConcurrency()) {
        if (auto r = m_settings->setMaxConcurrency(m_maxConcurrency->value()); !r)
            failures << tr("The number of requests at once was not saved: %1")
                            .arg(redactSecrets(r.error().detail));
    }
    if (m_autostart->isChecked() != m_settings->autostart()) {
        if (auto r = m_settings->setAutostart(m_autostart->isChecked()); !r)
            failures << tr("The login autostart entry was not changed: %1")
                            .arg(redactSecrets(r.error().detail));
    }
    m_error->setText(failures.join(QLatin1Char('\n')));
    m_error->setVisible(!failures.isEmpty());
    return failures.isEmpty();
}

void SettingsDialog::accept()
{
    if (apply())
        QDialog::accept();
}

} // namespace TokenTray
