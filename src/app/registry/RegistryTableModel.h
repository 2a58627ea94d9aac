#pragma once

#include "registry/RunRecord.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QVector>

namespace jikken {

/// Every run of the registry as a table row. `setRuns` takes a fresh list (from a poll or the change feed)
/// and updates the rows in place, keyed by model ID: changed rows report dataChanged, new ones are
/// inserted, vanished ones removed, so views keep their selection and scroll position. Sorting and
/// filtering are `RunFilterModel`'s.
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

private:
    void reindex();
    QVariant extraData(const RunRecord& run, const QString& key, int role) const;

    QVector<RunRecord> m_runs;
    QHash<QString, int> m_rowById;
    QStringList m_extra;
};

} // namespace jikken
