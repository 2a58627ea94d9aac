#include "Checkpoints.h"

#include "RegistryWire.h"

#include <QJsonObject>
#include <QRegularExpression>

namespace jikken {

bool CheckpointRecord::operator==(const CheckpointRecord& o) const
{
    return kind == o.kind && step == o.step && epoch == o.epoch && metric == o.metric && value == o.value &&
           host == o.host && path == o.path && size == o.size && sha256 == o.sha256 && kept == o.kept;
}

std::optional<KeepPolicy> KeepPolicy::parse(const QString& text, QString* error)
{
    static const QRegularExpression kEvery(QStringLiteral("^every:([1-9][0-9]{0,5})$"));
    KeepPolicy policy;
    if (text == QLatin1String("last"))
        policy.last = true;
    else if (text == QLatin1String("best"))
        policy.best = true;
    else if (text == QLatin1String("best+last"))
        policy.best = policy.last = true;
    else if (const auto every = kEvery.match(text); every.hasMatch())
        policy = {false, true, every.captured(1).toInt()};
    else {
        if (error)
            *error = QStringLiteral("keep_checkpoints is \"%1\"; allowed: last, best, best+last, every:N").arg(text);
        return std::nullopt;
    }
    return policy;
}

namespace Checkpoints {

namespace {

template <typename Matches>
const CheckpointRecord* newestKept(const QVector<CheckpointRecord>& records, const Matches& matches)
{
    const CheckpointRecord* found = nullptr;
    for (const CheckpointRecord& record : records) {
        if (record.kept && matches(record) && (!found || record.step >= found->step))
            found = &record;
    }
    return found;
}

} // namespace

const CheckpointRecord* best(const QVector<CheckpointRecord>& records)
{
    return newestKept(records, [](const CheckpointRecord& r) { return r.kind == QLatin1String("best"); });
}

const CheckpointRecord* last(const QVector<CheckpointRecord>& records)
{
    // The newest kept file whatever kept it: with `best` or `every:N` alone, the last there is.
    return newestKept(records, [](const CheckpointRecord&) { return true; });
}

const CheckpointRecord* atStep(const QVector<CheckpointRecord>& records, qint64 step)
{
    return newestKept(records, [step](const CheckpointRecord& r) { return r.step == step; });
}

QString describe(const CheckpointRecord& record)
{
    QString text = QStringLiteral("step %1 (epoch %2)").arg(record.step).arg(record.epoch);
    if (record.value)
        text += QStringLiteral(", %1 %2").arg(record.metric, QString::number(*record.value, 'g', 6));
    const double megabytes = static_cast<double>(record.size) / (1024.0 * 1024.0);
    return text + QStringLiteral(", %1 MB").arg(megabytes, 0, 'f', megabytes < 10 ? 2 : 1);
}

QString location(const CheckpointRecord& record)
{
    return record.host.isEmpty() ? record.path : record.host + u':' + record.path;
}

QJsonArray toJson(const QVector<CheckpointRecord>& records)
{
    QJsonArray array;
    for (const CheckpointRecord& r : records) {
        QJsonObject json{{QStringLiteral("kind"), r.kind},   {QStringLiteral("step"), r.step},
                         {QStringLiteral("epoch"), r.epoch}, {QStringLiteral("metric"), r.metric},
                         {QStringLiteral("host"), r.host},   {QStringLiteral("path"), r.path},
                         {QStringLiteral("size"), r.size},   {QStringLiteral("sha256"), r.sha256},
                         {QStringLiteral("kept"), r.kept}};
        json.insert(QStringLiteral("value"), r.value ? QJsonValue(*r.value) : QJsonValue(QJsonValue::Null));
        array.append(json);
    }
    return array;
}

std::optional<QVector<CheckpointRecord>> fromJson(const QJsonValue& json, QString* error)
{
    if (!json.isArray()) {
        *error = QStringLiteral("checkpoints must be an array");
        return std::nullopt;
    }
    static const QRegularExpression kSha256(QStringLiteral("^[0-9a-f]{64}$"));
    QVector<CheckpointRecord> records;
    for (const QJsonValue& item : json.toArray()) {
        const QJsonObject object = item.toObject();
        RegistryWire::JsonFields fields(object, QStringLiteral("checkpoint"));
        CheckpointRecord r;
        qint64 epoch = 0;
        fields.string("kind", &r.kind, true);
        fields.integer("step", &r.step, true);
        fields.integer("epoch", &epoch);
        fields.string("metric", &r.metric);
        fields.optionalNumber("value", &r.value);
        fields.string("host", &r.host);
        fields.string("path", &r.path, true);
        fields.integer("size", &r.size);
        fields.string("sha256", &r.sha256, true);
        fields.boolean("kept", &r.kept);
        if (!item.isObject() || !fields.noOthers()) {
            *error = item.isObject() ? fields.error() : QStringLiteral("a checkpoint must be an object");
            return std::nullopt;
        }
        const bool kindKnown =
            r.kind == QLatin1String("best") || r.kind == QLatin1String("last") || r.kind == QLatin1String("every");
        if (!kindKnown || !kSha256.match(r.sha256).hasMatch() || r.size < 0 || epoch < 0 || epoch > 1'000'000) {
            *error = !kindKnown ? QStringLiteral("checkpoint kind \"%1\"; allowed: best, last, every").arg(r.kind)
                                : QStringLiteral("checkpoint %1: sha256 must be 64 lower-case hex digits, size and "
                                                 "epoch not negative")
                                      .arg(r.path);
            return std::nullopt;
        }
        r.epoch = static_cast<int>(epoch);
        records.append(r);
    }
    return records;
}

} // namespace Checkpoints

} // namespace jikken
