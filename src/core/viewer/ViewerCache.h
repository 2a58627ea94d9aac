#pragma once

#include "ViewerRun.h"

#include <QDateTime>
#include <QString>
#include <QVector>

#include <optional>

namespace jikken {

/// Runs the viewer has opened, kept on disk (scalars and registry record, one file per run) so a meeting
/// room with no network or VPN still shows them. Each copy carries the stamp of what its source said
/// when it was read, so a refresh reads again only the runs that changed.
class ViewerCache
{
public:
    /// `directory`: default `<the app's cache location>/viewer` (under ~/.cache on Linux).
    explicit ViewerCache(QString directory = QString());

    struct Entry
    {
        QString key;
        QString name;
        QString source;
        QString stamp;
        QDateTime cachedAt;
        qint64 points = 0;
        qint64 bytes = 0;
    };

    const QString& directory() const { return m_directory; }

    /// Writes the run atomically (a reader never sees half a file).
    bool store(const ViewerRun& run, const QString& stamp, QString* error);
    /// The cached copy; none when there is none. A damaged file is an error, never half a run.
    std::optional<ViewerRun> load(const QString& key, QString* stamp, QString* error) const;
    /// The stamp alone, without reading the scalars; empty when not cached.
    QString stamp(const QString& key) const;
    /// What is cached, newest first.
    QVector<Entry> entries() const;
    /// Cached runs whose source is `source` (a logdir read while it was reachable).
    QStringList keysFrom(const QString& source) const;
    bool remove(const QString& key);

private:
    QString pathFor(const QString& key) const;
    std::optional<Entry> readHeader(const QString& path) const;

    QString m_directory;
};

} // namespace jikken
