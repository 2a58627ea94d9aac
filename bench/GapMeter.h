#pragma once

#include <QElapsedTimer>
#include <QTimer>

/// The longest time the thread that made it went without running a 5 ms timer, since it was made or
/// `restart`ed: how long a window on that thread would not have answered the user.
class GapMeter
{
public:
    GapMeter()
    {
        m_ticker.setTimerType(Qt::PreciseTimer);
        QObject::connect(&m_ticker, &QTimer::timeout, &m_ticker,
                         [this] { m_longest = qMax(m_longest, m_sinceTick.restart()); });
        m_ticker.start(5);
        restart();
    }
    void restart()
    {
        m_sinceTick.start();
        m_longest = 0;
    }
    /// In milliseconds, the gap going on now included.
    double longestMs() const { return static_cast<double>(qMax(m_longest, m_sinceTick.elapsed())); }

private:
    QTimer m_ticker;
    QElapsedTimer m_sinceTick;
    qint64 m_longest = 0;
};
