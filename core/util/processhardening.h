#pragma once

// Qt-free on purpose: the lean tokentray-cli links this file too.
namespace TokenTray {

// Keeps the secrets in this process's memory out of core dumps and away from other processes
// of the same user: no core file (RLIMIT_CORE 0) and not dumpable (PR_SET_DUMPABLE 0, which
// also refuses ptrace attachment by non-root processes), as ssh-agent does. Call first thing in
// main(). Builds with AddressSanitizer keep the process dumpable: LeakSanitizer needs to trace
// its own threads. Returns whether the process is now protected.
bool hardenProcess();

} // namespace TokenTray
