// One parsed HTTP request head as the demo apps see it.
#include "DemoHttpRequest.h"

#include <QUrlQuery>

namespace heyo::demo {

QByteArray DemoHttpRequest::header(QByteArrayView name) const
{
    for (const auto &h : headers) {
        if (QByteArrayView(h.first).compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    }
    return {};
}

bool DemoHttpRequest::hasHeader(QByteArrayView name) const
{
    for (const auto &h : headers) {
        if (QByteArrayView(h.first).compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

QString DemoHttpRequest::queryValue(const QString &name) const
{
    QByteArray q = query;
    q.replace('+', ' ');
    return QUrlQuery(QString::fromUtf8(q)).queryItemValue(name, QUrl::FullyDecoded);
}

} // namespace heyo::demo
