#pragma once

#include "core/workspace/workspace.h"

#include <QIcon>

namespace TokenTray {

// The tray's status icon: the shield in the colour of `severity` (green good, amber soon,
// red needs attention, grey unknown or locked), with a violet badge in the corner when the
// current environment is protected (PROD). Rendered from SVG at every tray size.
QIcon statusIcon(Severity severity, bool protectedMark);
QString statusIconName(Severity severity); // "green", "amber", "red", "grey"

} // namespace TokenTray
