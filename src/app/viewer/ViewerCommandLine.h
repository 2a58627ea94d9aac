#pragma once

#include "FigureOptions.h"

#include <QSize>
#include <QStringList>

#include <optional>

class QCommandLineParser;

namespace jikken {

/// `jikken-desktop --viewer LOGDIR|ID… [--tags T…] [--export FILE.png|svg|pdf|csv]`: what to open in the
/// viewer, and the figure to render without a window when `--export` is given.
struct ViewerCommandLine
{
    QStringList sources; ///< logdirs, event files and model IDs
    FigureOptions options;
    QString exportPath;
    QSize size;
    double scale = 2;

    /// `--tags a b c` takes every word up to the next option; returns the arguments with each of them
    /// as `--tags=a`, which QCommandLineParser reads.
    static QStringList spreadTags(const QStringList& arguments);
    static void addOptions(QCommandLineParser& parser);
    /// None, and one line in `error`, for a bad value (the flag named).
    static std::optional<ViewerCommandLine> read(const QCommandLineParser& parser, QString* error);
};

} // namespace jikken
