#pragma once

// What RegistryStore's files share of how a run is written into its row: not part of its interface.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QVariant>

namespace jikken::storeRows {

inline QString toJson(const QJsonObject& object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

inline QString labelsJson(const QStringList& labels)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(labels)).toJson(QJsonDocument::Compact));
}

// A null QString binds as SQL NULL; the text columns hold '' for "nothing".
inline QVariant sqlValue(const QVariant& value)
{
    const bool nullText = value.typeId() == QMetaType::QString && value.toString().isNull();
    return nullText ? QVariant(QStringLiteral("")) : value;
}

// A sign of life: stamps the heartbeat and brings a run marked lost back to running.
inline const QString kAlive =
    QStringLiteral("heartbeat_at = ?, status_reason = CASE WHEN status = 'lost' THEN '' ELSE status_reason END, "
                   "status = CASE WHEN status = 'lost' THEN 'running' ELSE status END");

inline QString unknownRun(const QString& id)
{
    return QStringLiteral("no model %1 in the registry").arg(id);
}

} // namespace jikken::storeRows
