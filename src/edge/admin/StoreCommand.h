// A heyo-edge command that works on the store in --data (as KeePassXC's DatabaseCommand does on a database): the
// base opens it, reporting a failure with exit code 1, and hands it to runWithStore.
#pragma once

#include "edge/admin/AdminCommand.h"

#include <optional>

namespace heyo::edge {

struct Account;

class StoreCommand : public AdminCommand {
protected:
    // Checks the options before the store is opened: Ok, else the exit code (the reason printed).
    virtual int check(const QCommandLineParser &) { return Ok; }
    virtual int runWithStore(Store &store, const QCommandLineParser &parser) = 0;

    // The account whose email --account gives; nullopt, with the reason printed, when there is none.
    static std::optional<Account> accountOption(Store &store, const QCommandLineParser &parser);

private:
    int run(const QCommandLineParser &parser) final;
};

} // namespace heyo::edge
