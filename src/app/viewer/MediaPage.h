#pragma once

#include "viewer/ViewerRun.h"

#include <QImage>
#include <QVector>

class QTextBrowser;

namespace jikken::MediaPage {

/// What the selected runs logged besides scalars, the latest of each tag: images (a class distribution,
/// a confusion matrix drawn by add_figure) and Markdown text (Jikken's confusion matrix and class counts),
/// run by run. Images wider than `imageWidth` are shown scaled down. Charts name the classes of the
/// run's dataset. A page already showing the same media is left as it is (and where it is scrolled).
void fill(QTextBrowser* page, const QVector<const ViewerRun*>& runs, int imageWidth = 480);

/// A logged text drawn as a chart where it is one: a JSON array of numbers as bars (class counts), a
/// square Markdown table of numbers as a heat map (a confusion matrix); a null image otherwise. Bars and
/// rows are labelled by `classNames` where given, else by number.
QImage chartOf(const QString& text, int width, const QStringList& classNames = {});

} // namespace jikken::MediaPage
