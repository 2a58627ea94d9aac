#include "NewRunDialog.h"

#include "dispatch/ShellQuote.h"

#include "ids/ModelId.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QVBoxLayout>

namespace jikken {

NewRunDialog::NewRunDialog(const QVector<HostSettings>& hosts, const RunSpec& initial, QWidget* parent)
    : QDialog(parent), m_host(new QComboBox), m_gpu(new QComboBox), m_command(new QLineEdit), m_problem(new QLabel)
{
    setWindowTitle(tr("New run"));
    auto* where = new QFormLayout;
    for (const HostSettings& host : hosts)
        m_host->addItem(host.alias);
    m_gpu->setEditable(true);
    m_gpu->addItems({QStringLiteral("auto"), QStringLiteral("cpu"), QStringLiteral("0"), QStringLiteral("1"),
                     QStringLiteral("2"), QStringLiteral("3")});
    m_gpu->setToolTip(tr("auto: the first GPU no run uses; cpu: none; or a GPU index"));
    where->addRow(tr("Host"), m_host);
    where->addRow(tr("GPU"), m_gpu);
    m_command->setPlaceholderText(tr("empty: jikken train with the fields below"));
    m_command->setToolTip(tr("Your own training command, e.g. python train.py --logdir {logdir} --name {id} "
                             "(words with spaces in \"double quotes\"); its TensorBoard event files go to the "
                             "registry, its exit status ends the run"));
    where->addRow(tr("Command"), m_command);

    auto* form = new QFormLayout;
    const QJsonObject values = initial.toJson();
    for (const RunSpec::Field& f : RunSpec::fields()) {
        const QString name = QString::fromLatin1(f.name);
        const QString value = values.value(name).toVariant().toString();
        QWidget* editor;
        if (!f.choices.isEmpty()) {
            auto* box = new QComboBox;
            box->addItems(f.choices);
            box->setCurrentText(value);
            // A script of one's own may name its method freely (jikken train checks its own list).
            box->setEditable(name == QLatin1String("method"));
            editor = box;
        } else {
            auto* line = new QLineEdit(value);
            editor = line;
        }
        editor->setToolTip(QString::fromUtf8(f.help));
        editor->setObjectName(name);
        m_fields.insert(name, editor);
        form->addRow(name, editor);
    }
    auto* fields = new QWidget;
    fields->setLayout(form);
    auto* scroll = new QScrollArea;
    scroll->setWidget(fields);
    scroll->setWidgetResizable(true);

    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #d64545;"));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Start now"));
    // Queue: the run waits for the host's agent (jikken agent) to start it when a GPU frees up.
    m_queueButton = buttons->addButton(tr("Queue"), QDialogButtonBox::ActionRole);
    m_queueButton->setToolTip(tr("Reserve the ID now and let the host's agent start the run when a GPU frees up"));
    connect(m_queueButton, &QPushButton::clicked, this, [this] {
        m_queued = true;
        accept();
    });
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        m_queued = false;
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(where);
    layout->addWidget(scroll, 1);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
    resize(480, 640);
}

QLineEdit* NewRunDialog::field(const QString& name) const
{
    return qobject_cast<QLineEdit*>(m_fields.value(name));
}

std::optional<RunSpec> NewRunDialog::spec(QString* error) const
{
    RunSpec spec;
    for (auto it = m_fields.cbegin(); it != m_fields.cend(); ++it) {
        const auto* box = qobject_cast<const QComboBox*>(it.value());
        const QString text = box ? box->currentText() : qobject_cast<const QLineEdit*>(it.value())->text();
        if (!spec.set(it.key(), text, error))
            return std::nullopt;
    }
    return spec;
}

QString NewRunDialog::host() const
{
    return m_host->currentText();
}

QString NewRunDialog::method() const
{
    return qobject_cast<const QComboBox*>(m_fields.value(QStringLiteral("method")))->currentText().trimmed();
}

QStringList NewRunDialog::command() const
{
    QString ignored; // accept() has refused a command that does not split
    return ShellQuote::split(m_command->text(), &ignored).value_or(QStringList());
}

void NewRunDialog::setCommand(const QStringList& words, const QString& method)
{
    m_command->setText(ShellQuote::command(words));
    qobject_cast<QComboBox*>(m_fields.value(QStringLiteral("method")))->setCurrentText(method);
}

QString NewRunDialog::gpu() const
{
    return m_gpu->currentText().trimmed();
}

void NewRunDialog::accept()
{
    static const QRegularExpression index(QStringLiteral("^\\d+$"));
    QString error;
    if (m_host->currentText().isEmpty())
        error = tr("No host: add one to ~/.ssh/config or hosts.json");
    else if (gpu() != QLatin1String("auto") && gpu() != QLatin1String("cpu") && !index.match(gpu()).hasMatch())
        error = tr("GPU must be auto, cpu or an index, not \"%1\"").arg(gpu());
    else if (!ShellQuote::split(m_command->text(), &error))
        ; // an unmatched quote: said in `error`
    else if (!command().isEmpty() && m_queued)
        error = tr("The queue starts jikken train specs: a command of your own starts now (Start now)");
    else if (!command().isEmpty())
        error = ModelId::methodError(method()); // the script's own method: only the ID must be valid
    else
        spec(&error); // names the field that is wrong, if one is
    if (!error.isEmpty()) {
        m_problem->setText(error);
        return;
    }
    QDialog::accept();
}

} // namespace jikken
