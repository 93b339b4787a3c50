// Demo data set: two accounts, several devices, private and public endpoints in front of the demo apps.
#include "DemoData.h"

#include "edge/Secrets.h"
#include "edge/Store.h"

#include <ctime>
#include <vector>

namespace heyo::demo {

using edge::Endpoint;
using edge::Store;

namespace {

struct DemoEndpoint {
    const char *slug;
    const DemoAccount &owner;
    const char *device;
    const char *sandbox;
    const char *app;
    bool isPrivate;
    bool http2 = false; // the app speaks HTTP/2 only (h2c): gRPC
};

const std::vector<DemoEndpoint> &endpoints()
{
    static const std::vector<DemoEndpoint> list = {
        {"demo-web", DemoData::ada(), "ada-laptop", "web-sandbox", "web", true},
        {"demo-files", DemoData::ada(), "ada-laptop", "files-sandbox", "files", true},
        {"demo-events", DemoData::ada(), "build-server", "events-sandbox", "events", true},
        {"demo-ws", DemoData::ada(), "build-server", "ws-sandbox", "ws", true},
        {"demo-git", DemoData::ada(), "build-server", "git-sandbox", "git", true},
        {"demo-grpc", DemoData::ada(), "build-server", "grpc-sandbox", "grpc", true, true},
        {"demo-docs", DemoData::ada(), "raspberry-pi", "docs-sandbox", "web", false},
        {"bob-notes", DemoData::bob(), "bob-workstation", "notes-sandbox", "web", true},
    };
    return list;
}

std::string targetFor(int port)
{
    return "http://127.0.0.1:" + std::to_string(port);
}

} // namespace

const DemoAccount &DemoData::ada()
{
    static const DemoAccount a{"ada@demo.heyo", "Ada Lovelace", "ada-demo-password"};
    return a;
}

const DemoAccount &DemoData::bob()
{
    static const DemoAccount b{"bob@demo.heyo", "Bob Builder", "bob-demo-password"};
    return b;
}

bool DemoData::seed(Store &store, const std::map<std::string, int> &appPorts, bool *created, std::string *error)
{
    *created = false;
    for (const DemoAccount *a : {&ada(), &bob()}) {
        if (store.accountByEmail(a->email))
            continue;
        if (!store.createAccount(a->email, a->name, edge::bcryptHash(a->password), error))
            return false;
        *created = true;
    }
    for (const DemoEndpoint &e : endpoints()) {
        auto port = appPorts.find(e.app);
        if (port == appPorts.end()) {
            *error = std::string("no demo app named ") + e.app;
            return false;
        }
        if (store.endpointBySlug(e.slug)) {
            store.setEndpointTarget(e.slug, targetFor(port->second));
            continue;
        }
        auto owner = store.accountByEmail(e.owner.email);
        if (!owner) {
            *error = "demo account " + e.owner.email + " is missing";
            return false;
        }
        Endpoint endpoint;
        endpoint.slug = e.slug;
        endpoint.accountId = owner->id;
        endpoint.device = store.deviceFor(owner->id, e.device);
        endpoint.sandbox = e.sandbox;
        endpoint.target = targetFor(port->second);
        endpoint.port = port->second;
        endpoint.isPrivate = e.isPrivate;
        endpoint.http2 = e.http2;
        endpoint.createdAt = std::time(nullptr);
        if (!store.addEndpoint(endpoint, error))
            return false;
        *created = true;
    }
    return true;
}

} // namespace heyo::demo
