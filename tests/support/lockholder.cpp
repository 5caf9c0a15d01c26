// Another process holding one of the store's locks, as a CLI refresh or edit would: takes the
// lock, prints "held", and lets go when its stdin closes or gets a line.
#include "core/store/profilestore.h"

#include <QCoreApplication>
#include <QLockFile>
#include <QStringList>

#include <cstdio>
#include <iostream>
#include <string>

using namespace TokenTray;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() != 3
        || (args.at(1) != QLatin1String("config") && args.at(1) != QLatin1String("refresh"))) {
        std::fprintf(stderr, "usage: lockholder config|refresh CONFIG_DIR\n");
        return 2;
    }
    const ProfileStore store(args.at(2));
    auto lock = args.at(1) == QLatin1String("config") ? store.lockForUpdate(5000)
                                                      : store.lockForRefresh(5000);
    if (!lock) {
        std::fprintf(stderr, "lockholder: %s\n", qPrintable(lock.error().detail));
        return 1;
    }
    std::printf("held\n");
    std::fflush(stdout);
    std::string line;
    std::getline(std::cin, line);
    return 0;
}
