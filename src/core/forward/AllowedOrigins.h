// The browser origins a user allowed to call one endpoint (account + slug) through its forwarder, besides the
// forwarder's own: validated and written the way a browser writes Origin, kept in the shared settings file (not
// secret) so the CLI and the tray app see the same list, and save errors reported.
#pragma once

#include <QHash>
#include <QString>
#include <QStringList>

class QSettings;

namespace heyo::forward {

class AllowedOrigins {
public:
    // `settings` may be null: the lists then live for this process only.
    explicit AllowedOrigins(QSettings *settings);

    // `scheme://host[:port]` exactly as a browser sends it in Origin: http or https, lower-case, the default port
    // left out, an international name in its ASCII form, a lone trailing "/" dropped. Empty with `*error` for
    // anything else: `null`, wildcards, paths, queries, user names, other schemes.
    static QString normalise(const QString &origin, QString *error);

    QStringList of(const QString &accountId, const QString &slug) const; // normalised, sorted
    // Reads the settings file again: the other program (CLI or tray app) may have changed it since.
    void reload();
    // Adds or removes one origin (normalised first); false with `*error` when it is not an origin or the settings
    // cannot be saved. Removing one that is not there is not an error.
    bool allow(const QString &accountId, const QString &slug, const QString &origin, QString *error);
    bool disallow(const QString &accountId, const QString &slug, const QString &origin, QString *error);
    // Replaces the whole list; every entry must be an origin, or nothing is changed.
    bool set(const QString &accountId, const QString &slug, const QStringList &origins, QString *error);

private:
    static QString key(const QString &accountId, const QString &slug);
    bool store(const QString &accountId, const QString &slug, QStringList origins, QString *error);

    QSettings *m_settings;
    QHash<QString, QStringList> m_memory; // key → origins, when there is no settings file
};

} // namespace heyo::forward
