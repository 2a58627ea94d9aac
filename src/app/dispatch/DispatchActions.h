#pragma once

#include "dispatch/Dispatcher.h"
#include "registry/ClientConfig.h"
#include "registry/RegistryReader.h"

#include <QObject>

class QWidget;

namespace jikken {

class Dispatcher;
struct RunRecord;

/// What the app does with runs on other machines: New run, Run again with changes, Stop, Show output,
/// Attach in a terminal. Each SSH conversation runs on a background thread with a registry client of its
/// own; the answers come back as signals, so the window never waits for a host.
class DispatchActions : public QObject
{
    Q_OBJECT

public:
    /// `registry`: where the registry is, passed on to the companions; `connector`: clients for the threads.
    DispatchActions(ClientConfig registry, RegistryConnector connector, QWidget* window);

    /// How companions on other hosts reach a registry that is a file here (`EmbeddedRegistryTunnels`).
    void setRouter(Dispatcher::Router router) { m_router = std::move(router); }

    /// The New run dialog (filled from `from` when given), then the dispatch.
    void newRun(const RunRecord* from = nullptr);
    void stop(const QString& id);
    void showOutput(const QString& id);
    void attach(const QString& id);
    /// `jikken agent` in tmux on `host` (hosts.json), reporting to this registry; or stops it.
    void setAgent(const QString& host, bool start);

Q_SIGNALS:
    void started(const QString& what); ///< a background step began (for the status bar)
    void done(const QString& message); ///< it went well
    void failed(const QString& problem);
    void runsChanged(); ///< the registry has news: read it again

private:
    /// Runs `work` on a thread with a Dispatcher of its own; `after` gets its result on this thread.
    void inBackground(const QString& what, std::function<QString(Dispatcher&, QString* error)> work,
                      std::function<void(const QString& result)> after);
    /// The same with the thread's registry client.
    void withRegistryInBackground(const QString& what, std::function<QString(RegistryClient&, QString* error)> work,
                                  std::function<void(const QString& result)> after);
    /// Queues the New run dialog's run for `host`'s agent.
    void queue(const RunSpec& spec, const QString& host, const QString& gpu);

    ClientConfig m_registry;
    RegistryConnector m_connector;
    Dispatcher::Router m_router;
    QWidget* m_window;
};

} // namespace jikken
