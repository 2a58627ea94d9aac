#pragma once

#include "registry/RunRecord.h"
#include "series/ScalarSeries.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QVector>

#include <optional>

namespace jikken {

/// The registry service's message bodies, shared by the server and `HttpRegistryClient`. Readers are strict:
/// a field of the wrong type or an unknown field is an error that names it, never a silent default.
namespace RegistryWire {

QJsonObject toJson(const RunDescription& description);
/// A description from `json`; the fields it does not name keep their values in `base` (a partial update
/// changes only what it names).
std::optional<RunDescription> descriptionFromJson(const QJsonObject& json, QString* error,
                                                  const RunDescription& base = {});

/// A run as the service sends it (`GET /api/v1/runs/ID`), `jikken show --json` prints it and the viewer's
/// cache keeps it; `runFromJson` reads it back.
QJsonObject runToJson(const RunRecord& run);
std::optional<RunRecord> runFromJson(const QJsonObject& json, QString* error);
/// A time as the wire writes it: ISO 8601 in UTC with milliseconds; empty when not set.
QString isoTime(const QDateTime& time);

/// A scalar's value in JSON, which has no NaN: non-finite values are the strings "NaN", "Infinity" and
/// "-Infinity", as in protobuf's JSON mapping (a diverged loss is data too).
QJsonValue valueToJson(double value);
std::optional<double> valueFromJson(const QJsonValue& json);

/// `[{"tag": "train/loss", "step": 1, "wall_time": 1.5e9, "value": 0.3}, …]`
QJsonArray scalarsToJson(const QVector<ScalarPoint>& points);
std::optional<QVector<ScalarPoint>> scalarsFromJson(const QJsonValue& json, QString* error);

/// The same points as a `jikken.registry.ScalarBatch` protobuf (one column set per tag).
/// One tag's points as columns, as `GET /api/v1/runs/{id}/series` answers: `{tag, total, steps, wall_times,
/// values}` (`total`: the points the series has before any reduction), as compact JSON text.
QByteArray seriesJson(const QString& tag, int total, const ScalarSeries& shown);
std::optional<ScalarSeries> seriesFromJson(const QJsonObject& json, QString* error);

QByteArray scalarsToProtobuf(const QVector<ScalarPoint>& points);
/// Points grouped into one series per tag, tags in order of first appearance, points in their order.
QVector<TaggedSeries> groupByTag(const QVector<ScalarPoint>& points);
/// Decoded straight into columns per tag: no object per point.
std::optional<QVector<TaggedSeries>> seriesFromProtobuf(const QByteArray& bytes, QString* error);

/// Checks the fields of a JSON object against their expected types; the first problem is kept.
class JsonFields
{
public:
    JsonFields(const QJsonObject& object, QString context) : m_object(object), m_context(std::move(context)) {}

    bool string(const char* name, QString* out, bool required = false);
    bool object(const char* name, QJsonObject* out);
    bool array(const char* name, QJsonArray* out, bool required = false);
    /// An array of strings.
    bool strings(const char* name, QStringList* out, bool required = false);
    bool boolean(const char* name, bool* out);
    bool integer(const char* name, qint64* out, bool required = false);
    bool number(const char* name, double* out, bool required = false);
    /// A scalar value: a number or a non-finite one spelled out (see valueFromJson); required.
    bool value(const char* name, double* out);
    /// A number or null; absent leaves `out` alone.
    bool optionalNumber(const char* name, std::optional<double>* out);
    /// Fails if the object has a field none of the calls above asked for.
    bool noOthers();
    bool ok() const { return m_error.isEmpty(); }
    const QString& error() const { return m_error; }

private:
    bool check(const char* name, bool required, bool (QJsonValue::*isType)() const, const char* typeName);
    bool fail(const QString& message);

    const QJsonObject& m_object;
    QString m_context;
    QStringList m_known;
    QString m_error;
};

} // namespace RegistryWire

} // namespace jikken
