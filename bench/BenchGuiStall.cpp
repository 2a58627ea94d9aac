// The desktop app over a slow link (issue 15): the registry service behind a loopback proxy that holds every
// reply for 300 ms. The app opens, 20 running runs are selected, the filter is typed in, a memo is edited and
// every run is selected and the plot viewer opens on all 100, while a 5 ms timer on the GUI thread records
// its longest gap. JIKKEN_TRACE_MS=N names the event deliveries that took N ms or more.
//
//   QT_QPA_PLATFORM=offscreen ./build/bench/bench_gui_stall
#include "DesktopApp.h"
#include "EventWait.h"
#include "ServiceThread.h"
#include "charts/ChartPane.h"
#include "charts/CurveChart.h"
#include "registry/RegistryStore.h"
#include "registry/RegistryTableModel.h"
#include "viewer/ViewerWindow.h"
#include "widgets/RegistryWindow.h"
#include "widgets/RunDetailsWidget.h"

#include <QApplication>
#include <QChart>
#include <QComboBox>
#include <QElapsedTimer>
#include <QHash>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QLineSeries>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <cmath>
#include <cstdio>
#include <ctime>

using namespace jikken;

namespace {

constexpr int kRuns = 100;
constexpr int kSelected = 20;
constexpr int kLossPoints = 20'000;
constexpr int kErrorPoints = 50;
constexpr int kDelayMs = 300;
constexpr int kMenuMs = 300; ///< from one action of the user to the next

/// A loopback TCP proxy on a thread of its own that holds every byte the service sends back for `delayMs`
/// before passing it on, in order: a registry across a slow link, with real sockets on both sides.
class SlowLinkProxy
{
public:
    SlowLinkProxy(quint16 upstream, int delayMs) : m_upstream(upstream), m_delayMs(delayMs)
    {
        m_thread.reset(QThread::create([this] { run(); }));
        m_thread->start(QThread::IdlePriority);
        m_ready.acquire();
    }
    ~SlowLinkProxy()
    {
        QMetaObject::invokeMethod(m_loop, "quit", Qt::QueuedConnection);
        m_thread->wait();
    }
    quint16 port() const { return m_port; }

private:
    void run()
    {
        QTcpServer server;
        server.listen(QHostAddress::LocalHost, 0);
        QObject::connect(&server, &QTcpServer::newConnection, &server, [this, &server] {
            while (QTcpSocket* client = server.nextPendingConnection())
                relay(client);
        });
        QEventLoop loop;
        m_loop = &loop;
        m_port = server.serverPort();
        m_ready.release();
        loop.exec();
    }

    void relay(QTcpSocket* client)
    {
        auto* service = new QTcpSocket(client);
        auto* early = new QByteArray; // what the app sent before the service's socket connected
        QObject::connect(client, &QObject::destroyed, service, [early] { delete early; });
        QObject::connect(service, &QTcpSocket::connected, client, [service, early] {
            service->write(*early);
            early->clear();
        });
        QObject::connect(client, &QTcpSocket::readyRead, service, [client, service, early] {
            if (service->state() == QAbstractSocket::ConnectedState)
                service->write(client->readAll());
            else
                *early += client->readAll();
        });
        const int delay = m_delayMs;
        QObject::connect(service, &QTcpSocket::readyRead, client, [client, service, delay] {
            const QByteArray reply = service->readAll();
            QTimer::singleShot(delay, client, [client, reply] { client->write(reply); });
        });
        QObject::connect(service, &QTcpSocket::disconnected, client, [client, delay] {
            QTimer::singleShot(delay, client, [client] { client->disconnectFromHost(); });
        });
        QObject::connect(client, &QTcpSocket::disconnected, client, [client] { client->deleteLater(); });
        service->connectToHost(QHostAddress::LocalHost, m_upstream);
    }

    quint16 m_upstream;
    int m_delayMs;
    std::unique_ptr<QThread> m_thread;
    QSemaphore m_ready;
    QEventLoop* m_loop = nullptr;
    quint16 m_port = 0;
};

/// With JIKKEN_TRACE_MS set: the event deliveries since the stall meter's last tick, time and count per
/// receiver class and event type, so that a stall made of many short events can be told apart.
struct EventTally
{
    double ms = 0;
    int count = 0;
};
QHash<QByteArray, EventTally>& eventsSinceTick()
{
    static QHash<QByteArray, EventTally> tally;
    return tally;
}

/// The CPU time this thread has used, in nanoseconds.
qint64 threadCpuNs()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<qint64>(now.tv_sec) * 1000000000 + now.tv_nsec;
}

