#include "MediaPage.h"

#include "events/LoggedTables.h"

#include <QImage>
#include <QPainter>
#include <QTextBrowser>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextDocumentFragment>
#include <QUrl>

#include <algorithm>

namespace jikken::MediaPage {

namespace {

/// Per-class counts (`data/class_counts`) as bars, so an imbalanced dataset shows at a glance.
QImage barChart(const QVector<double>& values, int width)
{
    QImage image(width, width / 2, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    QFont font;
    font.setPixelSize(11);
    painter.setFont(font);
    const double highest = *std::max_element(values.cbegin(), values.cend());
    const QRectF plot(10, 18, width - 20, image.height() - 36);
    const double slot = plot.width() / values.size();
    for (int i = 0; i < values.size(); ++i) {
        const double h = highest > 0 ? values[i] / highest * plot.height() : 0;
        const QRectF bar(plot.left() + i * slot + slot * 0.15, plot.bottom() - h, slot * 0.7, h);
        painter.fillRect(bar, QColor(0x1f, 0x77, 0xb4));
        painter.setPen(Qt::black);
        painter.drawText(QRectF(plot.left() + i * slot, plot.bottom() + 2, slot, 14), Qt::AlignCenter,
                         QString::number(i));
        painter.drawText(QRectF(plot.left() + i * slot, bar.top() - 15, slot, 14), Qt::AlignCenter,
                         QString::number(values[i], 'g', 6));
    }
    return image;
}

/// A square table of counts (`test/confusion_matrix`) as a heat map, each row shaded by its own total
/// so a rare class's mistakes show as clearly as a common one's.
QImage heatMap(const LoggedTables::Matrix& matrix, int width)
{
    const int cell = qMax(16, (width - 30) / matrix.columns);
    QImage image(30 + cell * matrix.columns, 30 + cell * matrix.rows, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    QFont font;
    font.setPixelSize(qBound(8, cell / 3, 12));
    painter.setFont(font);
    for (int r = 0; r < matrix.rows; ++r) {
        double total = 0;
        for (int c = 0; c < matrix.columns; ++c)
            total += matrix.values[r * matrix.columns + c];
        painter.setPen(Qt::black);
        painter.drawText(QRectF(0, 30 + r * cell, 26, cell), Qt::AlignRight | Qt::AlignVCenter, QString::number(r));
        for (int c = 0; c < matrix.columns; ++c) {
            const double value = matrix.values[r * matrix.columns + c];
            const double share = total > 0 ? value / total : 0;
            const QRectF box(30 + c * cell, 30 + r * cell, cell, cell);
            painter.fillRect(box, QColor::fromRgbF(1 - 0.85 * share, 1 - 0.55 * share, 1 - 0.2 * share));
            painter.setPen(share > 0.5 ? Qt::white : Qt::black);
            painter.drawText(box, Qt::AlignCenter, QString::number(value, 'g', 6));
        }
    }
    painter.setPen(Qt::black);
    for (int c = 0; c < matrix.columns; ++c)
        painter.drawText(QRectF(30 + c * cell, 12, cell, 16), Qt::AlignCenter, QString::number(c));
    painter.drawText(QRectF(0, 0, image.width(), 12), Qt::AlignCenter, QObject::tr("predicted →"));
    return image;
}

} // namespace

QImage chartOf(const QString& text, int width)
{
    if (const auto numbers = LoggedTables::numberArray(text); numbers && numbers->size() <= 1000)
        return barChart(*numbers, width);
    if (const auto matrix = LoggedTables::numericTable(text);
        matrix && matrix->rows == matrix->columns && matrix->rows > 1 && matrix->rows <= 200)
        return heatMap(*matrix, width);
    return {};
}

void fill(QTextBrowser* page, const QVector<const ViewerRun*>& runs, int imageWidth)
{
    auto* document = new QTextDocument(page);
    QTextCursor cursor(document);
    bool any = false;
    for (int r = 0; r < runs.size(); ++r) {
        const ViewerRun* run = runs[r];
        if (run->images.isEmpty() && run->texts.isEmpty())
            continue;
        any = true;
        cursor.insertHtml(QStringLiteral("<h2>%1</h2>").arg(run->name.toHtmlEscaped()));
        for (auto it = run->images.cbegin(); it != run->images.cend(); ++it) {
            const QImage image = QImage::fromData(it->data);
            cursor.insertHtml(QStringLiteral("<p><b>%1</b> · step %2</p>").arg(it.key().toHtmlEscaped()).arg(it->step));
            if (image.isNull()) {
                cursor.insertHtml(QStringLiteral("<p><i>not an image Qt can read</i></p>"));
                continue;
            }
            const QUrl name(QStringLiteral("jikken-media:%1/%2").arg(r).arg(it.key()));
            document->addResource(QTextDocument::ImageResource, name, image);
            cursor.insertHtml(QStringLiteral("<p><img src=\"%1\" width=\"%2\"></p>")
                                  .arg(name.toString().toHtmlEscaped())
                                  .arg(qMin(imageWidth, image.width())));
        }
        for (auto it = run->texts.cbegin(); it != run->texts.cend(); ++it) {
            cursor.insertHtml(QStringLiteral("<p><b>%1</b> · step %2</p>").arg(it.key().toHtmlEscaped()).arg(it->step));
            const QString text = QString::fromUtf8(it->data);
            const QImage chart = chartOf(text, imageWidth);
            if (!chart.isNull()) {
                const QUrl name(QStringLiteral("jikken-chart:%1/%2").arg(r).arg(it.key()));
                document->addResource(QTextDocument::ImageResource, name, chart);
                cursor.insertHtml(QStringLiteral("<p><img src=\"%1\"></p>").arg(name.toString().toHtmlEscaped()));
            }
            QTextDocument markdown;
            markdown.setMarkdown(text);
            cursor.insertFragment(QTextDocumentFragment(&markdown));
            cursor.insertBlock();
        }
    }
    if (!any)
        cursor.insertHtml(QObject::tr("<p><i>The selected runs logged no images or text.</i></p>"));
    page->setDocument(document); // deletes the page's previous document, its child too
}

} // namespace jikken::MediaPage
