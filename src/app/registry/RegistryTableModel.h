#pragma once

#include "registry/QueueClient.h"
#include "registry/RunRecord.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QSet>
#include <QVector>

namespace jikken {

/// Every run of the registry as a table row. `setRuns` takes a fresh list (from a poll or the change feed)
/// and updates the rows in place, keyed by model ID: changed rows report dataChanged, new ones are
/// inserted, vanished ones removed, so views keep their selection and scroll position. Sorting and
/// filtering are `RunFilterModel`'s.
///
/// Each sweep is a row of its own after the runs' (its counts, its best), and its points' rows say they are
/// its; `RunFilterModel` sorts them beneath it, and hides them while it is collapsed.
class RegistryTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        Id,
        Method,
        Model,
        Dataset,
        Host,
        Status,
        Progress,
        TestError,
        BestTestError,
        Created,
        Memo,
        ColumnCount
    };
    enum Role {
        SortRole = Qt::UserRole + 1, ///< a value that sorts as people expect (IDs by date, then number)
        IdRole,                      ///< the row's model ID, in every column
        ProgressRole,                ///< epoch / total epochs in [0, 1], for a progress bar
        SweepRole,     ///< the sweep a sweep's row shows, or that a run is a point of; empty for other runs
        IsSweepRole,   ///< true on a sweep's own row (whose IdRole is empty)
        CollapsedRole, ///< true on a run's row whose sweep is collapsed: the row is not shown
    };

    explicit RegistryTableModel(QObject* parent = nullptr);

    /// Columns after the fixed ones, each one hyperparameter (`hparams/lr`) or final metric
    /// (`metrics/test_accuracy`) of the runs: chosen by the user, sortable by value.
    const QStringList& extraColumns() const { return m_extra; }
    void addExtraColumn(const QString& key);
    void removeExtraColumn(const QString& key);
    /// Every `hparams/…` and `metrics/…` key some run has, sorted: what can be added.
    QStringList availableExtraColumns() const;
    /// The column showing `key`, or -1.
    int extraColumn(const QString& key) const;

    void setRuns(const QVector<RunRecord>& runs);
    /// Replaces one run's row (after a memo edit, or a change-feed update of one run).
    void updateRun(const RunRecord& run);
    const RunRecord* run(const QString& id) const;
    /// Every run, in the model's row order.
    const QVector<RunRecord>& runs() const { return m_runs; }
    int rowOf(const QString& id) const { return m_rowById.value(id, -1); }

    /// The sweeps as the registry's queue counts them (`QueueClient::sweeps`), updated in place.
    void setSweeps(const QVector<SweepSummary>& sweeps);
    const QVector<SweepSummary>& sweeps() const { return m_sweeps; }
    /// The row of the sweep `name`, or -1.
    int sweepRow(const QString& name) const;
    /// The IDs of the sweep's points, in the order they were queued; none for a sweep the table does not have.
    QStringList pointsOf(const QString& sweep) const;
    /// Hides (or shows again) the rows of a sweep's points beneath its row (of one not read yet: once it is).
    void setCollapsed(const QString& sweep, bool collapsed);
    bool isCollapsed(const QString& sweep) const { return m_collapsed.contains(sweep); }
    const QSet<QString>& collapsedSweeps() const { return m_collapsed; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    /// What a fixed column typically holds (an ID, a method, a date in the locale's short format), to size it
    /// by without measuring every row; empty for the memo, which takes the room left.
    static QString typicalText(int column);

Q_SIGNALS:
    /// A run the table knew as running (or reserved) has finished, failed or been lost since.
    void runEnded(const RunRecord& run);
    /// Sweeps came or went, or runs joined or left one: rows sorted beneath their sweep are to be sorted
    /// again, all together (one by one, each would be placed among others not placed yet).
    void sweepsRearranged();

private:
    void reindex();
    QVariant extraData(const RunRecord& run, const QString& key, int role) const;
    QVariant sweepData(const SweepSummary& sweep, int column, int role) const;
    /// Says that the rows of these runs changed (their sweep, or whether it is collapsed).
    void runsChanged(const QStringList& ids);

    QVector<RunRecord> m_runs;
    QHash<QString, int> m_rowById;
    /// Each row's place in the ID column's order, worked out once when the row comes (a sort asks it of every
    /// pair it compares).
    QVector<QVariant> m_idOrder;
    QStringList m_extra;
    QVector<SweepSummary> m_sweeps;         ///< rows m_runs.size() and on
    QHash<QString, QString> m_sweepOf;      ///< run ID -> the sweep it is a point of
    QHash<QString, qsizetype> m_sweepIndex; ///< sweep name -> its place in m_sweeps
    QSet<QString> m_collapsed;
};

} // namespace jikken
