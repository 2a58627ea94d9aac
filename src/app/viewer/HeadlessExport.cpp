#include "HeadlessExport.h"

#include "CurveStore.h"
#include "FigureExport.h"
#include "FigureRenderer.h"
#include "ViewerCommandLine.h"
#include "viewer/RunLibrary.h"

#include <QTextStream>

#include <cstdio>

namespace jikken::HeadlessExport {

int run(const ViewerCommandLine& line, RegistryClient* registry, ViewerCache& cache)
{
    QTextStream err(stderr);
    QTextStream out(stdout);
    RunLibrary library(&cache, registry);
    for (const QString& source : line.sources) {
        QString error;
        if (!library.open(source, &error)) {
            err << "jikken-desktop: " << error << Qt::endl;
            return 1;
        }
    }
    FigureOptions options = line.options;
    options.runs = library.keys();
    const QStringList known = library.allTags();
    for (const QString& tag : std::as_const(options.tags)) {
        if (!known.contains(tag)) {
            err << "jikken-desktop: no run has the tag '" << tag << "' (they have: " << known.join(QStringLiteral(", "))
                << ")" << Qt::endl;
            return 1;
        }
    }
    if (options.tags.isEmpty())
        options.tags = known;
    CurveStore curves(library);
    FigureRenderer renderer(library, curves);
    QString error;
    if (!FigureExport::write(line.exportPath, renderer, library, options, line.size, line.scale, &error)) {
        err << "jikken-desktop: " << error << Qt::endl;
        return 1;
    }
    QStringList warnings = library.readProblems(); // the figure is drawn without what could not be read
    library.saveToCache(&warnings);                // what was drawn opens again without the network
    for (const QString& warning : std::as_const(warnings))
        err << "jikken-desktop: warning: " << warning << Qt::endl;
    qint64 points = 0;
    for (const QString& key : library.keys()) {
        if (library.isOffline(key))
            err << "jikken-desktop: " << library.run(key)->name << " drawn from the cache (its source is not reachable)"
                << Qt::endl;
        points += library.run(key)->pointCount();
    }
    out << line.exportPath << ": " << options.runs.size() << " runs, " << options.tags.size() << " tags, " << points
        << " points read" << Qt::endl;
    // As `jikken events`: what was readable is written, and an unreadable record makes the exit non-zero.
    return library.readProblems().isEmpty() ? 0 : 1;
}

} // namespace jikken::HeadlessExport
