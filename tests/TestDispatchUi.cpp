// Dispatch in the app, on the offscreen platform: the New run form refuses what `jikken train` would,
// the GPU view marks free and busy GPUs, and a run started from the window on localhost (the real
// `jikken`, a real tmux) shows up running in the table and stops from the Run menu.
#include "SshServer.h"
#include "dispatch/DispatchActions.h"
#include "dispatch/EmbeddedRegistryTunnels.h"
#include "dispatch/HostGpuModel.h"
#include "dispatch/HostsPanel.h"
#include "dispatch/NewRunDialog.h"
#include "dispatch/QueuePanel.h"
#include "registry/RegistryStore.h"
#include "registry/RegistryTableModel.h"
#include "widgets/RegistryWindow.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDockWidget>
#include <QDropEvent>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMimeData>
#include <QProcess>
#include <QPushButton>
#include <QScopeGuard>
#include <QTableView>
#include <QTableWidget>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <thread>

using namespace jikken;

namespace {

std::unique_ptr<RegistryClient> open(const QString& path)
{
    auto store = std::make_unique<RegistryStore>();
    QString error;
    if (!store->open(path, &error))
        return nullptr;
    return store;
}

// Fills the New run form, once it is shown, for a short LeNet run on `host` without a GPU, and starts it
// now — or, with `queue`, queues it for the host's agent.
void fillTrainingFormWhenShown(const QString& host, int epochs, bool queue = false)
{
    QTimer::singleShot(0, [host, epochs, queue] {
        auto* dialog = qobject_cast<NewRunDialog*>(QApplication::activeModalWidget());
        QVERIFY(dialog);
        dialog->hostBox()->setCurrentText(host);
        dialog->gpuBox()->setCurrentText(QStringLiteral("cpu"));
        dialog->field(QStringLiteral("epochs"))->setText(QString::number(epochs));
        dialog->field(QStringLiteral("train_limit"))->setText(QStringLiteral("3000"));
        dialog->field(QStringLiteral("test_limit"))->setText(QStringLiteral("1000"));
        dialog->field(QStringLiteral("threads"))->setText(QStringLiteral("1"));
        qobject_cast<QComboBox*>(dialog->findChild<QWidget*>(QStringLiteral("model")))
            ->setCurrentText(QStringLiteral("lenet"));
        if (queue)
            dialog->queueButton()->click();
        else
            dialog->accept();
    });
}

/// The `jikken` processes training `id` on this machine (the "remote" host is this machine's sshd).
QList<pid_t> trainersOf(const QString& id)
{
    QList<pid_t> found;
    for (const QString& entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        bool number = false;
        const pid_t pid = entry.toInt(&number);
        QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(entry));
        if (!number || !cmdline.open(QIODevice::ReadOnly))
            continue;
        const QList<QByteArray> words = cmdline.readAll().split('\0');
        if (words.value(0).endsWith("/jikken") && words.contains("train") && words.contains(id.toUtf8()))
            found << pid;
    }
    return found;
}

} // namespace

