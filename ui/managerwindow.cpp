#include "ui/managerwindow.h"

#include "core/model/config.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QIcon>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace TokenTray {

ManagerWindow::ManagerWindow(QWidget *parent)
    : QWidget(parent), m_banner(new QLabel(this)), m_tree(new QTreeWidget(this))
{
    setWindowTitle(tr("TokenTray"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/tokentray.svg")));
    m_banner->setWordWrap(true);
    m_banner->setTextFormat(Qt::PlainText);
    m_banner->setObjectName(QStringLiteral("banner"));
    m_tree->setHeaderLabels({tr("Profile / environment"), tr("Kind"), tr("Details")});
    m_tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_tree->setRootIsDecorated(true);

    auto *buttons = new QDialogButtonBox(this);
    QPushButton *quit = buttons->addButton(tr("Quit TokenTray"), QDialogButtonBox::DestructiveRole);
    connect(quit, &QPushButton::clicked, this, &ManagerWindow::quitRequested);
    QPushButton *close = buttons->addButton(QDialogButtonBox::Close);
    connect(close, &QPushButton::clicked, this, &QWidget::close);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_banner);
    layout->addWidget(m_tree, 1);
    layout->addWidget(buttons);
    resize(640, 400);
}

ManagerWindow::~ManagerWindow() = default;

void ManagerWindow::showConfig(const Config &config)
{
    m_tree->clear();
    m_banner->setText(config.profiles.isEmpty()
                              ? tr("No profiles yet. Add one with: tokentray-cli profile add NAME --kind oauth2")
                              : tr("Profiles are managed with tokentray-cli in this version."));
    for (const Profile &p : config.profiles) {
        auto *item = new QTreeWidgetItem(m_tree, {p.name, kindName(p.kind), QString()});
        if (p.id == config.currentProfileId) {
            QFont f = item->font(0);
            f.setBold(true);
            item->setFont(0, f);
            item->setText(2, tr("current"));
        }
        for (const Environment &env : p.environments) {
            QStringList details;
            if (env.name == p.activeEnvironment)
                details << tr("active");
            if (env.isProtected)
                details << tr("protected");
            new QTreeWidgetItem(item, {env.name, QString(), details.join(QStringLiteral(", "))});
        }
        item->setExpanded(true);
    }
}

void ManagerWindow::showConfigError(const QString &message)
{
    m_tree->clear();
    m_banner->setText(tr("The configuration could not be loaded, so TokenTray is read-only until "
                         "it is fixed:\n%1")
                              .arg(message));
}

} // namespace TokenTray
