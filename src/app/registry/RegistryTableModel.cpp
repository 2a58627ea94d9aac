#include "RegistryTableModel.h"

#include "charts/RunColours.h"
#include "ids/ModelId.h"
#include "util/JsonText.h"

#include <QColor>
#include <QFont>
#include <QLocale>
#include <QSet>

namespace jikken {

namespace {

QString errorText(const std::optional<double>& error)
{
    return error ? QString::number(*error, 'f', 4) : QString();
}

bool sameRow(const RunRecord& a, const RunRecord& b)
{
    // Every field: the row shows some, the details pane, the filter and the extra columns the rest (labels
    // set from the CLI, hyperparameters described late).
    return a.id == b.id && a.method == b.method && a.model == b.model && a.dataset == b.dataset &&
           a.hparams == b.hparams && a.memo == b.memo && a.labels == b.labels && a.status == b.status &&
           a.statusReason == b.statusReason && a.host == b.host && a.device == b.device && a.command == b.command &&
           a.spec == b.spec && a.gitCommit == b.gitCommit && a.gitDirty == b.gitDirty && a.versions == b.versions &&
           a.logDir == b.logDir && a.created == b.created && a.started == b.started && a.finished == b.finished &&
           a.heartbeat == b.heartbeat && a.epoch == b.epoch && a.totalEpochs == b.totalEpochs && a.step == b.step &&
           a.latestTestError == b.latestTestError && a.bestTestError == b.bestTestError &&
           a.finalMetrics == b.finalMetrics && a.fields == b.fields && a.colour == b.colour &&
           a.checkpoints == b.checkpoints;
}

// Colours readable on light and dark backgrounds alike.
QColor statusColour(RunStatus status)
{
    switch (status) {
    case RunStatus::Running:
        return QColor(0x1f, 0x9d, 0x55);
    case RunStatus::Finished:
        return QColor(0x2f, 0x6f, 0xde);
    case RunStatus::Failed:
        return QColor(0xd6, 0x45, 0x45);
    case RunStatus::Lost:
        return QColor(0xd9, 0x8a, 0x1c);
    case RunStatus::Diverged:
        return QColor(0xc2, 0x3a, 0x8c);
    case RunStatus::Stopped:
        return QColor(0x7a, 0x5c, 0xc4);
    case RunStatus::Queued:
        return QColor(0x1a, 0x9c, 0xa6);
    case RunStatus::Reserved:
    case RunStatus::Unknown:
        break;
    }
    return QColor(0x8a, 0x90, 0xa0);
}

const QString kHparams = QStringLiteral("hparams/");
const QString kMetrics = QStringLiteral("metrics/");

/// The run's value for an extra column's key; undefined when it has none.
QJsonValue extraValue(const RunRecord& run, const QString& key)
{
    if (key.startsWith(kHparams))
        return run.hparams.value(key.mid(kHparams.size()));
    if (key.startsWith(kMetrics))
        return run.finalMetrics.value(key.mid(kMetrics.size()));
    return QJsonValue::Undefined;
}

} // namespace

RegistryTableModel::RegistryTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void RegistryTableModel::addExtraColumn(const QString& key)
{
    if (m_extra.contains(key) || !(key.startsWith(kHparams) || key.startsWith(kMetrics)))
        return;
    const int column = ColumnCount + static_cast<int>(m_extra.size());
    beginInsertColumns({}, column, column);
    m_extra.append(key);
    endInsertColumns();
}

void RegistryTableModel::removeExtraColumn(const QString& key)
{
    const int column = extraColumn(key);
    if (column < 0)
        return;
    beginRemoveColumns({}, column, column);
    m_extra.removeAt(column - ColumnCount);
    endRemoveColumns();
}

int RegistryTableModel::extraColumn(const QString& key) const
{
    const qsizetype at = m_extra.indexOf(key);
    return at < 0 ? -1 : ColumnCount + static_cast<int>(at);
}

QStringList RegistryTableModel::availableExtraColumns() const
{
    QSet<QString> keys;
    for (const RunRecord& run : m_runs) {
        for (auto it = run.hparams.begin(); it != run.hparams.end(); ++it)
            keys.insert(kHparams + it.key());
        for (auto it = run.finalMetrics.begin(); it != run.finalMetrics.end(); ++it)
            keys.insert(kMetrics + it.key());
    }
    QStringList sorted(keys.cbegin(), keys.cend());
    sorted.sort();
    return sorted;
}

namespace {

/// Where a run's ID sorts: by its date, then its number of the day (`…_10_…` after `…_9_…`); an ID that is not
/// a model ID by its text.
QVariant idOrder(const QString& text)
{
    const auto id = ModelId::parse(text);
    return id ? QVariant(static_cast<qint64>(id->date().toJulianDay()) * 1000 + id->number()) : QVariant(text);
}

} // namespace

void RegistryTableModel::reindex()
{
    m_rowById.clear();
    m_idOrder.clear();
    m_idOrder.reserve(m_runs.size());
    for (int row = 0; row < m_runs.size(); ++row) {
        m_rowById.insert(m_runs[row].id, row);
        m_idOrder.append(idOrder(m_runs[row].id));
    }
}

namespace {

/// Whether a run the table had as reserved or running has come to an end worth telling.
bool hasEnded(const RunRecord& before, const RunRecord& now)
{
    const bool wasGoing = before.status == RunStatus::Running || before.status == RunStatus::Reserved;
    const bool ended = now.status == RunStatus::Finished || now.status == RunStatus::Failed ||
                       now.status == RunStatus::Lost || now.status == RunStatus::Diverged;
    return wasGoing && ended;
}

} // namespace

void RegistryTableModel::setRuns(const QVector<RunRecord>& runs)
{
    QHash<QString, const RunRecord*> fresh;
    for (const RunRecord& run : runs)
        fresh.insert(run.id, &run);
    // Vanished rows go first, from the bottom up so the rows above keep their numbers.
    for (int row = static_cast<int>(m_runs.size()) - 1; row >= 0; --row) {
        if (fresh.contains(m_runs[row].id))
            continue;
        beginRemoveRows({}, row, row);
        m_runs.removeAt(row);
        m_idOrder.removeAt(row);
        endRemoveRows();
    }
    reindex();
    for (int row = 0; row < m_runs.size(); ++row) {
        const RunRecord& now = *fresh.value(m_runs[row].id);
        if (sameRow(m_runs[row], now))
            continue;
        const bool ended = hasEnded(m_runs[row], now);
        m_runs[row] = now;
        if (ended)
            Q_EMIT runEnded(now);
        Q_EMIT dataChanged(index(row, 0), index(row, columnCount() - 1));
    }
    QVector<RunRecord> added;
    for (const RunRecord& run : runs) {
        if (!m_rowById.contains(run.id))
            added.append(run);
    }
    if (!added.isEmpty()) {
        beginInsertRows({}, static_cast<int>(m_runs.size()), static_cast<int>(m_runs.size() + added.size() - 1));
        m_runs += added;
        reindex();
        endInsertRows();
    }
}

void RegistryTableModel::updateRun(const RunRecord& run)
{
    const int row = rowOf(run.id);
    if (row < 0) {
        beginInsertRows({}, static_cast<int>(m_runs.size()), static_cast<int>(m_runs.size()));
        m_runs.append(run);
        m_rowById.insert(run.id, static_cast<int>(m_runs.size() - 1));
        m_idOrder.append(idOrder(run.id));
        endInsertRows();
        return;
    }
    if (sameRow(m_runs[row], run))
        return; // nothing to redraw
    const bool ended = hasEnded(m_runs[row], run);
    m_runs[row] = run;
    Q_EMIT dataChanged(index(row, 0), index(row, columnCount() - 1));
    if (ended)
        Q_EMIT runEnded(run);
}

const RunRecord* RegistryTableModel::run(const QString& id) const
{
    const int row = rowOf(id);
    return row < 0 ? nullptr : &m_runs[row];
}

int RegistryTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_runs.size() + m_sweeps.size());
}

int RegistryTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount + static_cast<int>(m_extra.size());
}

QVariant RegistryTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    if (index.row() >= m_runs.size())
        return sweepData(m_sweeps[index.row() - m_runs.size()], index.column(), role);
    const RunRecord& r = m_runs[index.row()];
    if (role == SweepRole)
        return m_sweepOf.value(r.id);
    if (role == CollapsedRole)
        return m_collapsed.contains(m_sweepOf.value(r.id));
    if (index.column() >= ColumnCount)
        return extraData(r, m_extra[index.column() - ColumnCount], role);
    const double progress =
        r.totalEpochs > 0 ? std::clamp(static_cast<double>(r.epoch) / r.totalEpochs, 0.0, 1.0) : 0.0;
    switch (role) {
    case IdRole:
        return r.id;
    case ProgressRole:
        return progress;
    case Qt::ForegroundRole:
        return index.column() == Status ? QVariant(statusColour(r.status)) : QVariant();
    case Qt::DecorationRole: // the run's colour beside its ID: the key to every chart
        return index.column() == Id ? QVariant(RunColours::of(r)) : QVariant();
    case Qt::ToolTipRole:
        if (index.column() == Status && !r.statusReason.isEmpty())
            return r.statusReason;
        return index.column() == Memo ? QVariant(r.memo) : QVariant();
    case Qt::TextAlignmentRole:
        return index.column() == TestError || index.column() == BestTestError || index.column() == Progress
                   ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                   : QVariant();
    case SortRole:
        switch (index.column()) {
        case Id:
            return m_idOrder[index.row()];
        case Progress:
            return progress;
        // Runs without a result sort after every number.
        case TestError:
            return r.latestTestError.value_or(std::numeric_limits<double>::infinity());
        case BestTestError:
            return r.bestTestError.value_or(std::numeric_limits<double>::infinity());
        case Created:
            return r.created.toMSecsSinceEpoch();
        default:
            return data(index, Qt::DisplayRole);
        }
    case Qt::DisplayRole:
        switch (index.column()) {
        case Id:
            return r.id;
        case Method:
            return r.method;
        case Model:
            return r.model;
        case Dataset:
            return r.dataset;
        case Host:
            return r.device.isEmpty() ? r.host : r.host + QStringLiteral(" / ") + r.device;
        case Status:
            return toString(r.status);
        case Progress: // none known (an imported row, a reservation): no empty "0/0" bar
            return r.totalEpochs > 0 ? QStringLiteral("%1/%2").arg(r.epoch).arg(r.totalEpochs) : QString();
        case TestError:
            return errorText(r.latestTestError);
        case BestTestError:
            return errorText(r.bestTestError);
        case Created:
            return QLocale().toString(r.created.toLocalTime(), QLocale::ShortFormat);
        case Memo:
            return r.memo.simplified();
        default:
            return {};
        }
    default:
        return {};
    }
}

