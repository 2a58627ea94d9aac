#include "MediaPage.h"

#include "data/DatasetLoader.h"
#include "events/LoggedTables.h"

#include <QImage>
#include <QPainter>
#include <QScrollBar>
#include <QTextBrowser>
#include <QTextDocument>
#include <QUrl>

#include <algorithm>

namespace jikken::MediaPage {

namespace {

/// A class's label: its name where the dataset's are known, else its number.
QString classLabel(const QStringList& names, int index)
{
    return index < names.size() ? names[index] : QString::number(index);
}

/// Draws `text` centred on `at`, turned 40° up from the baseline so long class names fit narrow slots.
void drawSlanted(QPainter& painter, QPointF at, const QString& text)
{
    painter.save();
    painter.translate(at);
    painter.rotate(-40);
    painter.drawText(QPointF(-painter.fontMetrics().horizontalAdvance(text), painter.fontMetrics().ascent() / 2.0),
                     text);
    painter.restore();
}

/// How far slanted labels reach below (or beside) the axis they label.
int slantedExtent(const QFont& font, const QStringList& names, int count)
{
    const QFontMetrics metrics(font);
    int widest = 0;
    for (int i = 0; i < count; ++i)
        widest = qMax(widest, metrics.horizontalAdvance(classLabel(names, i)));
    return static_cast<int>(widest * 0.77) + metrics.height();
}

/// Per-class counts (`data/class_counts`) as bars, so an imbalanced dataset shows at a glance.
QImage barChart(const QVector<double>& values, int width, const QStringList& names)
{
    QFont font;
    font.setPixelSize(11);
    const int below = slantedExtent(font, names, static_cast<int>(values.size()));
    QImage image(width, width / 2 + below, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setFont(font);
    const double highest = *std::max_element(values.cbegin(), values.cend());
    const QRectF plot(10, 18, width - 20, image.height() - 18 - below);
    const double slot = plot.width() / values.size();
    for (int i = 0; i < values.size(); ++i) {
        const double h = highest > 0 ? values[i] / highest * plot.height() : 0;
        const QRectF bar(plot.left() + i * slot + slot * 0.15, plot.bottom() - h, slot * 0.7, h);
        painter.fillRect(bar, QColor(0x1f, 0x77, 0xb4));
        painter.setPen(Qt::black);
        drawSlanted(painter, QPointF(plot.left() + (i + 0.5) * slot, plot.bottom() + 8), classLabel(names, i));
        painter.drawText(QRectF(plot.left() + i * slot, bar.top() - 15, slot, 14), Qt::AlignCenter,
                         QString::number(values[i], 'g', 6));
    }
    return image;
}

/// A square table of counts (`test/confusion_matrix`) as a heat map, each row shaded by its own total
/// so a rare class's mistakes show as clearly as a common one's.
QImage heatMap(const LoggedTables::Matrix& matrix, int width, const QStringList& names)
{
    QFont font;
    const int left = 8 + QFontMetrics(font).horizontalAdvance(QStringLiteral("Ankle boot")) / 2; // a first guess
    const int cell = qMax(16, (width - left) / matrix.columns);
    font.setPixelSize(qBound(8, cell / 3, 12));
    int labels = 0;
    for (int i = 0; i < matrix.rows; ++i)
        labels = qMax(labels, QFontMetrics(font).horizontalAdvance(classLabel(names, i)));
    const int side = labels + 8;                                     // true classes, left
    const int top = 14 + slantedExtent(font, names, matrix.columns); // predicted ones, slanted above
    QImage image(side + cell * matrix.columns, top + cell * matrix.rows, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::TextAntialiasing);
    painter.setFont(font);
    for (int r = 0; r < matrix.rows; ++r) {
        double total = 0;
        for (int c = 0; c < matrix.columns; ++c)
            total += matrix.values[r * matrix.columns + c];
        painter.setPen(Qt::black);
        painter.drawText(QRectF(0, top + r * cell, side - 4, cell), Qt::AlignRight | Qt::AlignVCenter,
                         classLabel(names, r));
        for (int c = 0; c < matrix.columns; ++c) {
            const double value = matrix.values[r * matrix.columns + c];
            const double share = total > 0 ? value / total : 0;
            const QRectF box(side + c * cell, top + r * cell, cell, cell);
            painter.fillRect(box, QColor::fromRgbF(1 - 0.85 * share, 1 - 0.55 * share, 1 - 0.2 * share));
            painter.setPen(share > 0.5 ? Qt::white : Qt::black);
            painter.drawText(box, Qt::AlignCenter, QString::number(value, 'g', 6));
        }
    }
    painter.setPen(Qt::black);
    for (int c = 0; c < matrix.columns; ++c) {
        painter.save();
        painter.translate(side + (c + 0.5) * cell, top - 4);
        painter.rotate(-40);
        painter.drawText(QPointF(0, 0), classLabel(names, c));
        painter.restore();
    }
    painter.drawText(QRectF(0, 0, image.width(), 12), Qt::AlignLeft, QObject::tr("true ↓   predicted →"));
    return image;
}

/// The body of a Markdown text as HTML, to go into the page between headings.
QString markdownHtml(const QString& text)
{
    QTextDocument markdown;
    markdown.setMarkdown(text);
    const QString html = markdown.toHtml();
    const qsizetype open = html.indexOf(QLatin1String("<body"));
    const qsizetype start = open < 0 ? -1 : html.indexOf(u'>', open);
    const qsizetype end = html.lastIndexOf(QLatin1String("</body>"));
    return start < 0 || end < start ? text.toHtmlEscaped() : html.mid(start + 1, end - start - 1);
}

/// What the page would show: when it has not changed, a live refresh leaves the page (and where it is
/// scrolled to) alone.
QString signatureOf(const QVector<const ViewerRun*>& runs, int imageWidth)
{
    QString signature = QString::number(imageWidth);
    for (const ViewerRun* run : runs) {
        signature += u'|' + run->key;
        for (const auto* media : {&run->images, &run->texts}) {
            for (auto it = media->cbegin(); it != media->cend(); ++it)
                signature += QStringLiteral(" %1@%2#%3").arg(it.key()).arg(it->step).arg(it->count);
        }
    }
    return signature;
}

} // namespace

QImage chartOf(const QString& text, int width, const QStringList& classNames)
{
    if (const auto numbers = LoggedTables::numberArray(text); numbers && numbers->size() <= 1000)
        return barChart(*numbers, width, classNames);
    if (const auto matrix = LoggedTables::numericTable(text);
        matrix && matrix->rows == matrix->columns && matrix->rows > 1 && matrix->rows <= 200)
        return heatMap(*matrix, width, classNames);
    return {};
}

void fill(QTextBrowser* page, const QVector<const ViewerRun*>& runs, int imageWidth)
{
    const QString signature = signatureOf(runs, imageWidth);
    if (page->property("jikken-media").toString() == signature)
        return;
    page->setProperty("jikken-media", signature);
    auto* document = new QTextDocument(page);
    QString html;
    const auto caption = [](const QString& tag, qint64 step) {
        return QStringLiteral("<h3>%1 <small>· step %2</small></h3>").arg(tag.toHtmlEscaped()).arg(step);
    };
    for (int r = 0; r < runs.size(); ++r) {
        const ViewerRun* run = runs[r];
        if (run->images.isEmpty() && run->texts.isEmpty())
            continue;
        const QString dataset = run->record && !run->record->dataset.isEmpty()
                                    ? run->record->dataset
                                    : run->hyperparameters().value(QStringLiteral("dataset")).toString();
        const QStringList names = DatasetLoader::classNames(dataset);
        html += QStringLiteral("<h2>%1</h2>").arg(run->name.toHtmlEscaped());
        for (auto it = run->images.cbegin(); it != run->images.cend(); ++it) {
            html += caption(it.key(), it->step);
            const QImage image = QImage::fromData(it->data);
            if (image.isNull()) {
                html += QStringLiteral("<p><i>not an image Qt can read</i></p>");
                continue;
            }
            const QUrl name(QStringLiteral("jikken-media:%1/%2").arg(r).arg(it.key()));
            document->addResource(QTextDocument::ImageResource, name, image);
            html += QStringLiteral("<p><img src=\"%1\" width=\"%2\"></p>")
                        .arg(name.toString().toHtmlEscaped())
                        .arg(qMin(imageWidth, image.width()));
        }
        for (auto it = run->texts.cbegin(); it != run->texts.cend(); ++it) {
            html += caption(it.key(), it->step);
            const QString text = QString::fromUtf8(it->data);
            const QImage chart = chartOf(text, imageWidth, names);
            if (chart.isNull()) {
                html += markdownHtml(text);
                continue;
            }
            // The chart says what the table said: the numbers are on it.
            const QUrl name(QStringLiteral("jikken-chart:%1/%2").arg(r).arg(it.key()));
            document->addResource(QTextDocument::ImageResource, name, chart);
            html += QStringLiteral("<p><img src=\"%1\"></p>").arg(name.toString().toHtmlEscaped());
        }
    }
    if (html.isEmpty())
        html = QObject::tr("<p><i>The selected runs logged no images or text.</i></p>");
    document->setHtml(html);
    // A live run refreshes the page every second: the reader stays where they were.
    const int scrolled = page->verticalScrollBar()->value();
    page->setDocument(document); // deletes the page's previous document, its child too
    page->verticalScrollBar()->setValue(scrolled);
}

} // namespace jikken::MediaPage
