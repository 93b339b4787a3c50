// Session state from the token's expiry.
#include "core/auth/Session.h"

#include <algorithm>

namespace heyo::auth {

qint64 Session::refreshMargin() const
{
    const qint64 life = lifetime > 0 ? lifetime : 3600;
    return std::clamp<qint64>(life / 5, 2, 300);
}

Session::State Session::state(qint64 nowSecs) const
{
    if (token.isEmpty() && expiresAt == 0)
        return State::SignedOut;
    if (expiresAt <= nowSecs)
        return State::Expired;
    if (expiresAt - nowSecs <= refreshMargin())
        return State::Expiring;
    return State::Active;
}

QString Session::stateName(State s)
{
    switch (s) {
    case State::SignedOut:
        return QStringLiteral("signed out");
    case State::Active:
        return QStringLiteral("active");
    case State::Expiring:
        return QStringLiteral("expiring");
    case State::Expired:
        return QStringLiteral("expired");
    }
    return {};
}

} // namespace heyo::auth
