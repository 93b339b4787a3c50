// `heyo forward SLUG[:PORT]... [--allow-origin ORIGIN]... | --all`, optionally `--router PORT`: forwards endpoints
// to loopback ports until SIGINT/SIGTERM, each with the token of the account that owns it.
#pragma once

#include "cli/Command.h"
#include "core/api/EndpointDirectory.h"

#include <QElapsedTimer>
#include <QHash>

#include <memory>
#include <optional>

namespace heyo::forward {
class AccountTokens;
class Forwarder;
class PortAssignments;
} // namespace heyo::forward

namespace heyo {
class SignalWatcher;
}

namespace heyo::cli {

class ForwardCommand : public Command {
public:
    ForwardCommand();
    ~ForwardCommand() override;
    QString name() const override { return QStringLiteral("forward"); }
    QString summary() const override { return QStringLiteral("Forward endpoints to local ports until Ctrl-C"); }
    QString arguments() const override
    {
        return QStringLiteral("SLUG[:PORT]... [--allow-origin ORIGIN] | --all [--router PORT]");
    }
    void addOptions(QCommandLineParser &parser) override;
    void run(CliContext &ctx, const QCommandLineParser &parser, const QStringList &args) override;

private:
    struct Request {
        QString slug;
        quint16 port = 0; // 0: the assigned one
    };
    void start(CliContext &ctx, const api::EndpointDirectory::Listing &listing);
    void onSignal(CliContext &ctx, int signalNumber);
    void drain(CliContext &ctx);
    void notice(const QString &key, const QString &line);
    void wireNotices(CliContext &ctx);

    QList<Request> m_requests;
    bool m_all = false;
    std::optional<quint16> m_router;
    QStringList m_allowOrigins, m_disallowOrigins; // normalised; saved for each endpoint named
    std::unique_ptr<api::EndpointDirectory> m_directory;
    std::unique_ptr<forward::PortAssignments> m_ports;
    std::unique_ptr<forward::AccountTokens> m_tokens;
    std::unique_ptr<forward::Forwarder> m_forwarder;
    std::unique_ptr<SignalWatcher> m_signals;
    QHash<QString, QString> m_emailOf;   // account id → email, for notices
    QHash<QString, qint64> m_lastNotice; // notice key → when last printed (ms), to keep stderr readable
    QElapsedTimer m_clock;
    bool m_stopping = false;
};

} // namespace heyo::cli
