#pragma once

// The registry service in a thread of its own, with its own database connection: what the benches and the
// window's tests talk to over real loopback sockets.
#include "RegistryServer.h"
#include "registry/AccessTokens.h"

#include <QDateTime>
#include <QEventLoop>
#include <QSemaphore>
#include <QThread>

#include <functional>
#include <memory>

class ServiceThread
{
public:
    /// `clock`, when given, is the service's idea of now (which day's IDs it hands out). `priority`
    /// IdlePriority stands for a service on another machine: it never takes a core from the app.
    explicit ServiceThread(QString database, std::function<QDateTime()> clock = {},
                           QThread::Priority priority = QThread::InheritPriority)
        : m_database(std::move(database)), m_clock(std::move(clock))
    {
        m_thread.reset(QThread::create([this] { run(); }));
        m_thread->start(priority);
        m_ready.acquire();
    }
    ~ServiceThread()
    {
        QMetaObject::invokeMethod(m_loop, "quit", Qt::QueuedConnection);
        m_thread->wait();
    }
    quint16 port() const { return m_port; }
    const QString& token() const { return m_token; }
    const QString& error() const { return m_error; }

private:
    void run()
    {
        jikken::ServerOptions options;
        options.port = 0;
        options.database = m_database;
        if (m_clock)
            options.clock = m_clock;
        jikken::RegistryServer server(options);
        QEventLoop loop;
        m_loop = &loop;
        if (server.start(&m_error)) {
            m_port = server.port();
            m_token = jikken::AccessTokens(server.store().database())
                          .create(QStringLiteral("bench"), false, &m_error)
                          .value_or(QString());
        }
        m_ready.release();
        if (m_port)
            loop.exec();
    }

    QString m_database;
    std::function<QDateTime()> m_clock;
    std::unique_ptr<QThread> m_thread;
    QSemaphore m_ready;
    QEventLoop* m_loop = nullptr;
    quint16 m_port = 0;
    QString m_token;
    QString m_error;
};
