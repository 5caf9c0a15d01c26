#pragma once

#include <QWidget>

class QLabel;
class QTreeWidget;

namespace TokenTray {

struct Config;

// The manager window. In this first version: the profiles and environments as a read-only
// tree, or the configuration error that keeps the app read-only.
class ManagerWindow final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ManagerWindow)
public:
    explicit ManagerWindow(QWidget *parent = nullptr);
    ~ManagerWindow() override;

    void showConfig(const Config &config);
    void showConfigError(const QString &message);

    [[nodiscard]] QTreeWidget *tree() const { return m_tree; }

Q_SIGNALS:
    void quitRequested();

private:
    QLabel *m_banner;
    QTreeWidget *m_tree;
};

} // namespace TokenTray
