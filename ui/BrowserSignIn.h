// Browser sign-in as one QObject: start() opens the WebEngine window on the service's /login page, finished() hands
// over the token taken from the __heyo_token cookie (or an error). The UI only shows what it is handed; completing the
// session is SessionManager::signInWithToken's job.
#pragma once

#include "core/api/ServiceSettings.h"

#include <QObject>
#include <QPointer>
#include <QWidget>

namespace heyo::ui {

class BrowserSignIn : public QObject {
    Q_OBJECT
public:
    explicit BrowserSignIn(const api::ServiceSettings &service, QObject *parent = nullptr);
    ~BrowserSignIn() override;

    // Loads the WebEngine plugin (first time only) and shows the window. Emits finished() exactly once per start.
    void start();
    void cancel();
    bool isRunning() const { return !m_window.isNull(); }
    QWidget *window() const { return m_window; }
    // Test seam: run script in the sign-in page.
    void runJavaScript(const QString &script);

    // Where the plugin was looked for and why it failed (empty when loaded).
    static QString pluginError();

signals:
    void finished(const QByteArray &token, const QString &error);
    void pageLoaded(bool ok, const QUrl &url);

private:
    void done(const QByteArray &token, const QString &error);

    api::ServiceSettings m_service;
    QPointer<QWidget> m_window;
    bool m_finished = true;
};

} // namespace heyo::ui
