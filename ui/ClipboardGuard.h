// Puts text on the clipboard; for secrets, with the `x-kde-passwordManagerHint: secret` MIME entry (clipboard managers
// skip it) and a timer that clears the clipboard later, but only if it still holds that secret.
#pragma once

#include <QByteArray>
#include <QObject>
#include <QTimer>

namespace heyo::ui {

class ClipboardGuard : public QObject {
    Q_OBJECT
public:
    explicit ClipboardGuard(QObject *parent = nullptr);

    // 30 s in the product; tests shorten it.
    void setClearAfterMs(int ms) { m_clearAfterMs = ms; }
    int clearAfterMs() const { return m_clearAfterMs; }

    void copyText(const QString &text);
    void copySecret(const QByteArray &secret);
    bool holdsSecret() const { return m_timer.isActive(); }

signals:
    // The timer ran out; `cleared` is false when the user had copied something else meanwhile (left alone).
    void expired(bool cleared);

private:
    void clearIfUnchanged();

    QTimer m_timer;
    QByteArray m_secret;
    int m_clearAfterMs = 30000;
};

} // namespace heyo::ui
