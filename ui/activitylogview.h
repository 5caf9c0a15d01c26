#pragma once

#include <QWidget>

class QTreeView;

namespace TokenTray {

class ActivityLog;

// The activity log as a window: one row per event, newest at the bottom (followed while the view
// is scrolled to the end), and "Clear".
class ActivityLogView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ActivityLogView)
public:
    explicit ActivityLogView(ActivityLog *log, QWidget *parent = nullptr);
    ~ActivityLogView() override;

    [[nodiscard]] QTreeView *view() const { return m_view; }

private:
    QTreeView *m_view;
    bool m_follow = true;
};

} // namespace TokenTray
