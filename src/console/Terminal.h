// Terminal and standard-stream helpers of the command-line programs: prompts without echo, stdin reads, plain writes.
#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace heyo {

namespace Terminal {
// Reads one line from the controlling terminal (/dev/tty) with echo off; nullopt when there is no terminal.
std::optional<QByteArray> readSecret(const QString &prompt);
// Reads one line from the controlling terminal with echo on; nullopt when there is no terminal.
std::optional<QString> readLine(const QString &prompt);
// All of standard input, with one trailing newline (and CR) removed.
QByteArray readStdinSecret();
// The first line of standard input, without its newline (and CR).
QByteArray readStdinLine();
bool stdinIsTerminal();
void out(const QString &text); // stdout, as is
void err(const QString &text); // stderr, as is
} // namespace Terminal

} // namespace heyo
