#pragma once

#include <QByteArray>
#include <QSet>
#include <QString>
#include <QVector>

#include <optional>

namespace jikken {

/// Which runs changed since a client last looked: every write bumps a revision and remembers its run. A
/// client sends back the revision it has seen and gets the runs changed since, or `reset` when it has been
/// away too long (or the service restarted: `instance` changed) and should reload everything.
class ChangeFeed
{
public:
    explicit ChangeFeed(int capacity = 100000);

    void touch(const QString& runId);
    qint64 revision() const { return m_revision; }
    /// A random name of this service process: revisions of another instance mean nothing here.
    const QString& instance() const { return m_instance; }

    struct Changes
    {
        qint64 revision = 0;
        QStringList runs;
        bool reset = false;
    };
    Changes since(qint64 revision, const QString& instance) const;

private:
    QString m_instance;
    qint64 m_revision = 0;
    int m_capacity;
    QVector<std::pair<qint64, QString>> m_recent; ///< (revision, run), a ring of the last `capacity` writes
    qsizetype m_head = 0;
};

} // namespace jikken