/// The longest time the GUI thread went without running a 5 ms timer, since the last `restart`. Time spent
/// in a nested event loop counts as stalled though the timer runs there: such loops leave out the user's
/// input (HttpRegistryClient's did), so the window does not answer.
class StallMeter
{
public:
    StallMeter()
    {
        m_clock.start();
        m_timer.setTimerType(Qt::PreciseTimer);
        QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] {
            if (QThread::currentThread()->loopLevel() > m_level)
                return; // in a nested loop: the stall goes on
            const qint64 now = m_clock.nsecsElapsed();
            const qint64 ran = threadCpuNs();
            if (m_traceMs > 0 && (now - m_last) / 1e6 >= 4 * m_traceMs) { // after the events it was made of
                // The rest of it the thread waited for a core (the service, proxy and readers share two).
                std::fprintf(stderr, "trace: a stall of %.1f ms ends (the GUI thread ran %.1f ms of it); it held:\n",
                             (now - m_last) / 1e6, (ran - m_lastRan) / 1e6);
                for (auto it = eventsSinceTick().cbegin(); it != eventsSinceTick().cend(); ++it)
                    if (it->ms >= 1)
                        std::fprintf(stderr, "trace:     %6.1f ms in %3d × %s\n", it->ms, it->count,
                                     it.key().constData());
            }
            eventsSinceTick().clear();
            m_longest = std::max(m_longest, (now - m_last) / 1e6);
            m_last = now;
            m_lastRan = ran;
        });
        m_timer.start(5);
    }
    void restart()
    {
        m_last = m_clock.nsecsElapsed();
        m_lastRan = threadCpuNs();
        m_longest = 0;
    }
    /// The longest gap, the one going on now included.
    double longestMs() const { return std::max(m_longest, (m_clock.nsecsElapsed() - m_last) / 1e6); }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    int m_level = QThread::currentThread()->loopLevel();
    const int m_traceMs = qEnvironmentVariableIntValue("JIKKEN_TRACE_MS");
    qint64 m_last = 0;
    qint64 m_lastRan = 0;
    double m_longest = 0;
};

/// With JIKKEN_TRACE_MS=N, says which event deliveries on the GUI thread took N ms or more (what the
/// stalls are made of): the receiver's class, its parent's, the event's type.
class TracingApplication : public QApplication
{
public:
    TracingApplication(int& argc, char** argv)
        : QApplication(argc, argv), m_traceMs(qEnvironmentVariableIntValue("JIKKEN_TRACE_MS"))
    {
    }

    bool notify(QObject* receiver, QEvent* event) override
    {
        if (m_traceMs <= 0 || m_depth > 0 || QThread::currentThread() != thread())
            return QApplication::notify(receiver, event);
        ++m_depth;
        QElapsedTimer timer;
        timer.start();
        const QEvent::Type type = event->type(); // the event may be gone after delivery
        const QByteArray name = receiver->metaObject()->className();
        const QByteArray parent = receiver->parent() ? receiver->parent()->metaObject()->className() : "-";
        const bool handled = QApplication::notify(receiver, event);
        --m_depth;
        const double ms = timer.nsecsElapsed() / 1e6;
        EventTally& tally = eventsSinceTick()[name + " event " + QByteArray::number(static_cast<int>(type))];
        tally.ms += ms;
        ++tally.count;
        if (ms >= m_traceMs)
            std::fprintf(stderr, "trace: %6.1f ms  %s (in %s) event %d\n", ms, name.constData(), parent.constData(),
                         static_cast<int>(type));
        return handled;
    }

private:
    const int m_traceMs;
    int m_depth = 0;
};

