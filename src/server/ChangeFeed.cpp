#include "ChangeFeed.h"

#include <QRandomGenerator>

namespace jikken {

ChangeFeed::ChangeFeed(int capacity)
    : m_instance(QString::number(QRandomGenerator::global()->generate64(), 36)), m_capacity(capacity)
{
}

void ChangeFeed::touch(const QString& runId)
{
    ++m_revision;
    if (m_recent.size() < m_capacity) {
        m_recent.append({m_revision, runId});
        return;
    }
    m_recent[m_head] = {m_revision, runId};
    m_head = (m_head + 1) % m_capacity;
}

ChangeFeed::Changes ChangeFeed::since(qint64 revision, const QString& instance) const
{
    Changes changes;
    changes.revision = m_revision;
    const qint64 oldestKept = m_recent.isEmpty() ? m_revision + 1 : m_recent[m_head].first;
    if (instance != m_instance || revision > m_revision || (revision + 1 < oldestKept && revision < m_revision)) {
        changes.reset = true;
        return changes;
    }
    QSet<QString> seen;
    // Revisions are consecutive, so the first one the client lacks sits at a known place in the ring.
    for (qsizetype i = std::max<qint64>(0, revision + 1 - oldestKept); i < m_recent.size(); ++i) {
        const auto& [at, run] = m_recent[(m_head + i) % m_recent.size()];
        if (!seen.contains(run)) {
            seen.insert(run);
            changes.runs << run;
        }
    }
    return changes;
}

} // namespace jikken
