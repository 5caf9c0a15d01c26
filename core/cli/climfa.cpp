#include "core/cli/climfa.h"

#include <QIODevice>

namespace TokenTray {

CliMfaPrompter::CliMfaPrompter(const Secret &code, QIODevice *in, QIODevice *err, bool inIsTerminal)
    : m_code(code)
    , m_in(in)
    , m_err(err)
    , m_inIsTerminal(inIsTerminal)
{
}

void CliMfaPrompter::ask(MfaRequest *request)
{
    const MfaChallenge &c = request->challenge();
    if (!m_code.isEmpty()) {
        request->answer(std::exchange(m_code, Secret()));
        return;
    }
    if (!m_inIsTerminal || !m_in || !m_err) {
        request->decline(mfaCodeRequired(c));
        return;
    }
    m_err->write((QStringLiteral("MFA code for ") + c.profileName + QLatin1Char('/')
                  + c.environmentName + QStringLiteral(" (") + c.serial + QStringLiteral("): "))
                     .toUtf8());
    Secret line(m_in->readLine(64).trimmed());
    if (line.isEmpty()) {
        request->decline(Error {ErrorCode::Cancelled, QStringLiteral("no MFA code was entered")});
        return;
    }
    request->answer(line);
}

} // namespace TokenTray