void makeRegistry(const QString& path)
{
    RegistryStore store;
    QString error;
    if (!store.open(path, &error))
        qFatal("%s", qPrintable(error));
    QVector<RunRecord> runs;
    for (int i = 0; i < kRuns; ++i) {
        RunRecord r;
        r.id = QStringLiteral("20190705_%1_focalloss").arg(i + 1, 2, 10, QLatin1Char('0'));
        r.status = RunStatus::Running;
        r.model = QStringLiteral("resnet18");
        r.started = r.heartbeat = QDateTime::currentDateTimeUtc();
        r.memo = QStringLiteral("gamma=%1").arg(i % 5);
        r.epoch = 3;
        r.step = kLossPoints;
        runs.append(r);
    }
    if (!store.importRuns(runs, &error))
        qFatal("%s", qPrintable(error));
    for (const RunRecord& run : std::as_const(runs))
        store.heartbeat(run.id, &error); // running, not lost
    for (int r = 0; r < kRuns; ++r) {
        QVector<ScalarPoint> points;
        for (int step = 0; step < kLossPoints; ++step)
            points.append(
                {QStringLiteral("train/loss"), step, 1.7e9 + step, 2.0 / (1 + step * 1e-4) + 0.01 * std::sin(step)});
        for (int i = 0; i < kErrorPoints; ++i)
            points.append({QStringLiteral("test/error"), (i + 1) * 400, 1.7e9 + i, 0.5 / (1 + i * 0.1)});
        if (!store.addScalars(runs[r].id, points, &error))
            qFatal("%s", qPrintable(error));
    }
}

void row(const char* job, double stall, double took, double target)
{
    std::printf("| %-52s | %9.1f ms | %9.0f ms | %8.0f ms | %6.2fx |\n", job, stall, took, target,
                target / std::max(stall, 0.1));
}

QAction* menuAction(QMainWindow& window, const QString& text)
{
    for (QAction* action : window.menuBar()->findChildren<QAction*>()) {
        if (action->text() == text)
            return action;
    }
    qFatal("no menu item %s", qPrintable(text));
}

} // namespace

