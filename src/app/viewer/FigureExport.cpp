#include "FigureExport.h"

#include "FigureRenderer.h"
#include "viewer/RunLibrary.h"
#include "viewer/RunSummary.h"

#include <QFileInfo>
#include <QImage>
#include <QImageWriter>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>

namespace jikken::FigureExport {

std::optional<Format> formatOf(const QString& path, QString* error)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png"))
        return Format::Png;
    if (suffix == QLatin1String("svg"))
        return Format::Svg;
    if (suffix == QLatin1String("pdf"))
        return Format::Pdf;
    if (suffix == QLatin1String("csv"))
        return Format::Csv;
    *error = QStringLiteral("%1: the file name must end in .png, .svg, .pdf or .csv").arg(path);
    return std::nullopt;
}

bool write(const QString& path, FigureRenderer& renderer, const RunLibrary& library, const FigureOptions& options,
           QSize size, double pngScale, QString* error)
{
    const auto format = formatOf(path, error);
    if (!format)
        return false;
    if (size.width() < 64 || size.height() < 64 || size.width() > 20000 || size.height() > 20000 || pngScale < 0.25 ||
        pngScale > 8) {
        *error =
            QStringLiteral("a figure of %1x%2 at %3x is not a size to export (64 to 20000 a side, scale 0.25 to 8)")
                .arg(size.width())
                .arg(size.height())
                .arg(pngScale);
        return false;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    const QRectF area(QPointF(0, 0), QSizeF(size));
    bool written = true;
    switch (*format) {
    case Format::Png: {
        QImage image(size * pngScale, QImage::Format_ARGB32_Premultiplied);
        image.setDevicePixelRatio(pngScale);
        image.setDotsPerMeterX(qRound(3780 * pngScale)); // 96 dpi × scale: the figure keeps its size in a document
        image.setDotsPerMeterY(qRound(3780 * pngScale));
        {
            QPainter painter(&image);
            renderer.paint(painter, area, options);
        }
        QImageWriter writer(&file, "png");
        written = writer.write(image);
        break;
    }
    case Format::Svg: {
        QSvgGenerator svg;
        svg.setOutputDevice(&file);
        svg.setSize(size);
        svg.setViewBox(area);
        svg.setTitle(options.tags.join(QStringLiteral(", ")));
        svg.setDescription(QStringLiteral("Jikken figure"));
        QPainter painter(&svg);
        renderer.paint(painter, area, options);
        written = painter.end();
        break;
    }
    case Format::Pdf: {
        QPdfWriter pdf(&file);
        pdf.setResolution(72); // one unit is one point
        pdf.setPageSize(QPageSize(QSizeF(size), QPageSize::Point, QString(), QPageSize::ExactMatch));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        pdf.setTitle(options.tags.join(QStringLiteral(", ")));
        pdf.setCreator(QStringLiteral("Jikken"));
        QPainter painter(&pdf);
        renderer.paint(painter, area, options);
        written = painter.end();
        break;
    }
    case Format::Csv: {
        QVector<const ViewerRun*> runs;
        for (const QString& key : options.runs) {
            if (const ViewerRun* run = library.run(key))
                runs.append(run);
        }
        written = RunSummary::writeCsv(runs, options.tags, file);
        break;
    }
    }
    if (!written || !file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace jikken::FigureExport
