#pragma once

#include <QObject>
#include <QString>

class QLocalServer;

namespace TokenTray {

// One tray app per config directory: the first instance listens on a private local socket
// (in $XDG_RUNTIME_DIR/tokentray, 0700); a second launch for the same directory tells it to
// raise its window and exits.
class SingleInstance final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SingleInstance)
public:
    explicit SingleInstance(const QString &configDir, QObject *parent = nullptr);
    ~SingleInstance() override;

    // True: this process is the instance (it now listens). False: another one runs and was
    // asked to raise itself.
    bool claim();
    [[nodiscard]] QString socketPath() const { return m_socketPath; }
    static QString socketPathFor(const QString &configDir);

Q_SIGNALS:
    void raiseRequested();

private:
    QString m_socketPath;
    QLocalServer *m_server = nullptr;
};

} // namespace TokenTray
