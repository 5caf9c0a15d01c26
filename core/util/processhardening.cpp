#include "core/util/processhardening.h"

#if defined(__linux__)
#include <sys/prctl.h>
#include <sys/resource.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define TOKENTRAY_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TOKENTRAY_ASAN 1
#endif
#endif

namespace TokenTray {

bool hardenProcess()
{
#if defined(__linux__)
    const rlimit noCore {0, 0};
    const bool noCoreFile = ::setrlimit(RLIMIT_CORE, &noCore) == 0;
#if defined(TOKENTRAY_ASAN)
    return noCoreFile;
#else
    return ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0 && noCoreFile;
#endif
#else
    return false;
#endif
}

} // namespace TokenTray
