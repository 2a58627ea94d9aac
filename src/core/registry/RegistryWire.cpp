#include "RegistryWire.h"

#include "RunColour.h"
#include "RunExport.h"
#include "ids/ModelId.h"

#include <jikken/registry/scalar_batch.pb.h>

#include <QHash>
#include <QJsonDocument>

#include <charconv>
#include <cmath>
#include <limits>

namespace jikken::RegistryWire {

namespace {

constexpr double kMaxExactInteger = 9007199254740992.0; // 2^53: JSON numbers are doubles

QDateTime timeFromJson(const QString& text)
{
    return text.isEmpty() ? QDateTime() : QDateTime::fromString(text, Qt::ISODateWithMs).toUTC();
}

bool fail(QString* error, const QString& message)
{
    if (error)
        *error = message;
    return false;
}

} // namespace

QJsonValue valueToJson(double value)
{
    if (std::isnan(value))
        return QStringLiteral("NaN");
    if (std::isinf(value))
        return value > 0 ? QStringLiteral("Infinity") : QStringLiteral("-Infinity");
    return value;
}

std::optional<double> valueFromJson(const QJsonValue& json)
{
    if (json.isDouble())
        return json.toDouble();
    const QString text = json.toString();
    if (text == QLatin1String("NaN"))
        return qQNaN();
    if (text == QLatin1String("Infinity"))
        return qInf();
    if (text == QLatin1String("-Infinity"))
        return -qInf();
    return std::nullopt;
}

bool JsonFields::fail(const QString& message)
{
    if (m_error.isEmpty())
        m_error = message;
    return false;
}

bool JsonFields::check(const char* name, bool required, bool (QJsonValue::*isType)() const, const char* typeName)
{
    const QString key = QString::fromLatin1(name);
    m_known << key;
    const auto it = m_object.constFind(key);
    if (it == m_object.constEnd()) {
        if (required)
            fail(QStringLiteral("%1: field \"%2\" is missing").arg(m_context, key));
        return false;
    }
    if (!(QJsonValue(*it).*isType)())
        return fail(QStringLiteral("%1: field \"%2\" must be %3").arg(m_context, key, QString::fromLatin1(typeName)));
    return true;
}

bool JsonFields::string(const char* name, QString* out, bool required)
{
    if (!check(name, required, &QJsonValue::isString, "a string"))
        return false;
    *out = m_object.value(QString::fromLatin1(name)).toString();
    return true;
}

bool JsonFields::object(const char* name, QJsonObject* out)
{
    if (!check(name, false, &QJsonValue::isObject, "an object"))
        return false;
    *out = m_object.value(QString::fromLatin1(name)).toObject();
    return true;
}

bool JsonFields::array(const char* name, QJsonArray* out, bool required)
{
    if (!check(name, required, &QJsonValue::isArray, "an array"))
        return false;
    *out = m_object.value(QString::fromLatin1(name)).toArray();
    return true;
}

bool JsonFields::strings(const char* name, QStringList* out, bool required)
{
    if (!check(name, required, &QJsonValue::isArray, "an array of strings"))
        return false;
    QStringList values;
    for (const QJsonValue& value : m_object.value(QString::fromLatin1(name)).toArray()) {
        if (!value.isString())
            return fail(QStringLiteral("%1: field \"%2\" must be an array of strings")
                            .arg(m_context, QString::fromLatin1(name)));
        values << value.toString();
    }
    *out = values;
    return true;
}

bool JsonFields::boolean(const char* name, bool* out)
{
    if (!check(name, false, &QJsonValue::isBool, "true or false"))
        return false;
    *out = m_object.value(QString::fromLatin1(name)).toBool();
    return true;
}

bool JsonFields::number(const char* name, double* out, bool required)
{
    if (!check(name, required, &QJsonValue::isDouble, "a number"))
        return false;
    *out = m_object.value(QString::fromLatin1(name)).toDouble();
    return true;
}

bool JsonFields::integer(const char* name, qint64* out, bool required)
{
    double value = 0;
    if (!number(name, &value, required))
        return false;
    if (value != std::floor(value) || std::abs(value) > kMaxExactInteger)
        return fail(
            QStringLiteral("%1: field \"%2\" must be a whole number").arg(m_context, QString::fromLatin1(name)));
    *out = static_cast<qint64>(value);
    return true;
}

bool JsonFields::optionalNumber(const char* name, std::optional<double>* out)
{
    const QString key = QString::fromLatin1(name);
    if (m_object.value(key).isNull() && m_object.contains(key)) {
        m_known << key;
        *out = std::nullopt;
        return true;
    }
    double value = 0;
    if (!number(name, &value))
        return false;
    *out = value;
    return true;
}

bool JsonFields::value(const char* name, double* out)
{
    const QString key = QString::fromLatin1(name);
    m_known << key;
    const auto parsed = valueFromJson(m_object.value(key));
    if (!parsed)
        return fail(QStringLiteral("%1: field \"%2\" must be a number, \"NaN\", \"Infinity\" or \"-Infinity\"")
                        .arg(m_context, key));
    *out = *parsed;
    return true;
}

bool JsonFields::noOthers()
{
    for (auto it = m_object.constBegin(); it != m_object.constEnd(); ++it) {
        if (!m_known.contains(it.key()))
            return fail(QStringLiteral("%1: unknown field \"%2\"").arg(m_context, it.key()));
    }
    return ok();
}

QJsonObject toJson(const RunDescription& d)
{
    return {{QStringLiteral("model"), d.model},        {QStringLiteral("dataset"), d.dataset},
            {QStringLiteral("hparams"), d.hparams},    {QStringLiteral("host"), d.host},
            {QStringLiteral("device"), d.device},      {QStringLiteral("command"), d.command},
            {QStringLiteral("spec"), d.spec},          {QStringLiteral("git_commit"), d.gitCommit},
            {QStringLiteral("git_dirty"), d.gitDirty}, {QStringLiteral("versions"), d.versions},
            {QStringLiteral("log_dir"), d.logDir},     {QStringLiteral("total_epochs"), d.totalEpochs}};
}

std::optional<RunDescription> descriptionFromJson(const QJsonObject& json, QString* error, const RunDescription& base)
{
    RunDescription d = base;
    JsonFields f(json, QStringLiteral("run description"));
    qint64 totalEpochs = base.totalEpochs;
    f.string("model", &d.model);
    f.string("dataset", &d.dataset);
    f.object("hparams", &d.hparams);
    f.string("host", &d.host);
    f.string("device", &d.device);
    f.string("command", &d.command);
    f.object("spec", &d.spec);
    f.string("git_commit", &d.gitCommit);
    f.boolean("git_dirty", &d.gitDirty);
    f.object("versions", &d.versions);
    f.string("log_dir", &d.logDir);
    f.integer("total_epochs", &totalEpochs);
    if (!f.noOthers() || totalEpochs < 0 || totalEpochs > 1000000) {
        fail(error, f.ok() ? QStringLiteral("run description: total_epochs out of range") : f.error());
        return std::nullopt;
    }
    d.totalEpochs = static_cast<int>(totalEpochs);
    return d;
}

QString isoTime(const QDateTime& time)
{
    return time.isValid() ? time.toUTC().toString(Qt::ISODateWithMs) : QString();
}

QJsonObject runToJson(const RunRecord& r)
{
    QJsonObject json{
        {QStringLiteral("id"), r.id},
        {QStringLiteral("method"), r.method},
        {QStringLiteral("model"), r.model},
        {QStringLiteral("dataset"), r.dataset},
        {QStringLiteral("hparams"), r.hparams},
        {QStringLiteral("memo"), r.memo},
        {QStringLiteral("labels"), QJsonArray::fromStringList(r.labels)},
        {QStringLiteral("colour"), r.colour},
        {QStringLiteral("status"), toString(r.status)},
        {QStringLiteral("status_reason"), r.statusReason},
        {QStringLiteral("host"), r.host},
        {QStringLiteral("device"), r.device},
        {QStringLiteral("command"), r.command},
        {QStringLiteral("spec"), r.spec},
        {QStringLiteral("git_commit"), r.gitCommit},
        {QStringLiteral("git_dirty"), r.gitDirty},
        {QStringLiteral("versions"), r.versions},
        {QStringLiteral("log_dir"), r.logDir},
        {QStringLiteral("created"), isoTime(r.created)},
        {QStringLiteral("started"), isoTime(r.started)},
        {QStringLiteral("finished"), isoTime(r.finished)},
        {QStringLiteral("heartbeat"), isoTime(r.heartbeat)},
        {QStringLiteral("epoch"), r.epoch},
        {QStringLiteral("total_epochs"), r.totalEpochs},
        {QStringLiteral("step"), r.step},
        {QStringLiteral("final_metrics"), r.finalMetrics},
    };
    json.insert(QStringLiteral("latest_test_error"), r.latestTestError ? QJsonValue(*r.latestTestError) : QJsonValue());
    json.insert(QStringLiteral("best_test_error"), r.bestTestError ? QJsonValue(*r.bestTestError) : QJsonValue());
    if (!r.fields.isEmpty())
        json.insert(QStringLiteral("fields"), r.fields);
    if (!r.checkpoints.isEmpty())
        json.insert(QStringLiteral("checkpoints"), Checkpoints::toJson(r.checkpoints));
    return json;
}

std::optional<RunRecord> runFromJson(const QJsonObject& json, QString* error)
{
    RunRecord r;
    JsonFields f(json, QStringLiteral("run"));
    QString status;
    QString created;
    QString started;
    QString finished;
    QString heartbeat;
    qint64 epoch = 0;
    qint64 totalEpochs = 0;
    f.string("id", &r.id, true);
    f.string("method", &r.method);
    f.string("model", &r.model);
    f.string("dataset", &r.dataset);
    f.object("hparams", &r.hparams);
    f.string("memo", &r.memo);
    f.strings("labels", &r.labels);
    f.string("colour", &r.colour);
    f.string("status", &status, true);
    f.string("status_reason", &r.statusReason);
    f.string("host", &r.host);
    f.string("device", &r.device);
    f.string("command", &r.command);
    f.object("spec", &r.spec);
    f.string("git_commit", &r.gitCommit);
    f.boolean("git_dirty", &r.gitDirty);
    f.object("versions", &r.versions);
    f.string("log_dir", &r.logDir);
    f.string("created", &created);
    f.string("started", &started);
    f.string("finished", &finished);
    f.string("heartbeat", &heartbeat);
    f.integer("epoch", &epoch);
    f.integer("total_epochs", &totalEpochs);
    f.integer("step", &r.step);
    f.object("final_metrics", &r.finalMetrics);
    f.optionalNumber("latest_test_error", &r.latestTestError);
    f.optionalNumber("best_test_error", &r.bestTestError);
    f.object("fields", &r.fields);
    if (json.contains(QLatin1String("checkpoints"))) {
        QString problem;
        const auto checkpoints = Checkpoints::fromJson(json.value(QLatin1String("checkpoints")), &problem);
        if (!checkpoints) {
            fail(error, QStringLiteral("run: ") + problem);
            return std::nullopt;
        }
        r.checkpoints = *checkpoints;
    }
    const auto runStatus = runStatusFromString(status);
    if (!f.ok() || !runStatus) {
        fail(error, f.ok() ? QStringLiteral("run: unknown status \"%1\"").arg(status) : f.error());
        return std::nullopt;
    }
    if (const QString problem = RunRecord::labelsError(r.labels); !problem.isEmpty()) {
        fail(error, QStringLiteral("run: ") + problem);
        return std::nullopt;
    }
    if (const QString problem = r.colour.isEmpty() ? QString() : RunColour::error(r.colour); !problem.isEmpty()) {
        fail(error, QStringLiteral("run: ") + problem);
        return std::nullopt;
    }
    // Checked here, as bad input (400), rather than left for the database to refuse.
    if (QString idError; !ModelId::parse(r.id, &idError)) {
        fail(error, QStringLiteral("run: id: ") + idError);
        return std::nullopt;
    }
    constexpr qint64 kMaxCount = std::numeric_limits<int>::max();
    if (epoch < 0 || epoch > kMaxCount || totalEpochs < 0 || totalEpochs > kMaxCount || r.step < 0) {
        fail(error, QStringLiteral("run: epoch and total_epochs must be 0 to %1, step not negative").arg(kMaxCount));
        return std::nullopt;
    }
    r.status = *runStatus;
    r.epoch = static_cast<int>(epoch);
    r.totalEpochs = static_cast<int>(totalEpochs);
    r.created = timeFromJson(created);
    r.started = timeFromJson(started);
    r.finished = timeFromJson(finished);
    r.heartbeat = timeFromJson(heartbeat);
    return r;
}

QJsonArray scalarsToJson(const QVector<ScalarPoint>& points)
{
    QJsonArray array;
    for (const ScalarPoint& p : points)
        array.append(QJsonObject{{QStringLiteral("tag"), p.tag},
                                 {QStringLiteral("step"), p.step},
                                 {QStringLiteral("wall_time"), p.wallTime},
                                 {QStringLiteral("value"), valueToJson(p.value)}});
    return array;
}

std::optional<QVector<ScalarPoint>> scalarsFromJson(const QJsonValue& json, QString* error)
{
    if (!json.isArray()) {
        fail(error, QStringLiteral("\"points\" must be an array of {tag, step, wall_time, value}"));
        return std::nullopt;
    }
    const QJsonArray array = json.toArray();
    QVector<ScalarPoint> points;
    points.reserve(array.size());
    for (qsizetype i = 0; i < array.size(); ++i) {
        if (!array[i].isObject()) {
            fail(error, QStringLiteral("point %1 is not an object").arg(i));
            return std::nullopt;
        }
        const QJsonObject object = array[i].toObject();
        ScalarPoint p;
        JsonFields f(object, QStringLiteral("point %1").arg(i));
        f.string("tag", &p.tag, true);
        f.integer("step", &p.step, true);
        f.number("wall_time", &p.wallTime, true);
        f.value("value", &p.value);
        if (!f.noOthers() || p.tag.isEmpty()) {
            fail(error, f.ok() ? QStringLiteral("point %1: the tag is empty").arg(i) : f.error());
            return std::nullopt;
        }
        points.append(p);
    }
    return points;
}

QByteArray seriesJson(const QString& tag, int total, const ScalarSeries& shown)
{
    // Written as text, not built as QJsonArrays: a million points are three million JSON values, which
    // QJsonDocument builds ten times slower and in ten times the memory.
    QByteArray out;
    out.reserve(64 + shown.size() * 48);
    char buffer[32];
    const auto append = [&](auto number) {
        const auto written = std::to_chars(buffer, buffer + sizeof buffer, number);
        out.append(buffer, written.ptr - buffer);
    };
    const auto appendValue = [&](double value) {
        if (std::isnan(value))
            out.append("\"NaN\"");
        else if (std::isinf(value))
            out.append(value > 0 ? "\"Infinity\"" : "\"-Infinity\"");
        else
            append(value);
    };
    const QByteArray tagText = QJsonDocument(QJsonArray{tag}).toJson(QJsonDocument::Compact);
    out.append("{\"tag\":").append(tagText.mid(1, tagText.size() - 2)).append(",\"total\":");
    append(total);
    // `,"name":[v,v,…]` of one column.
    const auto column = [&](const char* name, const auto& values, const auto& write) {
        out.append(",\"").append(name).append("\":[");
        for (qsizetype i = 0; i < values.size(); ++i) {
            if (i > 0)
                out.append(',');
            write(values[i]);
        }
        out.append(']');
    };
    column("steps", shown.steps, append);
    column("wall_times", shown.wallTimes, appendValue);
    column("values", shown.values, appendValue);
    out.append('}');
    return out;
}

std::optional<ScalarSeries> seriesFromJson(const QJsonObject& json, QString* error)
{
    const QJsonArray steps = json.value(QStringLiteral("steps")).toArray();
    const QJsonArray wallTimes = json.value(QStringLiteral("wall_times")).toArray();
    const QJsonArray values = json.value(QStringLiteral("values")).toArray();
    for (const char* column : {"steps", "wall_times", "values"}) {
        if (!json.value(QLatin1String(column)).isArray()) {
            fail(error, QStringLiteral("series: \"%1\" must be an array").arg(QLatin1String(column)));
            return std::nullopt;
        }
    }
    if (wallTimes.size() != steps.size() || values.size() != steps.size()) {
        fail(error, QStringLiteral("series: steps, wall_times and values differ in length"));
        return std::nullopt;
    }
    ScalarSeries series;
    series.reserve(static_cast<int>(steps.size()));
    for (qsizetype i = 0; i < steps.size(); ++i) {
        const auto value = valueFromJson(values[i]);
        if (!steps[i].isDouble() || !wallTimes[i].isDouble() || !value) {
            fail(error, QStringLiteral("series: point %1 is not a number").arg(i));
            return std::nullopt;
        }
        series.append(steps[i].toInteger(), wallTimes[i].toDouble(), *value);
    }
    return series;
}

QByteArray scalarsToProtobuf(const QVector<ScalarPoint>& points)
{
    registry::ScalarBatch batch;
    QHash<QString, registry::ScalarSeriesBatch*> byTag;
    for (const ScalarPoint& p : points) {
        registry::ScalarSeriesBatch*& series = byTag[p.tag];
        if (!series) {
            series = batch.add_series();
            series->set_tag(p.tag.toStdString());
        }
        series->add_steps(p.step);
        series->add_wall_times(p.wallTime);
        series->add_values(p.value);
    }
    const std::string bytes = batch.SerializeAsString();
    return QByteArray(bytes.data(), static_cast<qsizetype>(bytes.size()));
}

QVector<TaggedSeries> groupByTag(const QVector<ScalarPoint>& points)
{
    QVector<TaggedSeries> batch;
    QHash<QString, qsizetype> index;
    for (const ScalarPoint& point : points) {
        auto it = index.constFind(point.tag);
        if (it == index.constEnd()) {
            it = index.insert(point.tag, batch.size());
            batch.append({point.tag, {}});
        }
        batch[*it].series.append(point.step, point.wallTime, point.value);
    }
    return batch;
}

std::optional<QVector<TaggedSeries>> seriesFromProtobuf(const QByteArray& bytes, QString* error)
{
    registry::ScalarBatch batch;
    if (!batch.ParseFromArray(bytes.constData(), static_cast<int>(bytes.size()))) {
        fail(error, QStringLiteral("the body is not a jikken.registry.ScalarBatch protobuf"));
        return std::nullopt;
    }
    QVector<TaggedSeries> result;
    for (const registry::ScalarSeriesBatch& in : batch.series()) {
        const QString tag = QString::fromStdString(in.tag());
        if (tag.isEmpty() || in.wall_times_size() != in.steps_size() || in.values_size() != in.steps_size()) {
            fail(error, QStringLiteral("scalar series \"%1\": %2")
                            .arg(tag, tag.isEmpty() ? QStringLiteral("the tag is empty")
                                                    : QStringLiteral("steps, wall_times and values differ in length")));
            return std::nullopt;
        }
        TaggedSeries out{tag, {}};
        out.series.steps = QVector<qint64>(in.steps().begin(), in.steps().end());
        out.series.wallTimes = QVector<double>(in.wall_times().begin(), in.wall_times().end());
        out.series.values = QVector<double>(in.values().begin(), in.values().end());
        result.append(std::move(out));
    }
    return result;
}

} // namespace jikken::RegistryWire
