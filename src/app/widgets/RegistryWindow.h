#pragma once

#include <QMainWindow>

#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;

namespace jikken {

class ChartPane;
class RegistryClient;
class RegistryTableModel;
class RunDetailsWidget;
class RunFilterModel;

/// The main window: the registry table (filter box, status filter, sortable columns) beside the selected
/// run's details, and the selected runs' curves below. It polls its registry client and applies what changed in place;
/// an unreachable registry shows a banner and is tried again.
class RegistryWindow : public QMainWindow
{
    Q_OBJECT

public:
    RegistryWindow(std::unique_ptr<RegistryClient> registry, QWidget* parent = nullptr);
    ~RegistryWindow() override;

    /// Reads the registry now (the timer does it every few seconds).
    void refresh();

    QTableView* table() const { return m_table; }
    QLineEdit* filterBox() const { return m_filter; }
    QComboBox* statusBox() const { return m_status; }
    RunDetailsWidget* details() const { return m_details; }
    ChartPane* chart() const { return m_chart; }
    QLabel* banner() const { return m_banner; }

private:
    void showSelected();
    QStringList selectedIds() const;
    void saveMemo(const QString& id, const QString& memo);

    std::unique_ptr<RegistryClient> m_registry;
    RegistryTableModel* m_model;
    RunFilterModel* m_proxy;
    QLineEdit* m_filter;
    QComboBox* m_status;
    QTableView* m_table;
    RunDetailsWidget* m_details;
    ChartPane* m_chart;
    QLabel* m_banner;
};

} // namespace jikken
