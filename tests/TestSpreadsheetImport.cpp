#include "registry/SpreadsheetImport.h"

#include <QStringEncoder>
#include <QtTest>

using namespace jikken;

class TestSpreadsheetImport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void quotingAsRfc4180()
    {
        QString error;
        const auto rows = SpreadsheetImport::parseCsv("a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"multi\nline\",,x\r\n", &error);
        QVERIFY(error.isEmpty());
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows[0], (QStringList{QStringLiteral("a"), QStringLiteral("b,c"), QStringLiteral("say \"hi\"")}));
        QCOMPARE(rows[1], (QStringList{QStringLiteral("multi\nline"), QString(), QStringLiteral("x")}));
        SpreadsheetImport::parseCsv("a,\"never closed\n", &error);
        QVERIFY(error.contains(QStringLiteral("quoted")));
    }

    void columnsByMeaning()
    {
        const auto result =
            SpreadsheetImport::fromCsv("\xef\xbb\xbfModel_ID,LR,Batch Size,test error,Best Test Error,status,GPU\n"
                                       "20190705_01_focalloss,0.1,128,27.1%,0.2655,done,V100\n"
                                       "20190705_02_focalloss,0.05,,,,,\n"
                                       "20190705_03_focalloss,0.05,,31,,OOM,\n");
        QCOMPARE(result.rejected, QStringList());
        QCOMPARE(result.runs.size(), 3);
        const RunRecord& first = result.runs[0];
        QCOMPARE(first.method, QStringLiteral("focalloss"));
        QCOMPARE(*first.latestTestError, 0.271);
        QCOMPARE(*first.bestTestError, 0.2655);
        QCOMPARE(toString(first.status), QStringLiteral("finished"));
        QCOMPARE(first.hparams.value(QStringLiteral("Batch Size")).toDouble(), 128.0);
        QCOMPARE(first.fields.value(QStringLiteral("GPU")).toString(), QStringLiteral("V100"));
        QCOMPARE(toString(result.runs[1].status), QStringLiteral("reserved")); // no status, no result
        QCOMPARE(toString(result.runs[2].status), QStringLiteral("failed"));   // OOM
        QCOMPARE(*result.runs[2].latestTestError, 0.31);
        QVERIFY(result.warnings.join(u'\n').contains(QStringLiteral("31 read as 31%")));
    }

    void badRowsAreRejectedWhole()
    {
        const auto result = SpreadsheetImport::fromCsv("id,memo\n"
                                                       "20190705_01_a,ok\n"
                                                       "2019075_03_a,typo\n"
                                                       "20190705_01_a,again\n"
                                                       "20190705_02_A,upper\n");
        QCOMPARE(result.runs.size(), 1);
        QCOMPARE(result.rejected.size(), 3);
        QVERIFY(result.rejected[0].startsWith(QStringLiteral("row 3")));
        QVERIFY(
            SpreadsheetImport::fromCsv("memo,method\nx,y\n").rejected.first().contains(QStringLiteral("no ID column")));
        QVERIFY(!SpreadsheetImport::fromCsv(QByteArray()).rejected.isEmpty());
    }

    void excelsJapaneseCsv()
    {
        QStringEncoder toShiftJis("Shift_JIS");
        QVERIFY(toShiftJis.isValid());
        const QByteArray csv = toShiftJis(QStringLiteral("model_id,memo\n20190702_02_softmax,lr半分, 他は01と同じ\n"));
        const auto result = SpreadsheetImport::fromCsv(csv);
        QCOMPARE(result.runs.size(), 1);
        QCOMPARE(result.runs[0].memo, QStringLiteral("lr半分"));
        QVERIFY(result.warnings.join(u'\n').contains(QStringLiteral("Shift_JIS")));
    }
};

QTEST_GUILESS_MAIN(TestSpreadsheetImport)
#include "TestSpreadsheetImport.moc"