class TestDispatchUi : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        qputenv("XDG_CONFIG_HOME", m_dir.filePath(QStringLiteral("config")).toUtf8());
        qputenv("JIKKEN_SSH_CONFIG", m_dir.filePath(QStringLiteral("no-ssh-config")).toUtf8());
        qunsetenv("JIKKEN_REGISTRY");
        const QString work = m_dir.filePath(QStringLiteral("work"));
        QVERIFY(QDir().mkpath(work));
        QVERIFY(QDir().mkpath(m_dir.filePath(QStringLiteral("config/jikken"))));
        QFile hosts(m_dir.filePath(QStringLiteral("config/jikken/hosts.json")));
        QVERIFY(hosts.open(QIODevice::WriteOnly));
        hosts.write(QJsonDocument(
                        QJsonObject{{QStringLiteral("hosts"),
                                     QJsonObject{{QStringLiteral("localhost"),
                                                  QJsonObject{{QStringLiteral("jikken"), QStringLiteral(JIKKEN_BINARY)},
                                                              {QStringLiteral("workdir"), work}}}}}})
                        .toJson());
    }

    void newRunRefusesBadValuesAndKeepsThem()
    {
        HostSettings local;
        local.alias = QStringLiteral("localhost");
        NewRunDialog dialog({local}, RunSpec());
        dialog.field(QStringLiteral("epochs"))->setText(QStringLiteral("zero"));
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
        QVERIFY2(dialog.problem()->text().contains(QStringLiteral("epochs")), qPrintable(dialog.problem()->text()));
        QCOMPARE(dialog.field(QStringLiteral("epochs"))->text(), QStringLiteral("zero")); // kept
        dialog.field(QStringLiteral("epochs"))->setText(QStringLiteral("3"));
        dialog.gpuBox()->setCurrentText(QStringLiteral("first"));
        dialog.accept();
        QVERIFY(dialog.problem()->text().contains(QStringLiteral("GPU must be")));
        dialog.gpuBox()->setCurrentText(QStringLiteral("1"));
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QString error;
        QCOMPARE(dialog.spec(&error)->epochs, 3);
        QCOMPARE(dialog.gpu(), QStringLiteral("1"));
    }

    void gpuViewMarksFreeAndBusyGpus()
    {
        HostGpuModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        HostGpus gpu1{QStringLiteral("gpu1"),
                      {},
                      false,
                      {{0, QStringLiteral("A100"), 30000, 40960, 97},
                       {1, QStringLiteral("A100"), 3, 40960, 0},
                       {2, QStringLiteral("A100"), 20000, 40960, 88}}};
        HostGpus cpu{QStringLiteral("cpu1"), {}, true, {}};
        HostGpus down{QStringLiteral("down"), QStringLiteral("down: unreachable: Connection refused"), false, {}};
        model.setProbes({gpu1, cpu, down});
        RunRecord run;
        run.id = QStringLiteral("20190705_01_focalloss");
        run.host = QStringLiteral("gpu1");
        run.device = QStringLiteral("cuda:2");
        run.status = RunStatus::Running;
        model.setRuns({run});
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(model.index(0, HostGpuModel::Run).data().toString(), QStringLiteral("in use (not Jikken)"));
        QVERIFY(model.index(1, 0).data(HostGpuModel::FreeRole).toBool());
        QCOMPARE(model.index(1, HostGpuModel::Run).data().toString(), QStringLiteral("free"));
        QCOMPARE(model.index(2, HostGpuModel::Run).data().toString(), run.id);
        QVERIFY(!model.index(2, 0).data(HostGpuModel::FreeRole).toBool());
        QVERIFY(model.index(3, HostGpuModel::Name).data().toString().contains(QStringLiteral("CPU host")));
        QVERIFY(model.index(4, HostGpuModel::Name).data().toString().contains(QStringLiteral("Connection refused")));
    }

    void startsAndStopsARunFromTheWindow()
    {
        const QString database = m_dir.filePath(QStringLiteral("registry.sqlite"));
        ClientConfig config;
        config.database = database;
        const RegistryConnector connector = [database](QString*) { return open(database); };
        RegistryWindow window(connector, database);
        window.setDispatch(config, connector);
        window.show();

        // The hosts panel probes when it is shown: localhost has no nvidia-smi here.
        window.hostsDock()->show();
        QTRY_VERIFY_WITH_TIMEOUT(window.hosts()->model()->rowCount() == 1 && !window.hosts()->isProbing(), 20000);
        QVERIFY(window.hosts()
                    ->model()
                    ->index(0, HostGpuModel::Name)
                    .data()
                    .toString()
                    .contains(QStringLiteral("CPU host")));

        fillTrainingFormWhenShown(QStringLiteral("localhost"), 40);
        QSignalSpy done(window.dispatch(), &DispatchActions::done);
        QSignalSpy failed(window.dispatch(), &DispatchActions::failed);
        window.dispatch()->newRun();
        QTRY_VERIFY_WITH_TIMEOUT(done.count() + failed.count() == 1, 60000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
        QTableView* table = window.table();
        QTRY_COMPARE(table->model()->rowCount(), 1);
        const QString id = table->model()->index(0, 0).data(RegistryTableModel::IdRole).toString();
        QTRY_COMPARE_WITH_TIMEOUT(table->model()->index(0, RegistryTableModel::Status).data().toString(),
                                  QStringLiteral("running"), 30000);

        window.dispatch()->stop(id);
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 2 || !failed.isEmpty(), 90000);
        QVERIFY(failed.isEmpty());
        window.refresh();
        QTRY_COMPARE(table->model()->index(0, RegistryTableModel::Status).data().toString(), QStringLiteral("stopped"));

        // The user's own script instead of jikken train, under a method of its own: wrapped by `jikken run`.
        const QString script =
            qEnvironmentVariable("JIKKEN_TEST_SOURCE_DIR") + QStringLiteral("/tests/data/write_events.py");
        QTimer::singleShot(0, this, [script] {
            auto* dialog = qobject_cast<NewRunDialog*>(QApplication::activeModalWidget());
            QVERIFY(dialog);
            dialog->hostBox()->setCurrentText(QStringLiteral("localhost"));
            dialog->gpuBox()->setCurrentText(QStringLiteral("cpu"));
            qobject_cast<QComboBox*>(dialog->findChild<QWidget*>(QStringLiteral("method")))
                ->setCurrentText(QStringLiteral("Mix Up"));
            dialog->commandBox()->setText(QStringLiteral("python3 \"%1\" {logdir} 5 0 0").arg(script));
            dialog->accept();
            QVERIFY(dialog->problem()->text().contains(QStringLiteral("Mix Up"))); // not a valid method: stays open
            qobject_cast<QComboBox*>(dialog->findChild<QWidget*>(QStringLiteral("method")))
                ->setCurrentText(QStringLiteral("mixup"));
            dialog->accept();
        });
        window.dispatch()->newRun();
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 3 || !failed.isEmpty(), 60000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
        RegistryStore store;
        QString error;
        QVERIFY(store.open(database, &error));
        RunFilter newest;
        newest.newestFirst = true;
        newest.limit = 1;
        const QString wrapped = store.runs(newest, &error).value().first().id;
        QVERIFY2(wrapped.endsWith(QLatin1String("_mixup")), qPrintable(wrapped));
        QTRY_VERIFY_WITH_TIMEOUT(isTerminal(store.run(wrapped, &error)->status), 30000);
        const RunRecord ended = *store.run(wrapped, &error);
        QVERIFY2(ended.status == RunStatus::Finished, qPrintable(ended.statusReason));
        QCOMPARE(store.scalars(wrapped, QStringLiteral("test/error"), &error).value().size(), 5);

        // Run Again with Changes offers the same command under the same method.
        bool offered = false;
        QTimer::singleShot(0, this, [script, &offered] {
            auto* dialog = qobject_cast<NewRunDialog*>(QApplication::activeModalWidget());
            QVERIFY(dialog);
            offered = dialog->method() == QLatin1String("mixup") &&
                      dialog->command() == QStringList{QStringLiteral("python3"),  script,
                                                       QStringLiteral("{logdir}"), QStringLiteral("5"),
                                                       QStringLiteral("0"),        QStringLiteral("0")};
            dialog->reject();
        });
        window.dispatch()->newRun(&ended);
        QVERIFY(offered);
    }

    // The embedded registry is a file here; a run on another host reaches it through an SSH tunnel the
    // app opens, and when the tunnel is cut mid-run the companion journals and catches up once it is back.
    // A dispatch still under way on a worker thread when the window (and with it the tunnels) has closed is
    // told so in one line, not sent to tunnels that are gone.
    // New Run… › Queue reserves the ID and queues the run for the host's agent; View › Queue lists what
    // waits and why, moves a run up, and cancels one; a command of the user's own is not queued.
    void queuesFromTheWindowAndManagesTheQueue()
    {
        const QString database = m_dir.filePath(QStringLiteral("queue.sqlite"));
        ClientConfig config;
        config.database = database;
        const RegistryConnector connector = [database](QString*) { return open(database); };
        RegistryWindow window(connector, database);
        window.setDispatch(config, connector);
        window.show();
        QSignalSpy done(window.dispatch(), &DispatchActions::done);
        QSignalSpy failed(window.dispatch(), &DispatchActions::failed);
        for (int run = 0; run < 2; ++run) {
            fillTrainingFormWhenShown(QStringLiteral("localhost"), 1, true);
            window.dispatch()->newRun();
            QTRY_VERIFY_WITH_TIMEOUT(done.count() + failed.count() == run + 1, 30000);
            QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
            QVERIFY2(done.last().first().toString().contains(QStringLiteral("queued for localhost")),
                     qPrintable(done.last().first().toString()));
        }
        QTableView* table = window.table();
        QTRY_COMPARE(table->model()->rowCount(), 2);
        QTRY_COMPARE(table->model()->index(0, RegistryTableModel::Status).data().toString(), QStringLiteral("queued"));

        window.queueDock()->show();
        QueuePanel* queue = window.queue();
        QTRY_COMPARE(queue->table()->rowCount(), 2);
        QCOMPARE(queue->table()->item(0, 2)->text(), QStringLiteral("needs an agent's slot on localhost"));
        const QString first = queue->table()->item(0, 0)->text();
        const QString second = queue->table()->item(1, 0)->text();
        QVERIFY(first < second); // the older first
        // Dragged to the top: a priority above the run it passed; Lower puts it back below it.
        queue->table()->setCurrentCell(1, 0);
        QMimeData* dragged = queue->table()->model()->mimeData({queue->table()->model()->index(1, 0)});
        const QPoint top = queue->table()->visualItemRect(queue->table()->item(0, 0)).center();
        QDragEnterEvent enter(top, Qt::MoveAction, dragged, Qt::LeftButton, {});
        QApplication::sendEvent(queue->table()->viewport(), &enter);
        QDragMoveEvent move(top, Qt::MoveAction, dragged, Qt::LeftButton, {});
        QApplication::sendEvent(queue->table()->viewport(), &move);
        QDropEvent drop(top, Qt::MoveAction, dragged, Qt::LeftButton, {});
        QApplication::sendEvent(queue->table()->viewport(), &drop);
        delete dragged;
        QTRY_COMPARE(queue->table()->item(0, 0)->text(), second);
        QCOMPARE(queue->table()->item(0, 3)->text(), QStringLiteral("1"));
        QCOMPARE(queue->table()->currentRow(), 0); // the moved run stays chosen
        queue->moveSelected(-1);
        QTRY_COMPARE(queue->table()->item(0, 0)->text(), first);
        QCOMPARE(queue->table()->item(1, 3)->text(), QStringLiteral("-1")); // below the last
        queue->table()->selectRow(1);
        queue->moveSelected(+1);
        QTRY_COMPARE(queue->table()->item(0, 0)->text(), second);
        QCOMPARE(queue->table()->item(0, 3)->text(), QStringLiteral("1"));
        queue->table()->selectRow(1);
        queue->cancelSelected();
        QTRY_COMPARE(queue->table()->rowCount(), 1);
        RegistryStore store;
        QString error;
        QVERIFY(store.open(database, &error));
        QCOMPARE(toString(store.run(first, &error)->status), QStringLiteral("stopped"));
        QCOMPARE(toString(store.run(second, &error)->status), QStringLiteral("queued"));

        // The Hosts panel starts the host's agent, which takes the run that waits; then stops it.
        const auto stopAgent = qScopeGuard([] { // a failed test leaves no agent behind
            QProcess tmux;
            tmux.start(QStringLiteral("tmux"), {QStringLiteral("kill-session"), QStringLiteral("-t"),
                                                QStringLiteral("=jikken-agent-localhost")});
            tmux.waitForFinished();
        });
        QMenu* menu = window.hosts()->hostMenu(QStringLiteral("localhost"));
        QCOMPARE(menu->actions().first()->text(), QStringLiteral("Start Agent on localhost"));
        menu->actions().first()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(done.count() + failed.count() == 3, 30000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
        QTRY_COMPARE_WITH_TIMEOUT(toString(store.run(second, &error)->status), QStringLiteral("finished"), 180000);
        window.hosts()->hostMenu(QStringLiteral("localhost"))->actions().last()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(done.count() + failed.count() == 4, 30000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
        QVERIFY2(done.last().first().toString().contains(QStringLiteral("stopped")),
                 qPrintable(done.last().first().toString()));

        // Why a GPU run waits, from the Hosts panel's probe.
        HostGpuModel gpus;
        gpus.setProbes({{QStringLiteral("gpu1"),
                         {},
                         false,
                         {{0, QStringLiteral("A100"), 30000, 40960, 97}, {1, QStringLiteral("A100"), 3, 40960, 0}}}});
        QueuePanel offline(nullptr, &gpus);
        QueuedRun big;
        big.request.gpus = 2;
        big.request.hosts = {QStringLiteral("gpu1")};
        QCOMPARE(offline.whyWaiting(big), QStringLiteral("needs 2 GPU(s); gpu1 has 1 free"));

        // A command of the user's own starts now: the queue starts specs.
        HostSettings local;
        local.alias = QStringLiteral("localhost");
        NewRunDialog dialog({local}, RunSpec());
        dialog.commandBox()->setText(QStringLiteral("python3 train.py"));
        dialog.queueButton()->click();
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
        QVERIFY2(dialog.problem()->text().contains(QStringLiteral("The queue starts jikken train specs")),
                 qPrintable(dialog.problem()->text()));
    }

    void aRouteAfterTheTunnelsClosedIsRefused()
    {
        auto tunnels = std::make_unique<EmbeddedRegistryTunnels>(m_dir.filePath(QStringLiteral("closed.sqlite")));
        const Dispatcher::Router router = tunnels->router();
        tunnels.reset();
        QString error;
        std::optional<Dispatcher::Route> route;
        std::thread worker([&] { route = router(QStringLiteral("gpu-b"), &error); });
        worker.join();
        QVERIFY(!route);
        QCOMPARE(error, QStringLiteral("the registry's tunnels were closed"));
    }

    // Closing the app while a dispatch opens a tunnel to a host that does not answer (ssh waits out its
    // ConnectTimeout of 10 s for a banner that never comes) does not wait for it: the opening is given up.
    void closingGivesUpATunnelStillOpening()
    {
        QTcpServer silent; // the kernel accepts the connection; nothing ever speaks
        QVERIFY(silent.listen(QHostAddress::LocalHost));
        QFile config(m_dir.filePath(QStringLiteral("silent_ssh_config")));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(QStringLiteral("Host silent\n  HostName 127.0.0.1\n  Port %1\n  User nobody\n")
                         .arg(silent.serverPort())
                         .toUtf8());
        config.close();
        const QByteArray before = qgetenv("JIKKEN_SSH_CONFIG");
        qputenv("JIKKEN_SSH_CONFIG", config.fileName().toUtf8());
        auto tunnels = std::make_unique<EmbeddedRegistryTunnels>(m_dir.filePath(QStringLiteral("silent.sqlite")));
        QString error;
        std::optional<Dispatcher::Route> route;
        std::thread worker([&, router = tunnels->router()] { route = router(QStringLiteral("silent"), &error); });
        QTRY_VERIFY(silent.hasPendingConnections()); // ssh is waiting for the banner
        QElapsedTimer closing;
        closing.start();
        tunnels.reset();
        const qint64 took = closing.elapsed();
        worker.join();
        qputenv("JIKKEN_SSH_CONFIG", before);
        QVERIFY2(took < 3000, qPrintable(QString::number(took)));
        QVERIFY(!route);
        QVERIFY2(error.contains(QStringLiteral("given up")), qPrintable(error));
    }

    void aRemoteRunReachesTheEmbeddedRegistryThroughATunnel()
    {
        testing::SshServer ssh;
        QString error;
        QVERIFY2(ssh.start(m_dir.filePath(QStringLiteral("ssh")), {QStringLiteral("gpu-b")}, QStringLiteral("stranger"),
                           &error),
                 qPrintable(error));
        const QByteArray before = qgetenv("JIKKEN_SSH_CONFIG");
        qputenv("JIKKEN_SSH_CONFIG", ssh.configPath().toUtf8());
        const QString work = m_dir.filePath(QStringLiteral("remote work"));
        QVERIFY(QDir().mkpath(work));
        QFile hosts(m_dir.filePath(QStringLiteral("config/jikken/hosts.json")));
        QVERIFY(hosts.open(QIODevice::WriteOnly));
        hosts.write(QJsonDocument(
                        QJsonObject{{QStringLiteral("hosts"),
                                     QJsonObject{{QStringLiteral("gpu-b"),
                                                  QJsonObject{{QStringLiteral("jikken"), QStringLiteral(JIKKEN_BINARY)},
                                                              {QStringLiteral("workdir"), work}}}}}})
                        .toJson());
        hosts.close();

        const QString database = m_dir.filePath(QStringLiteral("embedded.sqlite"));
        ClientConfig config;
        config.database = database;
        const RegistryConnector connector = [database](QString*) { return open(database); };
        auto window = std::make_unique<RegistryWindow>(connector, database);
        window->setDispatch(config, connector);
        QVERIFY(window->tunnels());
        fillTrainingFormWhenShown(QStringLiteral("gpu-b"), 6);
        QSignalSpy done(window->dispatch(), &DispatchActions::done);
        QSignalSpy failed(window->dispatch(), &DispatchActions::failed);
        window->dispatch()->newRun();
        QTRY_VERIFY_WITH_TIMEOUT(done.count() + failed.count() == 1, 60000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
        // The tunnel was opened, and is served, away from the window's thread.
        QVERIFY(window->tunnels()->serviceThread() != QThread::currentThread());
        const auto tunnel = window->tunnels()->tunnel(QStringLiteral("gpu-b"));
        QVERIFY(tunnel && tunnel->open);
        // The companions' token and the host's port are kept, private, for the next start of the app.
        QFile settings(EmbeddedRegistryTunnels::settingsPath());
        QCOMPARE(settings.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
                 QFileDevice::Permissions());
        QVERIFY(settings.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(settings.readAll())
                     .object()
                     .value(QStringLiteral("ports"))
                     .toObject()
                     .value(QStringLiteral("gpu-b"))
                     .toInt(),
                 tunnel->remotePort);

        RegistryStore store;
        QVERIFY(store.open(database, &error));
        RunFilter newest;
        newest.newestFirst = true;
        newest.limit = 1;
        const QString id = store.runs(newest, &error).value().first().id;
        QCOMPARE(toString(store.run(id, &error)->status), QStringLiteral("running"));
        QCOMPARE(store.run(id, &error)->host, QStringLiteral("gpu-b"));

        // The run is held still while the link drops and the app restarts, so it is surely still going when
        // the app comes back (a loaded machine could otherwise finish its 6 epochs first); it goes on after.
        const QList<pid_t> trainers = trainersOf(id);
        QVERIFY2(!trainers.isEmpty(), "the run's trainer is found");
        const auto signalTrainers = [&](int signal) {
            for (pid_t pid : trainers)
                ::kill(pid, signal);
        };
        signalTrainers(SIGSTOP);
        auto resume = qScopeGuard([&] { signalTrainers(SIGCONT); });

        window->tunnels()->cut(QStringLiteral("gpu-b")); // the link drops mid-run
        const auto isOpen = [&] { return window->tunnels()->tunnel(QStringLiteral("gpu-b")).value().open; };
        QTRY_VERIFY_WITH_TIMEOUT(!isOpen(), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(isOpen(), 20000); // reopened by the app

        // The app quits (its service and tunnel with it) while the run goes on, and starts again: the
        // tunnel to the host with a run still going reopens by itself, and the journal catches up.
        const quint16 port = tunnel->remotePort;
        window.reset();
        QTest::qWait(500);
        window = std::make_unique<RegistryWindow>(connector, database);
        window->setDispatch(config, connector);
        // The hosts with runs going are asked of the registry (on the reader's thread).
        QTRY_VERIFY_WITH_TIMEOUT(window->tunnels()->tunnel(QStringLiteral("gpu-b")), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(isOpen(), 20000);
        QCOMPARE(window->tunnels()->tunnel(QStringLiteral("gpu-b"))->remotePort,
                 port); // the address the companion knows
        resume.dismiss();
        signalTrainers(SIGCONT);
        QTRY_VERIFY_WITH_TIMEOUT(isTerminal(store.run(id, &error)->status), 120000);
        const RunRecord ended = *store.run(id, &error);
        QVERIFY2(ended.status == RunStatus::Finished, qPrintable(ended.statusReason));
        QCOMPARE(ended.epoch, 6);
        QCOMPARE(store.scalars(id, QStringLiteral("test/error"), &error).value().size(), 6); // nothing lost on the way
        QVERIFY(store.scalars(id, QStringLiteral("train/loss"), &error).value().size() >= 10);
        qputenv("JIKKEN_SSH_CONFIG", before);
    }
};

QTEST_MAIN(TestDispatchUi)
#include "TestDispatchUi.moc"
