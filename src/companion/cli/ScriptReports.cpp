#include "ScriptReports.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>

namespace jikken {

namespace {

/// A line longer than this is not a report (a memo is at most 64 K characters): skipped, not kept in memory.
constexpr qsizetype kMaxLine = 4 << 20;

/// `key` of `object` as text into `out` when present; false when present but not text.
bool readText(const QJsonObject& object, const char* key, QString* out)
{
    const QJsonValue value = object.value(QLatin1String(key));
    if (value.isUndefined() || value.isNull())
        return true;
    if (!value.isString())
        return false;
    *out = value.toString();
    return true;
}

bool readObject(const QJsonObject& object, const char* key, QJsonObject* out)
{
    const QJsonValue value = object.value(QLatin1String(key));
    if (value.isUndefined() || value.isNull())
        return true;
    if (!value.isObject())
        return false;
    *out = value.toObject();
    return true;
}

} // namespace

ScriptReports::ScriptReports(const QString& logDir) : m_file(QDir(logDir).filePath(QLatin1String(kFileName))) {}

bool ScriptReports::poll(QStringList* warnings)
{
    if (!m_file.isOpen() && !m_file.open(QIODevice::ReadOnly))
        return false; // not written yet
    bool changed = false;
    const QByteArray fresh = m_file.readAll();
    qsizetype start = 0;
    for (qsizetype end = fresh.indexOf('\n'); end >= 0; start = end + 1, end = fresh.indexOf('\n', start)) {
        ++m_line;
        const QByteArray line = m_partial + fresh.mid(start, end - start);
        const bool tooLong = m_partial.size() >= kMaxLine || line.size() > kMaxLine;
        m_partial.clear();
        if (line.trimmed().isEmpty())
            continue;
        QJsonParseError parseError{};
        const QJsonDocument document = tooLong ? QJsonDocument() : QJsonDocument::fromJson(line, &parseError);
        const QString problem = tooLong                ? QStringLiteral("longer than %1 bytes").arg(kMaxLine)
                                : !document.isObject() ? QStringLiteral("not a JSON object")
                                                       : take(document.object());
        if (problem.isEmpty())
            changed = true;
        else
            warnings->append(
                QStringLiteral("%1 line %2: %3 (skipped)").arg(m_file.fileName()).arg(m_line).arg(problem));
    }
    // What follows the last newline is a line still being written; past the limit only its length is kept.
    if (m_partial.size() < kMaxLine)
        m_partial += fresh.mid(start);
    return changed;
}

QString ScriptReports::take(const QJsonObject& report)
{
    State next = m_state;
    for (auto it = report.begin(); it != report.end(); ++it) {
        const QString& key = it.key();
        if (key == QLatin1String("describe")) {
            if (!it->isObject())
                return QStringLiteral("\"describe\" must be an object");
            const QJsonObject d = it->toObject();
            const QJsonValue dirty = d.value(QLatin1String("git_dirty"));
            if (!readText(d, "model", &next.model) || !readText(d, "dataset", &next.dataset) ||
                !readText(d, "command", &next.command) || !readText(d, "git_commit", &next.gitCommit) ||
                !readText(d, "host", &next.host) || !readText(d, "device", &next.device) ||
                !readObject(d, "hparams", &next.hparams) || !readObject(d, "versions", &next.versions) ||
                !(dirty.isUndefined() || dirty.isBool()))
                return QStringLiteral("\"describe\" holds a field of the wrong type");
            if (dirty.isBool())
                next.gitDirty = dirty.toBool();
        } else if (key == QLatin1String("memo")) {
            if (!it->isString())
                return QStringLiteral("\"memo\" must be text");
            next.memo = it->toString();
        } else if (key == QLatin1String("labels")) {
            QStringList labels;
            for (const QJsonValue& label : it->toArray()) {
                if (!label.isString())
                    return QStringLiteral("\"labels\" must be a list of text");
                labels << label.toString();
            }
            if (!it->isArray())
                return QStringLiteral("\"labels\" must be a list of text");
            next.labels = labels;
        } else if (key == QLatin1String("results")) {
            if (!it->isObject())
                return QStringLiteral("\"results\" must be an object");
            next.results = it->toObject();
        } else if (key == QLatin1String("end")) {
            const QJsonObject end = it->toObject();
            const auto status = runStatusFromString(end.value(QLatin1String("status")).toString());
            if (!status || !isTerminal(*status) || *status == RunStatus::Lost)
                return QStringLiteral("\"end\" needs a status: finished, failed, stopped or diverged");
            next.end = status;
            next.endReason = end.value(QLatin1String("reason")).toString();
        } else {
            return QStringLiteral("unknown report \"%1\"").arg(key);
        }
    }
    m_state = std::move(next);
    return {};
}

} // namespace jikken
