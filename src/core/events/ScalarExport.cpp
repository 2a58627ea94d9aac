#include "ScalarExport.h"

#include "registry/RunExport.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <charconv>
#include <cmath>
#include <string>

namespace jikken {

namespace {

void appendNumber(std::string& out, double value, bool json)
{
    if (!std::isfinite(value)) {
        const char* text = std::isnan(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
        if (json)
            out.push_back('"');
        out.append(text);
        if (json)
            out.push_back('"');
        return;
    }
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

void appendInteger(std::string& out, qint64 value)
{
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

std::string csvField(const QString& text)
{
    return RunExport::csvField(text).toStdString(); // formulas made plain text, as every CSV we write
}

std::string jsonString(const QString& text)
{
    // QJsonValue escapes exactly as JSON requires; strip the array brackets around it.
    const QByteArray doc = QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact);
    return doc.mid(1, doc.size() - 2).toStdString();
}

} // namespace

QByteArray ScalarExport::csvNumber(double value)
{
    std::string text;
    appendNumber(text, value, false);
    return QByteArray::fromStdString(text);
}

namespace {

/// One run's series as the writer takes them: its name and each tag's points, in the order written.
struct ExportedRun
{
    QString name;
    std::vector<std::pair<QString, const ScalarSeries*>> series;
};

bool writeRuns(const std::vector<ExportedRun>& runs, ScalarExport::Format format, QIODevice& out)
{
    const bool withRun = runs.size() > 1;
    const bool json = format == ScalarExport::Format::Json;
    std::string buffer;
    buffer.reserve(1 << 20);
    bool first = true;
    auto spill = [&](bool force) {
        if (buffer.size() >= (1 << 20) || force) {
            if (out.write(buffer.data(), static_cast<qint64>(buffer.size())) != static_cast<qint64>(buffer.size()))
                return false;
            buffer.clear();
        }
        return true;
    };
    buffer += json ? "[" : withRun ? "run,tag,step,wall_time,value\n" : "tag,step,wall_time,value\n";
    for (const ExportedRun& run : runs) {
        const std::string runText = json ? jsonString(run.name) : csvField(run.name);
        for (const auto& [tagName, points] : run.series) {
            const std::string tag = json ? jsonString(tagName) : csvField(tagName);
            for (int i = 0; i < points->size(); ++i) {
                const ScalarSeries::Point s = points->at(i);
                if (json) {
                    buffer += first ? "\n{" : ",\n{";
                    if (withRun)
                        buffer += "\"run\":" + runText + ",";
                    buffer += "\"tag\":" + tag + ",\"step\":";
                    appendInteger(buffer, s.step);
                    buffer += ",\"wall_time\":";
                    appendNumber(buffer, s.wallTime, true);
                    buffer += ",\"value\":";
                    appendNumber(buffer, s.value, true);
                    buffer += "}";
                } else {
                    if (withRun)
                        buffer += runText + ",";
                    buffer += tag + ",";
                    appendInteger(buffer, s.step);
                    buffer += ",";
                    appendNumber(buffer, s.wallTime, false);
                    buffer += ",";
                    appendNumber(buffer, s.value, false);
                    buffer += "\n";
                }
                first = false;
                if (!spill(false))
                    return false;
            }
        }
    }
    if (json)
        buffer += first ? "]\n" : "\n]\n";
    return spill(true);
}

} // namespace

bool ScalarExport::write(const EventLogReader& log, Format format, QIODevice& out)
{
    std::vector<ExportedRun> runs;
    for (const auto& [name, run] : log.runs()) {
        ExportedRun exported{name, {}};
        for (int t = 0; t < run.scalars.tags().size(); ++t)
            exported.series.emplace_back(run.scalars.tags()[t], &run.scalars.series(t));
        runs.push_back(std::move(exported));
    }
    return writeRuns(runs, format, out);
}

bool ScalarExport::write(const QMap<QString, ScalarSeries>& series, Format format, QIODevice& out)
{
    ExportedRun run;
    for (auto it = series.cbegin(); it != series.cend(); ++it)
        run.series.emplace_back(it.key(), &it.value());
    return writeRuns({run}, format, out);
}

} // namespace jikken
