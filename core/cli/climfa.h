#pragma once

#include "core/aws/mfa.h"
#include "core/util/secret.h"

class QIODevice;

namespace TokenTray {

// The CLI's answer to an MFA challenge: the code given with --mfa-code (good for one AssumeRole:
// a second challenge in the same command is asked again), else a prompt when standard input is
// a terminal, else a clear refusal: a script never hangs on a prompt nobody sees.
class CliMfaPrompter final : public MfaPrompter
{
public:
    CliMfaPrompter(const Secret &code, QIODevice *in, QIODevice *err, bool inIsTerminal);

    void ask(MfaRequest *request) override;

private:
    Secret m_code;
    QIODevice *m_in;
    QIODevice *m_err;
    bool m_inIsTerminal;
};

} // namespace TokenTray
