// The demo's accounts, devices and endpoints: seeded once into a fresh data directory, and pointed at the built-in
// demo apps' current ports on every start.
#pragma once

#include <map>
#include <string>

namespace heyo::edge {
class Store;
}

namespace heyo::demo {

struct DemoAccount {
    std::string email;
    std::string name;
    std::string password; // demo only: printed so a newcomer can sign in
};

class DemoData {
public:
    static const DemoAccount &ada();
    static const DemoAccount &bob();
    // Creates the accounts and endpoints if absent (true when it did), then sets every demo endpoint's target to
    // the app's port in `appPorts` ("web", "files", "events", "ws", "git"). False and `*error` on failure.
    static bool seed(edge::Store &store, const std::map<std::string, int> &appPorts, bool *created, std::string *error);
};

} // namespace heyo::demo
