#include "ui/profileform.h"

#include "core/model/configedits.h"
#include "core/model/kindrules.h"
#include "core/workspace/workspace.h"
#include "ui/fieldmessage.h"
#include "ui/managertext.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace TokenTray {

ProfileForm::ProfileForm(Workspace *workspace, const QString &profileId, QWidget *parent)
    : QDialog(parent)
    , m_workspace(workspace)
    , m_profileId(profileId)
    , m_name(new QLineEdit(this))
    , m_nameMessage(new FieldMessage(this))
    , m_kind(new QComboBox(this))
    , m_grantLabel(new QLabel(tr("&Grant:"), this))
    , m_grant(new QComboBox(this))
    , m_refresh(new QComboBox(this))
    , m_error(new FieldMessage(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setObjectName(QStringLiteral("profileForm"));
    m_name->setObjectName(QStringLiteral("name"));
    m_nameMessage->setObjectName(QStringLiteral("nameMessage"));
    m_kind->setObjectName(QStringLiteral("kind"));
    m_grant->setObjectName(QStringLiteral("grant"));
    m_refresh->setObjectName(QStringLiteral("refresh"));
    m_error->setObjectName(QStringLiteral("error"));

    for (ProfileKind k : {ProfileKind::OAuth2, ProfileKind::AwsAssumeRole,
                          ProfileKind::AwsAccessKey, ProfileKind::StaticToken})
        m_kind->addItem(ManagerText::kind(k), static_cast<int>(k));
    for (Grant g : {Grant::ClientCredentials, Grant::RefreshToken, Grant::DeviceCode})
        m_grant->addItem(ManagerText::grant(g), static_cast<int>(g));
    for (RefreshPolicy p : {RefreshPolicy::Deferred, RefreshPolicy::Eager})
        m_refresh->addItem(ManagerText::refreshPolicy(p), static_cast<int>(p));
    m_grantLabel->setBuddy(m_grant);
    m_name->setPlaceholderText(tr("e.g. work-api"));

    const Profile *existing = m_workspace->config().profileById(profileId);
    if (existing) {
        setWindowTitle(tr("Edit profile %1").arg(existing->name));
        m_name->setText(existing->name);
        m_kind->setCurrentIndex(m_kind->findData(static_cast<int>(existing->kind)));
        if (existing->grant != Grant::None)
            m_grant->setCurrentIndex(m_grant->findData(static_cast<int>(existing->grant)));
        m_refresh->setCurrentIndex(m_refresh->findData(static_cast<int>(existing->refresh)));
        // Every environment's fields were chosen for this kind.
        if (!existing->environments.isEmpty()) {
            m_kind->setEnabled(false);
            m_kind->setToolTip(tr("The kind cannot change once the profile has environments."));
        }
    } else {
        setWindowTitle(tr("Add profile"));
        m_profileId.clear();
    }

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("&Name:"), FieldMessage::below(m_name, m_nameMessage, this));
    form->addRow(tr("&Kind:"), m_kind);
    form->addRow(m_grantLabel, m_grant);
    form->addRow(tr("&Refresh:"), m_refresh);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addStretch(1);
    layout->addWidget(m_buttons);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &ProfileForm::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &ProfileForm::reject);
    connect(m_name, &QLineEdit::textChanged, this, &ProfileForm::updateForm);
    connect(m_kind, &QComboBox::currentIndexChanged, this, &ProfileForm::updateForm);
    updateForm();
    setMinimumWidth(420);
}

ProfileForm::~ProfileForm() = default;

QPushButton *ProfileForm::okButton() const
{
    return m_buttons->button(QDialogButtonBox::Ok);
}

QString ProfileForm::nameMessage() const
{
    return m_nameMessage->message();
}

QString ProfileForm::errorMessage() const
{
    return m_error->message();
}

ProfileKind ProfileForm::selectedKind() const
{
    return static_cast<ProfileKind>(m_kind->currentData().toInt());
}

Grant ProfileForm::selectedGrant() const
{
    return kindUsesGrant(selectedKind()) ? static_cast<Grant>(m_grant->currentData().toInt())
                                         : Grant::None;
}

RefreshPolicy ProfileForm::selectedRefresh() const
{
    return static_cast<RefreshPolicy>(m_refresh->currentData().toInt());
}

bool ProfileForm::isValid() const
{
    return static_cast<bool>(checkProfileName(m_workspace->config(), m_name->text(), m_profileId));
}

void ProfileForm::updateForm()
{
    const auto name = checkProfileName(m_workspace->config(), m_name->text(), m_profileId);
    m_nameMessage->setMessage(name ? QString()
                                   : ManagerText::nameProblem(name.error(), m_name->text(), false));
    const bool usesGrant = kindUsesGrant(selectedKind());
    m_grantLabel->setVisible(usesGrant);
    m_grant->setVisible(usesGrant);
    okButton()->setEnabled(static_cast<bool>(name) && !m_workspace->isReadOnly());
    FieldMessage::growToFit(this);
}

void ProfileForm::accept()
{
    if (!isValid())
        return;
    const QString name = m_name->text();
    Result<void> saved;
    if (m_profileId.isEmpty()) {
        Profile profile;
        profile.name = name;
        profile.kind = selectedKind();
        profile.grant = selectedGrant();
        profile.refresh = selectedRefresh();
        QString newId;
        saved = m_workspace->update([&profile, &newId](Config &c) -> Result<void> {
            auto added = addProfile(c, profile);
            if (!added)
                return added.error();
            newId = *added;
            return {};
        });
        if (saved)
            m_profileId = newId;
    } else {
        saved = m_workspace->update([this, &name](Config &c) {
            return editProfile(c, m_profileId, name, selectedKind(), selectedGrant(),
                               selectedRefresh());
        });
    }
    if (!saved) {
        m_error->setMessage(ManagerText::error(saved.error()));
        return;
    }
    QDialog::accept();
}

} // namespace TokenTray
