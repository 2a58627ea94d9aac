#pragma once

#include "dispatch/HostCatalog.h"
#include "spec/RunSpec.h"

#include <QDialog>
#include <QHash>

class QComboBox;
class QLabel;
class QPushButton;
class QLineEdit;

namespace jikken {

/// "New run": the spec's fields (built from RunSpec's own field table, so a new field shows up here by
/// itself, with its choices and help), the host and the GPU — or a command of the user's own (their
/// Python script) that `jikken run` wraps, with the spec's method naming the ID. A bad value keeps the dialog open with
/// one line naming the field; nothing typed is lost. "Run again with changes" opens it filled from a run.
class NewRunDialog : public QDialog
{
    Q_OBJECT

public:
    NewRunDialog(const QVector<HostSettings>& hosts, const RunSpec& initial, QWidget* parent = nullptr);

    /// The spec as entered, or nullopt with `error` naming the field that is wrong.
    std::optional<RunSpec> spec(QString* error) const;
    QString host() const;
    QString gpu() const; ///< "auto", "cpu" or an index
    /// The user's own command to run instead of `jikken train`, split into words at spaces outside double
    /// quotes (QProcess::splitCommand); empty for none.
    QStringList command() const;
    /// Fills in a command of the user's own (quoted for the box) and the method its runs are under.
    void setCommand(const QStringList& words, const QString& method);
    /// The method part of the ID (the spec's method; with a command of one's own, any valid name).
    QString method() const;
    void accept() override;
    /// Whether it was accepted with Queue (the run waits for an agent on the host) rather than Start now.
    bool queued() const { return m_queued; }
    QPushButton* queueButton() const { return m_queueButton; }

    QLineEdit* field(const QString& name) const;
    QComboBox* hostBox() const { return m_host; }
    QComboBox* gpuBox() const { return m_gpu; }
    QLineEdit* commandBox() const { return m_command; }
    QLabel* problem() const { return m_problem; }

private:
    QHash<QString, QWidget*> m_fields; ///< field name -> QLineEdit or QComboBox
    QComboBox* m_host;
    QComboBox* m_gpu;
    QLineEdit* m_command;
    QLabel* m_problem;
    QPushButton* m_queueButton = nullptr;
    bool m_queued = false;
};

} // namespace jikken
