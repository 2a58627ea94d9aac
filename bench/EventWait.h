#pragma once

#include <QCoreApplication>
#include <QElapsedTimer>

/// Runs the event loop until `done`; the milliseconds it took, or -1 when `done` did not come within
/// `timeoutMs`. Between events the thread sleeps, as an app's does (a loop that spun took a core of the
/// two from the threads that read), and it looks again after each event, not every 10 ms as
/// QTest::qWaitFor does (up to 10 ms added to what is measured). Something must post events meanwhile: the
/// benches' 5 ms timers do.
template <typename Done> double waitFor(Done done, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!done()) {
        if (timer.elapsed() > timeoutMs)
            return -1;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
    return timer.nsecsElapsed() / 1e6;
}
