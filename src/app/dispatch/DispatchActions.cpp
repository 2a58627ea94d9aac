#include "DispatchActions.h"

#include "NewRunDialog.h"
#include "dispatch/Dispatcher.h"
#include "dispatch/ShellQuote.h"
#include "registry/RegistryClient.h"
#include "registry/RunQueue.h"

#include <QClipboard>
#include <QComboBox>
#include <QDialog>
#include <QDir>
#include <QFile>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QPlainTextEdit>
#include <QProcess>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace jikken {

namespace {

constexpr int kDispatchWaitMs = 20000;
constexpr int kStopGraceMs = 60000;
constexpr int kOutputLines = 400;

struct Outcome
{
    QString result;
    QString problem;
};

// A terminal running `command`: Terminal.app through a .command file on macOS, the Debian alternative
// elsewhere. False when there is none.
bool openTerminal(const QStringList& command)
{
#if defined(Q_OS_MACOS)
    const QString script =
        QDir::temp().filePath(QStringLiteral("jikken-attach-%1.command").arg(QCoreApplication::applicationPid()));
    QFile file(script);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    file.write(("#!/bin/sh\nexec " + ShellQuote::command(command) + "\n").toUtf8());
    file.close();
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    return QProcess::startDetached(QStringLiteral("open"), {QStringLiteral("-a"), QStringLiteral("Terminal"), script});
#else
    return QProcess::startDetached(QStringLiteral("x-terminal-emulator"), QStringList{QStringLiteral("-e")} + command);
#endif
}

} // namespace

DispatchActions::DispatchActions(ClientConfig registry, RegistryConnector connector, QWidget* window)
    : QObject(window), m_registry(std::move(registry)), m_connector(std::move(connector)), m_window(window)
{
}

void DispatchActions::inBackground(const QString& what, std::function<QString(Dispatcher&, QString* error)> work,
                                   std::function<void(const QString& result)> after)
{
    withRegistryInBackground(
        what,
        [config = m_registry, router = m_router, work](RegistryClient& client, QString* error) {
            Dispatcher dispatcher(client, config);
            dispatcher.setRouter(router);
            return work(dispatcher, error);
        },
        std::move(after));
}

void DispatchActions::withRegistryInBackground(const QString& what,
                                               std::function<QString(RegistryClient&, QString* error)> work,
                                               std::function<void(const QString& result)> after)
{
    Q_EMIT started(what);
    QtConcurrent::run([connector = m_connector, work] {
        Outcome outcome;
        std::unique_ptr<RegistryClient> client = connector(&outcome.problem);
        if (!client)
            return outcome;
        outcome.result = work(*client, &outcome.problem);
        return outcome;
    }).then(this, [this, after](const Outcome& outcome) {
        if (!outcome.problem.isEmpty())
            Q_EMIT failed(outcome.problem);
        else
            after(outcome.result);
    });
}

void DispatchActions::newRun(const RunRecord* from)
{
    QString error;
    const auto hosts = HostCatalog::load(&error);
    if (!hosts) {
        Q_EMIT failed(error);
        return;
    }
    RunSpec initial;
    if (from) {
        if (const auto spec = RunSpec::fromJson(from->spec, &error))
            initial = *spec;
    }
    NewRunDialog dialog(*hosts, initial, m_window);
    if (from) {
        dialog.hostBox()->setCurrentText(from->host);
        // A run of the user's own command was recorded as `jikken run -- WORDS…`: the same command again.
        QString unsplit;
        const auto words = ShellQuote::split(from->command, &unsplit);
        if (words && words->size() > 3 && words->at(1) == QLatin1String("run") && words->at(2) == QLatin1String("--"))
            dialog.setCommand(words->mid(3), from->method);
    }
    if (dialog.exec() != QDialog::Accepted)
        return;
    const QStringList command = dialog.command();
    // With a command of the user's own only the method (for the ID) is used of the form.
    const RunSpec spec = command.isEmpty() ? *dialog.spec(&error) : RunSpec();
    const QString method = command.isEmpty() ? spec.method : dialog.method();
    const HostSettings host =
        *std::find_if(hosts->begin(), hosts->end(), [&](const HostSettings& h) { return h.alias == dialog.host(); });
    const QString gpu = dialog.gpu();
    if (dialog.queued()) {
        queue(spec, host.alias, gpu);
        return;
    }
    inBackground(
        tr("Starting a %1 run on %2…").arg(method, host.alias),
        [spec, host, gpu, command, method](Dispatcher& dispatcher, QString* problem) {
            const auto id = command.isEmpty()
                                ? dispatcher.dispatch(host, spec, gpu, kDispatchWaitMs, problem)
                                : dispatcher.dispatchCommand(host, method, command, gpu, kDispatchWaitMs, problem);
            return id.value_or(QString());
        },
        [this, host](const QString& id) {
            Q_EMIT runsChanged();
            Q_EMIT done(tr("%1 started on %2").arg(id, host.alias));
        });
}

