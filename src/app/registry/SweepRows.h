#pragma once

#include <QModelIndexList>
#include <QObject>
#include <QStringList>

class QSettings;
class QTableView;
class QTimer;

namespace jikken {

class RegistryReader;
class RegistryTableModel;

/// The registry table's sweep rows, kept up to date: read from the registry's queue (`QueueClient::sweeps`)
/// when the runs change, since their counts change with their points; a double-click on a sweep's row shows
/// or hides its points beneath it; which sweeps are collapsed is remembered.
class SweepRows : public QObject
{
    Q_OBJECT

public:
    SweepRows(RegistryReader& reader, RegistryTableModel* model, QTableView* table, QObject* parent = nullptr);

    /// Reads the sweeps again in a moment: once for changes that come together.
    void refreshSoon();
    /// The runs `rows` stand for: a run's row its run, a sweep's row its points (once each, in order).
    QStringList runsOf(const QModelIndexList& rows) const;

    void saveSettings(QSettings& settings) const;
    void restoreSettings(QSettings& settings);

    static constexpr int kRefreshDelayMs = 300;

private:
    void read();
    void toggle(const QModelIndex& index);

    RegistryReader& m_reader;
    RegistryTableModel* m_model;
    QTimer* m_soon;
};

} // namespace jikken
