// Core must stay free of widgets, charts, the HTTP server and torch (see DESIGN.md); this keeps it honest.
#include <QDirIterator>
#include <QRegularExpression>
#include <QtTest>

class TestCoreDependencies : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void coreIncludesNoHeavyHeaders()
    {
        const QString core = qEnvironmentVariable("JIKKEN_TEST_SOURCE_DIR") + QStringLiteral("/src/core");
        const QRegularExpression forbidden(QStringLiteral(
            "#\\s*include\\s*[<\"](QtWidgets|QWidget|QtCharts|QChart|QtHttpServer|QHttpServer|torch/|ATen/|c10/)"));
        int files = 0;
        QDirIterator it(core, {QStringLiteral("*.h"), QStringLiteral("*.cpp")}, QDir::Files,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile file(it.next());
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QString text = QString::fromUtf8(file.readAll());
            const auto match = forbidden.match(text);
            QVERIFY2(!match.hasMatch(), qPrintable(it.filePath() + QStringLiteral(": ") + match.captured(0)));
            ++files;
        }
        QVERIFY2(files > 10, "src/core was not found");
    }
};

QTEST_GUILESS_MAIN(TestCoreDependencies)
#include "TestCoreDependencies.moc"