void DispatchActions::queue(const RunSpec& spec, const QString& host, const QString& gpu)
{
    QueueRequest request;
    request.hosts = {host};
    request.gpus = gpu == QLatin1String("cpu") ? 0 : 1;
    const RunToQueue run{spec.method, spec.description(), spec.memo, spec.toJson()};
    withRegistryInBackground(
        tr("Queueing a %1 run for %2…").arg(spec.method, host),
        [run, request](RegistryClient& client, QString* error) {
            return withQueueOf<QString>(client, error, [&](QueueClient& queue) {
                return queue.enqueue({run}, request, error).value_or(QStringList()).value(0);
            });
        },
        [this, host](const QString& id) {
            Q_EMIT runsChanged();
            Q_EMIT done(
                tr("%1 queued for %2: its agent starts it when a GPU is free (jikken agent start %2)").arg(id, host));
        });
}

void DispatchActions::setAgent(const QString& alias, bool start)
{
    QString error;
    const auto host = HostCatalog::find(alias, &error);
    if (!host) {
        Q_EMIT failed(error);
        return;
    }
    inBackground(
        start ? tr("Starting the agent on %1…").arg(alias) : tr("Stopping the agent on %1…").arg(alias),
        [host = *host, start](Dispatcher& dispatcher, QString* problem) {
            const bool done = start ? dispatcher.startAgent(host, host.alias, {}, problem)
                                    : dispatcher.stopAgent(host, host.alias, problem);
            return done ? host.alias : QString();
        },
        [this, start](const QString& alias) {
            Q_EMIT done(start ? tr("The agent on %1 started: it takes the runs queued for it").arg(alias)
                              : tr("The agent on %1 stopped").arg(alias));
        });
}

void DispatchActions::stop(const QString& id)
{
    inBackground(
        tr("Stopping %1…").arg(id),
        [id](Dispatcher& dispatcher, QString* problem) {
            return dispatcher.stop(id, kStopGraceMs, problem) ? id : QString();
        },
        [this, id](const QString&) {
            Q_EMIT runsChanged();
            Q_EMIT done(tr("%1 stopped").arg(id));
        });
}

void DispatchActions::showOutput(const QString& id)
{
    inBackground(
        tr("Reading the output of %1…").arg(id),
        [id](Dispatcher& dispatcher, QString* problem) {
            return dispatcher.output(id, kOutputLines, problem).value_or(QString());
        },
        [this, id](const QString& text) {
            auto* dialog = new QDialog(m_window);
            dialog->setAttribute(Qt::WA_DeleteOnClose);
            dialog->setWindowTitle(tr("Output of %1").arg(id));
            auto* view = new QPlainTextEdit(text);
            view->setReadOnly(true);
            view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
            view->moveCursor(QTextCursor::End);
            (new QVBoxLayout(dialog))->addWidget(view);
            dialog->resize(800, 500);
            dialog->show();
            Q_EMIT done(tr("Output of %1").arg(id));
        });
}

void DispatchActions::attach(const QString& id)
{
    inBackground(
        tr("Attaching to %1…").arg(id),
        [id](Dispatcher& dispatcher, QString* problem) {
            const auto command = dispatcher.attachCommand(id, problem);
            return command ? command->join(QChar(0)) : QString();
        },
        [this](const QString& joined) {
            const QStringList command = joined.split(QChar(0));
            if (openTerminal(command)) {
                Q_EMIT done(tr("Attached in a terminal: %1").arg(ShellQuote::command(command)));
                return;
            }
            QGuiApplication::clipboard()->setText(ShellQuote::command(command));
            Q_EMIT done(
                tr("No terminal to open; the command is on the clipboard: %1").arg(ShellQuote::command(command)));
        });
}

} // namespace jikken
