// Prompts on /dev/tty (never on stdout, so `$(heyo token)` stays clean) and echo-free password entry via termios.
#include "console/Terminal.h"

#include <QFile>

#include <cstdio>
#include <fcntl.h>
#include <iostream>
#include <string>
#include <termios.h>
#include <unistd.h>

namespace heyo::Terminal {

namespace {

std::optional<QByteArray> readTty(const QString &prompt, bool echo)
{
    const int fd = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return std::nullopt;
    // Echo goes off before the prompt appears (as getpass does): TCSAFLUSH discards what was typed so far, so a
    // password typed right after the prompt showed would otherwise be thrown away, and the read would wait forever.
    termios saved{};
    const bool haveAttrs = ::tcgetattr(fd, &saved) == 0;
    if (haveAttrs && !echo) {
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        quiet.c_lflag |= ECHONL;
        ::tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    const QByteArray p = prompt.toUtf8();
    if (::write(fd, p.constData(), p.size()) < 0) {
        if (haveAttrs && !echo)
            ::tcsetattr(fd, TCSAFLUSH, &saved);
        ::close(fd);
        return std::nullopt;
    }
    QByteArray line;
    char c = 0;
    while (::read(fd, &c, 1) == 1 && c != '\n')
        line.append(c);
    if (haveAttrs && !echo)
        ::tcsetattr(fd, TCSAFLUSH, &saved);
    ::close(fd);
    if (line.endsWith('\r'))
        line.chop(1);
    return line;
}

} // namespace

std::optional<QByteArray> readSecret(const QString &prompt)
{
    return readTty(prompt, false);
}

std::optional<QString> readLine(const QString &prompt)
{
    const auto line = readTty(prompt, true);
    if (!line)
        return std::nullopt;
    return QString::fromUtf8(*line).trimmed();
}

QByteArray readStdinSecret()
{
    QFile in;
    if (!in.open(stdin, QIODevice::ReadOnly))
        return {};
    QByteArray data = in.readAll();
    if (data.endsWith('\n'))
        data.chop(1);
    if (data.endsWith('\r'))
        data.chop(1);
    return data;
}

QByteArray readStdinLine()
{
    std::string line;
    std::getline(std::cin, line);
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    return QByteArray::fromStdString(line);
}

bool stdinIsTerminal()
{
    return ::isatty(STDIN_FILENO) == 1;
}

void out(const QString &text)
{
    const QByteArray b = text.toUtf8();
    std::fwrite(b.constData(), 1, b.size(), stdout);
    std::fflush(stdout);
}

void err(const QString &text)
{
    const QByteArray b = text.toUtf8();
    std::fwrite(b.constData(), 1, b.size(), stderr);
    std::fflush(stderr);
}

} // namespace heyo::Terminal
