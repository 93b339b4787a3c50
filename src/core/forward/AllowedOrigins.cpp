// Validating, normalising and persisting the allowed browser origins of each endpoint.
#include "core/forward/AllowedOrigins.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QSettings>
#include <QUrl>

#include <algorithm>

namespace heyo::forward {

namespace {

const QString kGroup = QStringLiteral("forward/allowedOrigins");

QString tr(const char *text)
{
    return QCoreApplication::translate("heyo::forward::AllowedOrigins", text);
}

bool allDigits(const QString &s)
{
    return !s.isEmpty() && std::all_of(s.begin(), s.end(), [](QChar c) { return c >= u'0' && c <= u'9'; });
}

// A DNS name or IPv4 address in ASCII: letters, digits, '-', '_' (browsers accept it in hosts), dot-separated
// labels, none empty except after a final dot.
bool isHostName(const QString &host)
{
    if (host.isEmpty() || host.startsWith(u'.'))
        return false;
    const QStringList labels = host.split(u'.');
    for (qsizetype i = 0; i < labels.size(); ++i) {
        const QString &label = labels.at(i);
        if (label.isEmpty() && i + 1 < labels.size())
            return false;
        for (QChar c : label)
            if (!((c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9') || c == u'-' || c == u'_'))
                return false;
    }
    return true;
}

} // namespace

AllowedOrigins::AllowedOrigins(QSettings *settings) : m_settings(settings) {}

QString AllowedOrigins::normalise(const QString &input, QString *error)
{
    const QString text = input.trimmed();
    auto fail = [&](const QString &why) {
        if (error)
            *error = why;
        return QString();
    };
    const QString example = tr("write it like https://app.example or http://localhost:5173");
    if (text.isEmpty())
        return fail(tr("no origin given: %1").arg(example));
    if (text.compare(QLatin1String("null"), Qt::CaseInsensitive) == 0)
        return fail(tr("'null' cannot be allowed: every sandboxed page and local file sends Origin: null"));
    if (text.contains(u'*'))
        return fail(
            tr("'%1': wildcards cannot be allowed; name one exact origin such as https://app.example").arg(text));
    const qsizetype sep = text.indexOf(QLatin1String("://"));
    if (sep <= 0)
        return fail(tr("'%1' is not an origin: %2").arg(text, example));
    const QString scheme = text.left(sep).toLower();
    if (scheme != QLatin1String("http") && scheme != QLatin1String("https"))
        return fail(tr("'%1': only http:// and https:// origins can be allowed").arg(text));
    QString authority = text.mid(sep + 3);
    if (authority.endsWith(u'/'))
        authority.chop(1); // "https://app.example/" as copied from the address bar
    for (QChar c : {u'/', u'?', u'#', u'\\'})
        if (authority.contains(c))
            return fail(tr("'%1' has a path, query or fragment: an origin is only scheme://host[:port]").arg(text));
    if (authority.contains(u'@'))
        return fail(tr("'%1': an origin has no user name or password").arg(text));
    if (authority.isEmpty() || authority.contains(u' '))
        return fail(tr("'%1' is not an origin: %2").arg(text, example));

    QString host, portText;
    bool hasPort = false;
    if (authority.startsWith(u'[')) {
        const qsizetype close = authority.indexOf(u']');
        const QString rest = close < 0 ? QString() : authority.mid(close + 1);
        QHostAddress address;
        const QString inner = close < 0 ? QString() : authority.mid(1, close - 1);
        if (close < 0 || (!rest.isEmpty() && !rest.startsWith(u':')) || inner.contains(u'%') ||
            !address.setAddress(inner) || address.protocol() != QAbstractSocket::IPv6Protocol)
            return fail(tr("'%1': the IPv6 address is not valid").arg(text));
        host = u'[' + address.toString() + u']'; // compressed, lower-case, as browsers write it
        hasPort = !rest.isEmpty();
        portText = rest.mid(1);
    } else {
        const qsizetype colon = authority.lastIndexOf(u':');
        host = colon < 0 ? authority : authority.left(colon);
        hasPort = colon >= 0;
        portText = hasPort ? authority.mid(colon + 1) : QString();
        if (host.contains(u':'))
            return fail(tr("'%1': write an IPv6 address in brackets, like http://[::1]:5173").arg(text));
        host = QString::fromLatin1(QUrl::toAce(host)).toLower();
        if (!isHostName(host))
            return fail(tr("'%1': the host name is not valid").arg(text));
    }
    if (hasPort) {
        const uint port = portText.toUInt();
        if (!allDigits(portText) || port == 0 || port > 65535)
            return fail(tr("'%1': the port must be a number from 1 to 65535").arg(text));
        if (port != (scheme == QLatin1String("https") ? 443u : 80u))
            host += u':' + QString::number(port);
    }
    return scheme + QLatin1String("://") + host;
}

QString AllowedOrigins::key(const QString &accountId, const QString &slug)
{
    return kGroup + u'/' + accountId + u'/' + slug;
}

QStringList AllowedOrigins::of(const QString &accountId, const QString &slug) const
{
    const QStringList stored =
        m_settings ? m_settings->value(key(accountId, slug)).toStringList() : m_memory.value(key(accountId, slug));
    QStringList out;
    for (const QString &s : stored) {
        const QString origin = normalise(s, nullptr); // a hand-edited file may hold anything
        if (!origin.isEmpty() && !out.contains(origin))
            out << origin;
    }
    out.sort();
    return out;
}

void AllowedOrigins::reload()
{
    if (m_settings)
        m_settings->sync();
}

bool AllowedOrigins::allow(const QString &accountId, const QString &slug, const QString &origin, QString *error)
{
    const QString o = normalise(origin, error);
    if (o.isEmpty())
        return false;
    QStringList list = of(accountId, slug);
    if (list.contains(o))
        return true;
    list << o;
    return store(accountId, slug, list, error);
}

bool AllowedOrigins::disallow(const QString &accountId, const QString &slug, const QString &origin, QString *error)
{
    const QString o = normalise(origin, error);
    if (o.isEmpty())
        return false;
    QStringList list = of(accountId, slug);
    if (!list.removeAll(o))
        return true;
    return store(accountId, slug, list, error);
}

bool AllowedOrigins::set(const QString &accountId, const QString &slug, const QStringList &origins, QString *error)
{
    QStringList list;
    for (const QString &origin : origins) {
        const QString o = normalise(origin, error);
        if (o.isEmpty())
            return false;
        if (!list.contains(o))
            list << o;
    }
    return store(accountId, slug, list, error);
}

bool AllowedOrigins::store(const QString &accountId, const QString &slug, QStringList origins, QString *error)
{
    origins.sort();
    const QString k = key(accountId, slug);
    if (!m_settings) {
        if (origins.isEmpty())
            m_memory.remove(k);
        else
            m_memory.insert(k, origins);
        return true;
    }
    if (origins.isEmpty())
        m_settings->remove(k);
    else
        m_settings->setValue(k, origins);
    m_settings->sync();
    if (m_settings->status() != QSettings::NoError) {
        if (error)
            *error = tr("the allowed origins could not be saved to %1").arg(m_settings->fileName());
        return false;
    }
    return true;
}

} // namespace heyo::forward
