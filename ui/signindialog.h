#pragma once

#include <QDateTime>
#include <QDialog>
#include <QUrl>

class QLabel;
class QPushButton;

namespace TokenTray {

class SignInJob;
struct Error;

// The device-code sign-in as the person sees it: the user code (large, selectable), the page to
// enter it on, "Open browser", "Copy code", what the job is doing, and Cancel. Takes ownership
// of `job` and starts it; accepts when the sign-in succeeded (the caller adopts the result from
// the job's finished()), shows why when it failed, and cancels the job when closed early.
class SignInDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SignInDialog)
public:
    explicit SignInDialog(SignInJob *job, QWidget *parent = nullptr);
    ~SignInDialog() override;

    [[nodiscard]] SignInJob *job() const { return m_job; }
    [[nodiscard]] QString userCode() const { return m_userCode; }
    // What "Open browser" opens: the complete verification URL (it carries the code) if given.
    [[nodiscard]] QUrl browserUrl() const;
    [[nodiscard]] QString statusText() const;
    [[nodiscard]] bool hasFailed() const { return m_failed; }

    [[nodiscard]] QLabel *codeLabel() const { return m_code; }
    [[nodiscard]] QLabel *urlLabel() const { return m_url; }
    [[nodiscard]] QPushButton *openBrowserButton() const { return m_openBrowser; }
    [[nodiscard]] QPushButton *copyCodeButton() const { return m_copyCode; }
    [[nodiscard]] QPushButton *cancelButton() const { return m_cancel; }

    void reject() override;

private:
    void onUserCodeReady(const QString &userCode, const QUrl &verificationUri,
                         const QUrl &verificationUriComplete, const QDateTime &expiresAt);
    void onStatusChanged(const QString &status);
    void onFinished();
    void openBrowser();
    void copyCode();
    void setStatus(const QString &text);
    static QString failureText(const Error &error);

    SignInJob *m_job;
    QString m_userCode;
    QUrl m_verificationUri;
    QUrl m_verificationUriComplete;
    QDateTime m_expiresAt;
    QLabel *m_intro;
    QLabel *m_code;
    QLabel *m_url;
    QLabel *m_status;
    QPushButton *m_openBrowser;
    QPushButton *m_copyCode;
    QPushButton *m_cancel;
    bool m_closing = false;
    bool m_failed = false;
};

} // namespace TokenTray
