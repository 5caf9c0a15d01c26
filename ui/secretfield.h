#pragma once

#include <QWidget>

class QAction;
class QLineEdit;

namespace TokenTray {

class Secret;

// A password field for one keychain item. What is typed is hidden unless "Reveal" is toggled
// on purpose; a stored value is never loaded into it (the placeholder says it is stored), so
// leaving it empty keeps the stored one. take() hands the value over and clears the field.
class SecretField final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SecretField)
public:
    SecretField(const QString &secretName, bool stored, QWidget *parent = nullptr);
    ~SecretField() override;

    [[nodiscard]] QString secretName() const { return m_name; }
    [[nodiscard]] bool isEmpty() const;
    [[nodiscard]] QLineEdit *lineEdit() const { return m_edit; }
    [[nodiscard]] QAction *revealAction() const { return m_reveal; }
    // The typed value; the field is empty afterwards.
    Secret take();
    void clear();
    // Whether the keychain holds a value (the placeholder says so).
    void setStored(bool stored);

Q_SIGNALS:
    void edited();

private:
    void setRevealed(bool revealed);

    QString m_name;
    QLineEdit *m_edit;
    QAction *m_reveal;
};

} // namespace TokenTray
