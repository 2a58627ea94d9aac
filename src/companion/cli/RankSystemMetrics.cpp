#include "RankSystemMetrics.h"

#include "train/Rendezvous.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace jikken::rank_system {

namespace {

QString keyOf(int rank)
{
    return QStringLiteral("jikken/system/%1").arg(rank);
}

} // namespace

void publish(Rendezvous& rendezvous, int rank, const QVector<SystemMetrics::Sample>& samples)
{
    QJsonObject values;
    for (const SystemMetrics::Sample& sample : samples)
        values.insert(QString::fromLatin1(sample.tag), sample.value);
    rendezvous.set(keyOf(rank), QJsonDocument(values).toJson(QJsonDocument::Compact));
}

QVector<QPair<QString, double>> gather(Rendezvous& rendezvous, int worldSize)
{
    QVector<QPair<QString, double>> found;
    for (int rank = 1; rank < worldSize; ++rank) {
        const std::optional<QByteArray> said = rendezvous.peek(keyOf(rank));
        const QJsonObject values = said ? QJsonDocument::fromJson(*said).object() : QJsonObject();
        const QString prefix = QStringLiteral("system/rank%1/").arg(rank);
        for (auto it = values.constBegin(); it != values.constEnd(); ++it)
            found.append({prefix + it.key().section(u'/', 1), it.value().toDouble()});
    }
    return found;
}

} // namespace jikken::rank_system
