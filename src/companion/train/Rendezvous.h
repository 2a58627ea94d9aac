#pragma once

#include <QByteArray>
#include <QString>

#include <chrono>
#include <memory>
#include <optional>

namespace c10d {
class Store;
}

namespace jikken {

/// The key-value store the processes of a data-parallel run meet at: PyTorch's c10d store, a file on one
/// node (FileStore: nothing listens on the network) or a TCP store that node 0's launcher hosts. The launcher
/// puts the run's plan there and, when a rank dies, why; the ranks' process group meets through it.
/// Torch-free, so the command line can host one.
class Rendezvous
{
public:
    ~Rendezvous();

    /// Opens the store `where` names: "file:PATH", or "tcp:HOST:PORT" (hosted here when `host`, else joined;
    /// port 0 hosts on a free port). Null, with `error` set, when it cannot.
    static std::unique_ptr<Rendezvous> open(const QString& where, bool host, QString* error);
    /// The local address this machine reaches `host` from: the one its collectives should listen on.
    static QString addressToward(const QString& host, QString* error);

    /// Where to open it from another process (the port filled in for a store hosted on a free port).
    QString where() const { return m_where; }

    void set(const QString& key, const QByteArray& value);
    /// Sets `key` unless it is set already; true when this call set it.
    bool setFirst(const QString& key, const QByteArray& value);
    /// The value of `key` once it is set, waiting at most `timeout`; nullopt, with `error` set, if it is not
    /// set by then or the store is gone.
    std::optional<QByteArray> get(const QString& key, std::chrono::milliseconds timeout, QString* error);

    /// The value of `key` if it is set now; nullopt if not (or the store is gone). Waits for nothing.
    std::optional<QByteArray> peek(const QString& key);

    /// The c10d store itself, for a process group (RankGroup).
    c10d::Store& store();

private:
    struct Opened;
    explicit Rendezvous(std::unique_ptr<Opened> opened, QString where);

    std::unique_ptr<Opened> m_opened;
    QString m_where;
};

} // namespace jikken
