#include "ui/secretfield.h"

#include "core/util/secret.h"

#include <QAction>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QToolButton>

namespace TokenTray {

SecretField::SecretField(const QString &secretName, bool stored, QWidget *parent)
    : QWidget(parent)
    , m_name(secretName)
    , m_edit(new QLineEdit(this))
    , m_reveal(new QAction(tr("Reveal"), this))
{
    m_edit->setObjectName(QStringLiteral("secret:") + secretName);
    m_edit->setEchoMode(QLineEdit::Password);
    // No input method or completion history may keep a copy.
    m_edit->setAttribute(Qt::WA_InputMethodEnabled, false);
    setStored(stored);
    m_reveal->setObjectName(QStringLiteral("reveal:") + secretName);
    m_reveal->setCheckable(true);
    m_reveal->setToolTip(tr("Show what is typed"));
    auto *button = new QToolButton(this);
    button->setDefaultAction(m_reveal);
    connect(m_reveal, &QAction::toggled, this, &SecretField::setRevealed);
    connect(m_edit, &QLineEdit::textEdited, this, &SecretField::edited);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_edit, 1);
    layout->addWidget(button);
    setFocusProxy(m_edit);
}

SecretField::~SecretField()
{
    m_edit->clear();
}

bool SecretField::isEmpty() const
{
    return m_edit->text().isEmpty();
}

Secret SecretField::take()
{
    Secret value = Secret::fromUtf8(m_edit->text());
    clear();
    return value;
}

void SecretField::clear()
{
    m_edit->clear();
    m_reveal->setChecked(false);
}

void SecretField::setStored(bool stored)
{
    m_edit->setPlaceholderText(stored ? tr("stored — leave empty to keep") : tr("not stored"));
}

void SecretField::setRevealed(bool revealed)
{
    m_edit->setEchoMode(revealed ? QLineEdit::Normal : QLineEdit::Password);
}

} // namespace TokenTray
