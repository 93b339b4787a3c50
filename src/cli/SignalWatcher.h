// Turns SIGINT, SIGTERM and SIGHUP into a Qt signal on the event loop (self-pipe + QSocketNotifier), so `heyo forward`
// can close its listeners cleanly instead of dying mid-request.
#pragma once

#include <QObject>

class QSocketNotifier;

namespace heyo::cli
{

class SignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override; // restores the default actions

signals:
    void received(int signalNumber);

private:
    void readPipe();
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace heyo::cli
