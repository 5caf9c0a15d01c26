#include "ui/managerwindow.h"

#include "core/model/configedits.h"
#include "core/workspace/removaljob.h"
#include "core/workspace/workspace.h"
#include "ui/environmentform.h"
#include "ui/fieldmessage.h"
#include "ui/managertext.h"
#include "ui/profileform.h"
#include "ui/profilemodel.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QIcon>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QToolBar>
#include <QTreeView>
#include <QVBoxLayout>

namespace TokenTray {

ManagerWindow::ManagerWindow(Workspace *workspace, SecretStore *secrets, QWidget *parent)
    : QWidget(parent)
    , m_workspace(workspace)
    , m_secrets(secrets)
    , m_model(new ProfileModel(workspace, this))
    , m_banner(new QLabel(this))
    , m_tree(new QTreeView(this))
    , m_info(new QLabel(this))
    , m_error(new FieldMessage(this))
{
    setWindowTitle(tr("Profiles"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/tokentray.svg")));

    auto *toolbar = new QToolBar(this);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_addProfile = makeAction(QStringLiteral("addProfileAction"), tr("Add profile…"),
                              QStringLiteral("list-add"), &ManagerWindow::addProfile);
    m_addEnvironment = makeAction(QStringLiteral("addEnvironmentAction"), tr("Add environment…"),
                                  QStringLiteral("document-new"), &ManagerWindow::addEnvironment);
    m_edit = makeAction(QStringLiteral("editAction"), tr("Edit…"), QStringLiteral("document-edit"),
                        &ManagerWindow::editSelected);
    m_duplicate = makeAction(QStringLiteral("duplicateAction"), tr("Duplicate"),
                             QStringLiteral("edit-copy"), &ManagerWindow::duplicateSelected);
    m_remove = makeAction(QStringLiteral("removeAction"), tr("Remove…"),
                          QStringLiteral("list-remove"), &ManagerWindow::removeSelected);
    m_makeCurrent
        = makeAction(QStringLiteral("makeCurrentAction"), tr("Make current"),
                     QStringLiteral("emblem-default"), &ManagerWindow::makeSelectedCurrent);
    m_edit->setShortcut(QKeySequence(Qt::Key_F2));
    m_remove->setShortcut(QKeySequence::Delete);
    m_addProfile->setShortcut(QKeySequence::New);
    toolbar->addAction(m_addProfile);
    toolbar->addAction(m_addEnvironment);
    toolbar->addSeparator();
    toolbar->addAction(m_edit);
    toolbar->addAction(m_duplicate);
    toolbar->addAction(m_remove);
    toolbar->addSeparator();
    toolbar->addAction(m_makeCurrent);

    m_banner->setObjectName(QStringLiteral("banner"));
    m_banner->setTextFormat(Qt::PlainText);
    m_banner->setWordWrap(true);
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_banner->setFrameShape(QFrame::StyledPanel);
    m_banner->setMargin(8);
    m_info->setObjectName(QStringLiteral("info"));
    m_info->setTextFormat(Qt::PlainText);
    m_info->setWordWrap(true);
    m_error->setObjectName(QStringLiteral("error"));

    m_tree->setObjectName(QStringLiteral("profileTree"));
    m_tree->setModel(m_model);
    m_tree->setSelectionMode(QAbstractItemView::SingleSelection);
    m_tree->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tree->setUniformRowHeights(true);
    m_tree->setAllColumnsShowFocus(true);
    m_tree->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_tree->header()->setStretchLastSection(true);
    m_tree->header()->setSectionResizeMode(ProfileModel::NameColumn, QHeaderView::ResizeToContents);
    m_tree->header()->setSectionResizeMode(ProfileModel::KindColumn, QHeaderView::ResizeToContents);
    m_tree->header()->setSectionResizeMode(ProfileModel::StateColumn,
                                           QHeaderView::ResizeToContents);
    m_tree->expandAll();
    connect(m_tree, &QTreeView::doubleClicked, this, &ManagerWindow::editSelected);
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ManagerWindow::updateActions);
    connect(m_model, &QAbstractItemModel::rowsInserted, m_tree, &QTreeView::expandAll);
    connect(m_model, &QAbstractItemModel::modelAboutToBeReset, this,
            &ManagerWindow::rememberSelection);
    connect(m_model, &QAbstractItemModel::modelReset, this, &ManagerWindow::restoreSelection);
    connect(m_workspace, &Workspace::configChanged, this, &ManagerWindow::onConfigChanged);

    auto *buttons = new QDialogButtonBox(this);
    QPushButton *quit = buttons->addButton(tr("Quit TokenTray"), QDialogButtonBox::DestructiveRole);
    quit->setObjectName(QStringLiteral("quitButton"));
    connect(quit, &QPushButton::clicked, this, &ManagerWindow::quitRequested);
    QPushButton *close = buttons->addButton(QDialogButtonBox::Close);
    connect(close, &QPushButton::clicked, this, &QWidget::close);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(toolbar);
    layout->addWidget(m_banner);
    layout->addWidget(m_tree, 1);
    layout->addWidget(m_error);
    layout->addWidget(m_info);
    layout->addWidget(buttons);
    resize(820, 460);
    onConfigChanged();
}

ManagerWindow::~ManagerWindow() = default;

QAction *ManagerWindow::makeAction(const QString &objectName, const QString &text,
                                   const QString &iconName, void (ManagerWindow::*slot)())
{
    auto *action = new QAction(QIcon::fromTheme(iconName), text, this);
    action->setObjectName(objectName);
    connect(action, &QAction::triggered, this, slot);
    return action;
}

void ManagerWindow::showAndRaise()
{
    show();
    raise();
    activateWindow();
}

void ManagerWindow::onConfigChanged()
{
    if (const auto error = m_workspace->loadError()) {
        m_banner->setText(
            tr("The configuration could not be loaded, so TokenTray is read-only until "
               "it is fixed:\n%1")
                .arg(error->detail));
        m_banner->setVisible(true);
    } else if (m_workspace->config().profiles.isEmpty()) {
        m_banner->setText(tr("No profiles yet. Add one with \"Add profile…\", then give it an "
                             "environment such as PROD or QA."));
        m_banner->setVisible(true);
    } else {
        m_banner->clear();
        m_banner->setVisible(false);
    }
    updateActions();
}

QModelIndex ManagerWindow::selectedIndex() const
{
    const QModelIndexList rows = m_tree->selectionModel()->selectedRows();
    return rows.isEmpty() ? QModelIndex() : rows.first();
}

QString ManagerWindow::selectedProfileId() const
{
    return selectedIndex().data(ProfileModel::ProfileIdRole).toString();
}

QString ManagerWindow::selectedEnvironment() const
{
    return selectedIndex().data(ProfileModel::EnvironmentNameRole).toString();
}

QString ManagerWindow::profileName(const QString &profileId) const
{
    const Profile *p = m_workspace->config().profileById(profileId);
    return p ? p->name : QString();
}

void ManagerWindow::updateActions()
{
    const bool editable = !m_workspace->isReadOnly() && !m_busy;
    const QModelIndex selected = selectedIndex();
    const bool hasSelection = selected.isValid();
    const bool isEnvironment = selected.data(ProfileModel::IsEnvironmentRole).toBool();
    bool isCurrent = selected.data(ProfileModel::IsCurrentRole).toBool();
    if (isEnvironment) // an active environment of a profile that is not current can still be chosen
        isCurrent = isCurrent && selected.parent().data(ProfileModel::IsCurrentRole).toBool();
    m_addProfile->setEnabled(editable);
    m_addEnvironment->setEnabled(editable && hasSelection);
    m_edit->setEnabled(editable && hasSelection);
    m_duplicate->setEnabled(editable && hasSelection);
    m_remove->setEnabled(editable && hasSelection);
    m_makeCurrent->setEnabled(editable && hasSelection && !isCurrent);
    m_makeCurrent->setText(isEnvironment ? tr("Activate environment") : tr("Make current"));
}

void ManagerWindow::showError(const QString &message)
{
    m_info->clear();
    m_error->setMessage(message);
}

void ManagerWindow::showInfo(const QString &message)
{
    m_error->setMessage(QString());
    m_info->setText(message);
}

void ManagerWindow::select(const QString &profileId, const QString &envName)
{
    const QModelIndex index = envName.isEmpty() ? m_model->profileIndex(profileId)
                                                : m_model->environmentIndex(profileId, envName);
    if (!index.isValid())
        return;
    m_tree->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_tree->scrollTo(index);
    updateActions();
}

void ManagerWindow::rememberSelection()
{
    m_keptProfileId = selectedProfileId();
    m_keptEnv = selectedEnvironment();
}

void ManagerWindow::restoreSelection()
{
    m_tree->expandAll();
    if (!m_keptProfileId.isEmpty())
        select(m_keptProfileId, m_keptEnv);
    updateActions();
}

void ManagerWindow::addProfile()
{
    auto *form = new ProfileForm(m_workspace, QString(), this);
    form->setAttribute(Qt::WA_DeleteOnClose);
    connect(form, &QDialog::accepted, this, [this, form] {
        select(form->profileId());
        showInfo(tr("Profile %1 added. Add an environment to it next.")
                     .arg(profileName(form->profileId())));
    });
    form->open();
}

void ManagerWindow::addEnvironment()
{
    const QString profileId = selectedProfileId();
    if (profileId.isEmpty())
        return;
    auto *form = new EnvironmentForm(m_workspace, m_secrets, profileId, QString(), this);
    form->setAttribute(Qt::WA_DeleteOnClose);
    connect(form, &QDialog::accepted, this, [this, form] {
        select(form->profileId(), form->environmentName());
        showInfo(tr("Environment %1 added.").arg(form->environmentName()));
    });
    form->open();
}

void ManagerWindow::editSelected()
{
    const QString profileId = selectedProfileId();
    if (profileId.isEmpty() || m_workspace->isReadOnly() || m_busy)
        return;
    const QString env = selectedEnvironment();
    QDialog *form = nullptr;
    if (env.isEmpty())
        form = new ProfileForm(m_workspace, profileId, this);
    else
        form = new EnvironmentForm(m_workspace, m_secrets, profileId, env, this);
    form->setAttribute(Qt::WA_DeleteOnClose);
    connect(form, &QDialog::accepted, this, [this] { showInfo(tr("Changes saved.")); });
    form->open();
}

void ManagerWindow::duplicateSelected()
{
    const QString profileId = selectedProfileId();
    if (profileId.isEmpty())
        return;
    const QString env = selectedEnvironment();
    QString copy;
    const auto done = m_workspace->update([&](Config &c) -> Result<void> {
        auto r = env.isEmpty() ? duplicateProfile(c, profileId)
                               : duplicateEnvironment(c, profileId, env);
        if (!r)
            return r.error();
        copy = *r;
        return {};
    });
    if (!done)
        return showError(ManagerText::error(done.error()));
    if (env.isEmpty()) {
        select(copy);
        showInfo(tr("Copied as %1. Secrets are not copied: enter them in its environments.")
                     .arg(profileName(copy)));
    } else {
        select(profileId, copy);
        showInfo(tr("Copied as %1. Secrets are not copied: enter them with Edit.").arg(copy));
    }
}

void ManagerWindow::removeSelected()
{
    const QString profileId = selectedProfileId();
    if (profileId.isEmpty() || m_busy)
        return;
    const QString env = selectedEnvironment();
    const Profile *profile = m_workspace->config().profileById(profileId);
    if (!profile)
        return;
    if (env.isEmpty()) {
        if (auto r = checkProfileRemovable(m_workspace->config(), profileId); !r)
            return showError(ManagerText::error(r.error()));
    }
    QString question;
    if (!env.isEmpty())
        question
            = tr("Remove the environment %1 of %2? Its secrets and cached tokens are deleted from "
                 "the keychain.")
                  .arg(env, profile->name);
    else if (profile->environments.isEmpty())
        question = tr("Remove the profile %1? Its secrets are deleted from the keychain.")
                       .arg(profile->name);
    else
        question
            = tr("Remove the profile %1 and its environments %2? Their secrets and cached tokens "
                 "are deleted from the keychain.")
                  .arg(profile->name, QLocale().createSeparatedList(profile->environmentNames()));
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Remove"), question, QMessageBox::NoButton,
                                this);
    box->setObjectName(QStringLiteral("confirmRemove"));
    box->setTextFormat(Qt::PlainText);
    QPushButton *remove = box->addButton(tr("Remove"), QMessageBox::DestructiveRole);
    remove->setObjectName(QStringLiteral("confirmRemoveButton"));
    box->setDefaultButton(box->addButton(QMessageBox::Cancel));
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this,
            [this, remove, profileId, env](QAbstractButton *clicked) {
                if (clicked == remove)
                    removeConfirmed(profileId, env);
            });
    box->open();
}

void ManagerWindow::removeConfirmed(const QString &profileId, const QString &envName)
{
    const QString name = envName.isEmpty() ? profileName(profileId) : envName;
    auto *job = new RemovalJob(m_workspace, m_secrets, profileId, envName, this);
    connect(job, &RemovalJob::finished, this, [this, job, name] {
        job->deleteLater();
        m_busy = false;
        if (job->result())
            showInfo(tr("Removed %1 and its keychain items.").arg(name));
        else if (!job->removedEntries().isEmpty())
            showError(
                ManagerText::partialRemoval(job->result().error(), name, job->notRemovedEntries()));
        else
            showError(ManagerText::error(job->result().error()));
        updateActions();
    });
    m_busy = true;
    updateActions();
    showInfo(tr("Deleting the keychain items of %1…").arg(name));
    job->start();
}

void ManagerWindow::makeSelectedCurrent()
{
    const QString profileId = selectedProfileId();
    if (profileId.isEmpty())
        return;
    m_workspace->switchTo(profileName(profileId), selectedEnvironment(), this,
                          [this](const Result<void> &switched) {
                              if (!switched)
                                  return showError(ManagerText::error(switched.error()));
                              updateActions();
                          });
}

} // namespace TokenTray
