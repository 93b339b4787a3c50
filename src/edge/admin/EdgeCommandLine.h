// heyo-edge's command line: the usage, --help and --version, and which command the first words name.
#pragma once

#include "edge/admin/AdminCommand.h"

#include <memory>
#include <vector>

namespace heyo::edge {

class EdgeCommandLine {
public:
    // Commands are listed in the usage in the order they are added.
    void add(std::unique_ptr<AdminCommand> command);
    // `args` as the program got them (its name first); the exit code.
    int run(const QStringList &args) const;

private:
    QByteArray usage() const;

    std::vector<std::unique_ptr<AdminCommand>> m_commands;
};

} // namespace heyo::edge
