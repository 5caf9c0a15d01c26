#include "ui/trayicons.h"

#include <QPainter>
#include <QPainterPath>
#include <QSvgRenderer>

namespace TokenTray {

QString statusIconName(Severity severity)
{
    switch (severity) {
    case Severity::Good:
        return QStringLiteral("green");
    case Severity::Warning:
        return QStringLiteral("amber");
    case Severity::Critical:
        return QStringLiteral("red");
    case Severity::None:
    case Severity::Locked:
        break;
    }
    return QStringLiteral("grey");
}

QIcon statusIcon(Severity severity, bool protectedMark)
{
    const QString path = QStringLiteral(":/icons/status-%1.svg").arg(statusIconName(severity));
    if (!protectedMark)
        return QIcon(path);
    QSvgRenderer renderer(path);
    QIcon icon;
    for (const int size : {16, 22, 24, 32, 48, 64}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        renderer.render(&painter, QRectF(0, 0, size, size));
        // The PROD badge: a violet diamond with a white rim, bottom right, readable at 16 px.
        const qreal d = size * 0.46;
        const QPointF c(size - d / 2 - 0.5, size - d / 2 - 0.5);
        QPainterPath diamond;
        diamond.moveTo(c.x(), c.y() - d / 2);
        diamond.lineTo(c.x() + d / 2, c.y());
        diamond.lineTo(c.x(), c.y() + d / 2);
        diamond.lineTo(c.x() - d / 2, c.y());
        diamond.closeSubpath();
        painter.setPen(QPen(Qt::white, qMax(1.0, size / 16.0)));
        painter.setBrush(QColor(0x6a, 0x2c, 0x9e));
        painter.drawPath(diamond);
        painter.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

} // namespace TokenTray