QString RegistryTableModel::typicalText(int column)
{
    switch (column) {
    case Id:
        return QStringLiteral("20190705_01_focalloss");
    case Method:
        return QStringLiteral("focalloss");
    case Model:
    case Dataset:
        return QStringLiteral("resnet18");
    case Host:
        return QStringLiteral("gpu-01 / 3");
    case Status:
        return QStringLiteral("diverged");
    case Progress:
    case TestError:
    case BestTestError:
        return QStringLiteral("0.0000");
    case Created:
        return QLocale().toString(QDateTime(QDate(2026, 12, 28), QTime(23, 59)), QLocale::ShortFormat);
    default:
        return {};
    }
}

QVariant RegistryTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char* const kTitles[ColumnCount] = {"ID",    "Method",   "Model",    "Dataset", "Host / GPU", "Status",
                                                     "Epoch", "Test err", "Best err", "Created", "Memo"};
    if (section >= ColumnCount && section < columnCount())
        return m_extra[section - ColumnCount].section(u'/', 1); // `lr`, `test_accuracy`: the name alone
    return section >= 0 && section < ColumnCount ? tr(kTitles[section]) : QVariant();
}

QVariant RegistryTableModel::extraData(const RunRecord& run, const QString& key, int role) const
{
    const QJsonValue value = extraValue(run, key);
    switch (role) {
    case IdRole:
        return run.id;
    case Qt::DisplayRole:
        return JsonText::of(value, 6);
    case Qt::ToolTipRole:
        return value.isDouble() ? QVariant(JsonText::of(value, QLocale::FloatingPointShortest)) : QVariant();
    case Qt::TextAlignmentRole:
        return value.isDouble() ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    case SortRole:
        // Numbers by value; runs without the key after every number.
        if (value.isDouble())
            return value.toDouble();
        return value.isUndefined() || value.isNull() ? QVariant(std::numeric_limits<double>::infinity())
                                                     : QVariant(JsonText::of(value, QLocale::FloatingPointShortest));
    default:
        return {};
    }
}

int RegistryTableModel::sweepRow(const QString& name) const
{
    const qsizetype at = m_sweepIndex.value(name, -1);
    return at < 0 ? -1 : static_cast<int>(m_runs.size() + at);
}

QStringList RegistryTableModel::pointsOf(const QString& sweep) const
{
    const qsizetype at = m_sweepIndex.value(sweep, -1);
    return at < 0 ? QStringList() : m_sweeps[at].runs;
}

