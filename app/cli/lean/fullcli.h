#pragma once

namespace TokenTray::Lean {

// Replaces this process with the Qt tokentray-cli-full, same argv and environment: first from
// this executable's own directory (a build tree), then from <bindir>/TOKENTRAY_LIBEXEC_RELATIVE
// (an installation). Returns only by exiting 1 with a message when neither can be run.
[[noreturn]] void execFullCli(char **argv);

} // namespace TokenTray::Lean
