#pragma once

#include <QWidget>

class QAction;
class QLabel;
class QModelIndex;
class QTreeView;

namespace TokenTray {

class FieldMessage;
class ProfileModel;
class SecretStore;
class Workspace;

// The manager window: the profiles and environments of the workspace as a tree, with Add
// profile, Add environment, Edit, Duplicate, Remove and Make current. Forms are their own
// dialogs (ProfileForm, EnvironmentForm); removal runs a RemovalJob that deletes the keychain
// items first (through `secrets`) and changes nothing when the keychain refuses. While the
// workspace is read-only (profiles.json could not be loaded) a banner shows the error and
// editing is disabled. Opened from the tray; the UI itself when there is no tray.
//
// Public API on purpose small: construct, show (showAndRaise), quitRequested(); treeView()
// for tests. Actions have object names (addProfileAction, addEnvironmentAction, editAction,
// duplicateAction, removeAction, makeCurrentAction) for tests and automation.
class ManagerWindow final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ManagerWindow)
public:
    ManagerWindow(Workspace *workspace, SecretStore *secrets, QWidget *parent = nullptr);
    ~ManagerWindow() override;

    [[nodiscard]] QTreeView *treeView() const { return m_tree; }
    [[nodiscard]] ProfileModel *model() const { return m_model; }

public Q_SLOTS:
    // Shows the window, raised and activated (the tray's "Open manager…").
    void showAndRaise();

Q_SIGNALS:
    void quitRequested();

private:
    void addProfile();
    void addEnvironment();
    void editSelected();
    void duplicateSelected();
    void removeSelected();
    void removeConfirmed(const QString &profileId, const QString &envName);
    void makeSelectedCurrent();

    void onConfigChanged();
    void updateActions();
    void showError(const QString &message);
    void showInfo(const QString &message);
    void select(const QString &profileId, const QString &envName = QString());
    void rememberSelection();
    void restoreSelection();
    [[nodiscard]] QModelIndex selectedIndex() const;
    [[nodiscard]] QString selectedProfileId() const;
    [[nodiscard]] QString selectedEnvironment() const;
    [[nodiscard]] QString profileName(const QString &profileId) const;
    QAction *makeAction(const QString &objectName, const QString &text, const QString &iconName,
                        void (ManagerWindow::*slot)());

    Workspace *m_workspace;
    SecretStore *m_secrets;
    ProfileModel *m_model;
    QLabel *m_banner;
    QTreeView *m_tree;
    QLabel *m_info;
    FieldMessage *m_error;
    QAction *m_addProfile = nullptr;
    QAction *m_addEnvironment = nullptr;
    QAction *m_edit = nullptr;
    QAction *m_duplicate = nullptr;
    QAction *m_remove = nullptr;
    QAction *m_makeCurrent = nullptr;
    QString m_keptProfileId; // the selection across a model reset
    QString m_keptEnv;
    bool m_busy = false; // a removal is under way
};

} // namespace TokenTray
