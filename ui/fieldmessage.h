#pragma once

#include <QLabel>

namespace TokenTray {

// The message under a form field: plain text, wrapped, in the theme's error colour, hidden
// while there is nothing to say.
class FieldMessage final : public QLabel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FieldMessage)
public:
    explicit FieldMessage(QWidget *parent = nullptr);
    ~FieldMessage() override;

    void setMessage(const QString &message);
    [[nodiscard]] QString message() const { return text(); }

    // One form field: the editor with its message under it (focus goes to the editor, so a
    // label's buddy can be the returned widget).
    static QWidget *below(QWidget *editor, FieldMessage *message, QWidget *parent);
    // Makes a shown window tall enough for the wrapped messages it shows now.
    static void growToFit(QWidget *window);
};

} // namespace TokenTray