int main(int argc, char** argv)
{
    QStandardPaths::setTestModeEnabled(true); // the user's window layout and caches are left alone
    TracingApplication app(argc, argv);
    QTemporaryDir dir;
    const QString database = dir.filePath(QStringLiteral("registry.sqlite"));
    makeRegistry(database);
    // The service and the proxy stand for another machine: at idle priority, they never take a core
    // from the app (on this 2-core machine they would, and the stall measured would be theirs).
    ServiceThread service(database, {}, QThread::IdlePriority);
    if (!service.port())
        qFatal("the service did not start: %s", qPrintable(service.error()));
    SlowLinkProxy proxy(service.port(), kDelayMs);
    qputenv("JIKKEN_TOKEN", service.token().toUtf8());
    qputenv("XDG_CACHE_HOME", dir.filePath(QStringLiteral("cache")).toUtf8());

    std::printf("Registry service behind a proxy adding %d ms to each reply; %d running runs.\n\n", kDelayMs, kRuns);
    std::printf("| %-52s | %12s | %12s | %11s | %7s |\n", "step", "GUI stall", "took", "stall target", "ratio");
    std::printf("|------------------------------------------------------|--------------|--------------|-------------|--"
                "-------|\n");
    StallMeter meter;
    double worst = 0;
    const auto report = [&](const char* job, double took) {
        row(job, meter.longestMs(), took, 50);
        worst = std::max(worst, meter.longestMs());
    };

    // Open the app; the table fills once the runs arrive.
    meter.restart();
    QElapsedTimer clock;
    clock.start();
    DesktopApp desktop(QStringLiteral("http://127.0.0.1:%1").arg(proxy.port()));
    if (!desktop.start())
        qFatal("the app did not open");
    RegistryWindow& window = *desktop.window();
    window.resize(1400, 900);
    waitFor([&] { return window.table()->model()->rowCount() == kRuns; }, 30000);
    report("open the app until the table shows 100 runs", clock.nsecsElapsed() / 1e6);

    // Select 20 runs: their tags, then their curves.
    meter.restart();
    clock.restart();
    QItemSelection twenty(window.table()->model()->index(0, 0),
                          window.table()->model()->index(kSelected - 1, window.table()->model()->columnCount() - 1));
    window.table()->selectionModel()->select(twenty, QItemSelectionModel::ClearAndSelect);
    const auto drawnLines = [&] {
        int drawn = 0;
        for (QLineSeries* line : window.chart()->chart()->lines())
            drawn += !window.chart()->chart()->pointsOf(line).isEmpty(); // in the series or the chart's band
        return drawn;
    };
    // A curve's data has arrived once the pane holds it to draw (a moment later, with others that come).
    const auto dataArrived = [&] {
        const ChartPane* pane = window.chart();
        for (const QString& id : pane->shownRuns()) {
            if (pane->curve(id, pane->tagBox()->currentText()))
                return true;
        }
        return false;
    };
    const double firstData = waitFor(dataArrived, 60000);
    const double drawnAfterData = waitFor([&] { return drawnLines() > 0; }, 60000);
    const double firstCurve = firstData + drawnAfterData;
    const double allCurves = waitFor([&] { return drawnLines() == kSelected; }, 120000);
    report("select 20 runs until all 20 curves are drawn", clock.nsecsElapsed() / 1e6);
    std::printf("|   first curve drawn %.0f ms after the selection, all %d %.0f ms after the first%*s|\n", firstCurve,
                kSelected, allCurves, 30, "");
    std::printf("|   first curve drawn %.0f ms after its data arrived (target 1000 ms, %.1fx)%*s|\n", drawnAfterData,
                1000 / std::max(drawnAfterData, 1.0), 37, "");

    // Type in the filter and clear it.
    meter.restart();
    clock.restart();
    QTest::keyClicks(window.filterBox(), QStringLiteral("gamma=3"));
    window.filterBox()->clear();
    waitFor([] { return false; }, 200);
    report("type a filter (7 keys) and clear it", clock.nsecsElapsed() / 1e6 - 200);

    // Edit the memo of the current run and save it.
    meter.restart();
    clock.restart();
    window.table()->selectionModel()->setCurrentIndex(window.table()->model()->index(0, 0),
                                                      QItemSelectionModel::NoUpdate);
    const QString memo = QStringLiteral("edited over a slow link");
    window.details()->memoEditor()->selectAll();
    QTest::keyClicks(window.details()->memoEditor(), memo);
    window.details()->flushMemo();
    const QModelIndex memoCell = window.table()->model()->index(0, RegistryTableModel::Memo);
    const double memoTook = waitFor([&] { return memoCell.data().toString() == memo; }, 30000);
    report("edit a memo until the table shows it saved", memoTook);

    // Select every run (Ctrl+A), and a moment later (the user goes to the menu) open the viewer on them: two
    // actions, each an event of its own (done back to back in one, the two stalls were counted as one).
    meter.restart();
    QTest::keyClick(window.table(), Qt::Key_A, Qt::ControlModifier);
    if (window.table()->selectionModel()->selectedRows().size() != kRuns)
        qFatal("Ctrl+A did not select every run");
    waitFor([] { return false; }, kMenuMs);
    clock.restart();
    menuAction(window, QStringLiteral("Open in Plot &Viewer"))->trigger();
    ViewerWindow* viewer = window.findChild<ViewerWindow*>();
    const auto opened = [&] {
        // Looked for once: going over every widget of the app each 5 ms took the GUI thread up to 5 ms,
        // which the meter counted as the app's.
        for (QWidget* top : viewer ? QWidgetList() : QApplication::topLevelWidgets()) {
            if (auto* v = qobject_cast<ViewerWindow*>(top))
                viewer = v;
        }
        if (!viewer)
            return false;
        int withPoints = 0;
        for (const QString& key : viewer->library().keys())
            withPoints += viewer->library().run(key)->scalars.size() == 2;
        return withPoints == kRuns;
    };
    const double viewerTook = waitFor(opened, 300000);
    report("select all, open the viewer on 100 runs until all are read", viewerTook);
    if (viewerTook < 0 && viewer)
        std::printf("|   the viewer holds %lld runs, %d still asked for; it says: %s\n",
                    static_cast<long long>(viewer->library().keys().size()), viewer->modelsPending(),
                    qPrintable(viewer->statusBar()->currentMessage()));

    std::printf("\nLongest GUI-thread stall over all steps: %.1f ms (target 50 ms, %.2fx)\n", worst, 50 / worst);
    return 0;
}
