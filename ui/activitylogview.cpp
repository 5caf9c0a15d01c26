#include "ui/activitylogview.h"

#include "ui/activitylog.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QPushButton>
#include <QScrollBar>
#include <QTreeView>
#include <QVBoxLayout>

namespace TokenTray {

ActivityLogView::ActivityLogView(ActivityLog *log, QWidget *parent)
    : QWidget(parent)
    , m_view(new QTreeView(this))
{
    setWindowTitle(tr("TokenTray Activity"));
    m_view->setModel(log);
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setAlternatingRowColors(true);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->header()->setSectionResizeMode(ActivityLog::TimeColumn, QHeaderView::ResizeToContents);
    m_view->header()->setSectionResizeMode(ActivityLog::EventColumn, QHeaderView::ResizeToContents);
    m_view->header()->setSectionResizeMode(ActivityLog::ScopeColumn, QHeaderView::ResizeToContents);
    m_view->header()->setStretchLastSection(true);

    // Follow new entries only while the person has not scrolled up to read older ones.
    QScrollBar *bar = m_view->verticalScrollBar();
    connect(bar, &QScrollBar::valueChanged, this,
            [this, bar](int value) { m_follow = value == bar->maximum(); });
    connect(log, &ActivityLog::rowsInserted, this, [this] {
        if (m_follow)
            m_view->scrollToBottom();
    });

    auto *buttons = new QDialogButtonBox(this);
    QPushButton *clear = buttons->addButton(tr("Clear"), QDialogButtonBox::ResetRole);
    connect(clear, &QPushButton::clicked, log, &ActivityLog::clear);
    QPushButton *close = buttons->addButton(QDialogButtonBox::Close);
    connect(close, &QPushButton::clicked, this, &QWidget::close);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_view, 1);
    layout->addWidget(buttons);
    resize(720, 360);
}

ActivityLogView::~ActivityLogView() = default;

} // namespace TokenTray
