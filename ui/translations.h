#pragma once

class QCoreApplication;
class QLocale;

namespace TokenTray {

// Loads the embedded tokentray_<lang>.qm (and Qt's own translations) for `locale`.
// Returns whether a TokenTray translation was found.
bool installTranslations(QCoreApplication *app, const QLocale &locale);

} // namespace TokenTray