void RegistryTableModel::setSweeps(const QVector<SweepSummary>& sweeps)
{
    QStringList before, after;
    for (const SweepSummary& sweep : std::as_const(m_sweeps))
        before << sweep.name;
    for (const SweepSummary& sweep : sweeps)
        after << sweep.name;
    const int first = static_cast<int>(m_runs.size());
    // The rows and the index of them change together: the filter model sorts new rows as they come.
    const auto adopt = [this](const QVector<SweepSummary>& given) {
        m_sweeps = given;
        m_sweepIndex.clear();
        for (qsizetype i = 0; i < m_sweeps.size(); ++i)
            m_sweepIndex.insert(m_sweeps[i].name, i);
    };
    if (before == after) { // the same sweeps: their counts and best, in place
        adopt(sweeps);
        if (!m_sweeps.isEmpty())
            Q_EMIT dataChanged(index(first, 0),
                               index(first + static_cast<int>(m_sweeps.size()) - 1, columnCount() - 1));
    } else {
        if (!m_sweeps.isEmpty()) {
            beginRemoveRows({}, first, first + static_cast<int>(m_sweeps.size()) - 1);
            adopt({});
            endRemoveRows();
        }
        if (!sweeps.isEmpty()) {
            beginInsertRows({}, first, first + static_cast<int>(sweeps.size()) - 1);
            adopt(sweeps);
            endInsertRows();
        }
    }
    QHash<QString, QString> sweepOf;
    for (const SweepSummary& sweep : sweeps) {
        for (const QString& id : sweep.runs)
            sweepOf.insert(id, sweep.name);
    }
    QStringList moved; // runs whose sweep is another now (or none)
    for (auto it = sweepOf.cbegin(); it != sweepOf.cend(); ++it) {
        if (m_sweepOf.value(it.key()) != it.value())
            moved << it.key();
    }
    for (auto it = m_sweepOf.cbegin(); it != m_sweepOf.cend(); ++it) {
        if (!sweepOf.contains(it.key()))
            moved << it.key();
    }
    m_sweepOf = std::move(sweepOf);
    runsChanged(moved);
    if (before != after || !moved.isEmpty())
        Q_EMIT sweepsRearranged();
}

void RegistryTableModel::setCollapsed(const QString& sweep, bool collapsed)
{
    if (collapsed == m_collapsed.contains(sweep))
        return;
    if (collapsed)
        m_collapsed.insert(sweep);
    else
        m_collapsed.remove(sweep);
    const int row = sweepRow(sweep);
    if (row < 0)
        return; // remembered for when it comes
    Q_EMIT dataChanged(index(row, 0), index(row, columnCount() - 1));
    runsChanged(pointsOf(sweep));
}

void RegistryTableModel::runsChanged(const QStringList& ids)
{
    for (const QString& id : ids) {
        if (const int row = rowOf(id); row >= 0)
            Q_EMIT dataChanged(index(row, 0), index(row, columnCount() - 1));
    }
}

QVariant RegistryTableModel::sweepData(const SweepSummary& sweep, int column, int role) const
{
    const RunRecord* first = sweep.runs.isEmpty() ? nullptr : run(sweep.runs.first());
    const double done = sweep.points > 0 ? static_cast<double>(sweep.finished) / sweep.points : 0.0;
    switch (role) {
    case SweepRole:
        return sweep.name;
    case IsSweepRole:
        return true;
    case ProgressRole:
        return done;
    case Qt::FontRole: {
        QFont bold;
        bold.setBold(true);
        return bold;
    }
    case Qt::ToolTipRole:
        return column == Id ? tr("Sweep %1: %n point(s); double-click to show or hide them", nullptr, sweep.points)
                                  .arg(sweep.name)
                            : QVariant();
    case Qt::TextAlignmentRole:
        return column == BestTestError || column == Progress ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    case SortRole:
        // Where its first point would be by ID and date; by its own numbers otherwise.
        switch (column) {
        case Id:
        case Created:
            return first ? index(rowOf(first->id), column).data(SortRole) : QVariant(sweep.name);
        case Progress:
            return done;
        case BestTestError:
            return sweep.bestTestError.value_or(std::numeric_limits<double>::infinity());
        case TestError:
            return std::numeric_limits<double>::infinity();
        default:
            return column >= ColumnCount ? QVariant(std::numeric_limits<double>::infinity())
                                         : sweepData(sweep, column, Qt::DisplayRole);
        }
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (column) {
    case Id:
        return QStringLiteral("%1 %2 (%3)")
            .arg(m_collapsed.contains(sweep.name) ? QStringLiteral("▸") : QStringLiteral("▾"), sweep.name)
            .arg(sweep.points);
    case Method:
        return tr("sweep");
    case Status: {
        QStringList counts;
        const QList<QPair<int, QString>> parts{{sweep.finished, tr("done")},
                                               {sweep.running, tr("running")},
                                               {sweep.queued, tr("queued")},
                                               {sweep.failed, tr("failed")},
                                               {sweep.other, tr("stopped/diverged")}};
        for (const auto& [count, what] : parts) {
            if (count > 0)
                counts << QStringLiteral("%1 %2").arg(count).arg(what);
        }
        return counts.join(QStringLiteral(" · "));
    }
    case Progress:
        return QStringLiteral("%1/%2").arg(sweep.finished).arg(sweep.points);
    case BestTestError:
        return errorText(sweep.bestTestError);
    case Memo:
        return sweep.bestRun.isEmpty() ? QString() : tr("best: %1").arg(sweep.bestRun);
    default:
        return {};
    }
}

} // namespace jikken
