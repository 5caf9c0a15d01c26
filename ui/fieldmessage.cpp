#include "ui/fieldmessage.h"

#include <QLayout>
#include <QPalette>
#include <QVBoxLayout>

namespace TokenTray {

FieldMessage::FieldMessage(QWidget *parent)
    : QLabel(parent)
{
    setTextFormat(Qt::PlainText);
    setWordWrap(true);
    // Selectable, so a long reason can be copied into a bug report.
    setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette p = palette();
    p.setColor(QPalette::WindowText, QColor(0xc0, 0x1c, 0x28));
    setPalette(p);
    setVisible(false);
}

FieldMessage::~FieldMessage() = default;

void FieldMessage::setMessage(const QString &message)
{
    setText(message);
    setVisible(!message.isEmpty());
}

QWidget *FieldMessage::below(QWidget *editor, FieldMessage *message, QWidget *parent)
{
    auto *box = new QWidget(parent);
    auto *column = new QVBoxLayout(box);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(2);
    column->addWidget(editor);
    column->addWidget(message);
    box->setFocusProxy(editor);
    return box;
}

void FieldMessage::growToFit(QWidget *window)
{
    QLayout *layout = window->layout();
    if (!layout || !window->isVisible())
        return;
    layout->activate();
    // Wrapped labels need more height at this width than the layout's size hint says.
    const int needed = layout->hasHeightForWidth() ? layout->totalHeightForWidth(window->width())
                                                   : layout->totalSizeHint().height();
    if (needed > window->height())
        window->resize(window->width(), needed);
}

} // namespace TokenTray
