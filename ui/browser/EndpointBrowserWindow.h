// The built-in browser window (Settings → "Open endpoints in: built-in browser window"): a small WebEngine browser
// on an endpoint's local forwarder URL. Back, forward, reload, the address, and "open in system browser"; links to
// other sites go to the system browser, so this window only ever shows the endpoint.
// All windows share one off-the-record profile: nothing is written to disk, and an app's own sign-in lasts until
// Heyo Access quits. The token itself never reaches this browser: the forwarder attaches it.
#pragma once

#include <QMainWindow>
#include <QUrl>

#include <functional>

class QLineEdit;
class QWebEngineProfile;
class QWebEngineView;

namespace heyo::ui {

class EndpointBrowserWindow : public QMainWindow {
    Q_OBJECT
public:
    EndpointBrowserWindow(const QString &slug, const QUrl &url, std::function<void(const QUrl &)> openExternally,
                          QWidget *parent = nullptr);
    ~EndpointBrowserWindow() override;

    void load(const QUrl &url);
    void runJavaScript(const QString &script); // test seam

private:
    static QWebEngineProfile *sharedProfile();
    void updateTitle();

    QString m_slug;
    QUrl m_home;
    std::function<void(const QUrl &)> m_openExternally;
    QWebEngineView *m_view = nullptr;
    QLineEdit *m_address = nullptr;
};

} // namespace heyo::ui
