// Decimal byte counts in the user's locale.
#include "core/DataSize.h"

#include <QLocale>

#include <limits>

namespace heyo {

QString formatDataSize(quint64 bytes)
{
    // SI format: powers of 1,000 with kB/MB/GB. (The traditional format divides by 1,024 and still says MB.)
    return QLocale().formattedDataSize(qint64(qMin<quint64>(bytes, quint64(std::numeric_limits<qint64>::max()))), 1,
                                       QLocale::DataSizeSIFormat);
}

} // namespace heyo
