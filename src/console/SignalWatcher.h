// Turns termination signals into a Qt signal on the event loop (self-pipe + QSocketNotifier), so a program can stop
// cleanly instead of dying mid-request: `heyo forward` drains its listeners, `heyo-edge serve` stops its server,
// heyo-access quits as its menu's Quit does.
#pragma once

#include <QList>
#include <QObject>

class QSocketNotifier;

namespace heyo {

class SignalWatcher : public QObject {
    Q_OBJECT
public:
    // Takes `signalNumbers` from now on, in whichever thread the kernel delivers them; one watcher per process.
    explicit SignalWatcher(const QList<int> &signalNumbers, QObject *parent = nullptr);
    ~SignalWatcher() override; // restores the default actions

signals:
    void received(int signalNumber);

private:
    void readPipe();
    QList<int> m_signals;
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace heyo
