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
        QCOMPARE(toString(result.runs[1].status), QStringLiteral("unknown")); // no status, no result: never "reserved"
        QCOMPARE(toString(result.runs[2].status), QStringLiteral("failed"));  // OOM
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
        // A file that cannot be read at all is an error of its own, not a rejected row.
        const auto noIds = SpreadsheetImport::fromCsv("memo,method\nx,y\n");
        QVERIFY(noIds.error.contains(QStringLiteral("no ID column")));
        QVERIFY(noIds.rejected.isEmpty());
        QVERIFY(!SpreadsheetImport::fromCsv(QByteArray()).error.isEmpty());
    }

    // The user's own sheet: Japanese headers and statuses, a BOM, CRLF, a quoted line break, a 3-digit
    // number, an ID twice and a typo.
    void japaneseHeadersAndStatuses()
    {
        QFile file(qEnvironmentVariable("JIKKEN_TEST_SOURCE_DIR") +
                   QStringLiteral("/tests/data/japanese-registry.csv"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const auto result = SpreadsheetImport::fromCsv(file.readAll());
        QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
        QCOMPARE(result.runs.size(), 4);
        QCOMPARE(result.rejected.size(), 2);
        QVERIFY(result.rejected.join(u'\n').contains(QStringLiteral("appears twice")));
        QVERIFY(result.rejected.join(u'\n').contains(QStringLiteral("2019075_03_focalloss")));
        const RunRecord& first = result.runs[0];
        QCOMPARE(first.model, QStringLiteral("resnet18"));
        QCOMPARE(first.dataset, QStringLiteral("cifar10"));
        QCOMPARE(*first.latestTestError, 0.0712);
        QCOMPARE(*first.bestTestError, 0.0698);
        QCOMPARE(toString(first.status), QStringLiteral("finished")); // 完了
        QCOMPARE(first.totalEpochs, 200);
        QCOMPARE(first.host, QStringLiteral("gpu1"));
        QCOMPARE(first.memo, QStringLiteral("ベースライン"));
        QCOMPARE(first.hparams.value(QStringLiteral("学習率")).toDouble(), 0.1);
        QCOMPARE(first.fields.value(QStringLiteral("GPUメモリ")).toString(), QStringLiteral("10GB"));
        const RunRecord& second = result.runs[1];
        QCOMPARE(toString(second.status), QStringLiteral("finished")); // no status, but a final test error
        QCOMPARE(*second.latestTestError, 0.0735);
        QCOMPARE(second.memo, QStringLiteral("lr半分, \"01\"と同じ\r\n二行目"));
        QCOMPARE(toString(result.runs[2].status), QStringLiteral("stopped")); // 中止, kept as the reason
        QCOMPARE(result.runs[2].statusReason, QStringLiteral("中止"));
        QCOMPARE(result.runs[3].id, QStringLiteral("20190705_100_focalloss"));
    }

    // A sheet whose ID column has a name of its own is read by the column that holds model IDs; --map
    // names what the names do not say.
    void idsByContentsAndMappedColumns()
    {
        const QByteArray csv = "番号,実験名,結果,note2\n"
                               "1,20190705_01_focalloss,0.27,a\n"
                               "2,20190705_02_focalloss,0.26,b\n";
        const auto found = SpreadsheetImport::fromCsv(csv);
        QVERIFY2(found.error.isEmpty(), qPrintable(found.error));
        QCOMPARE(found.runs.size(), 2);
        QCOMPARE(found.runs[1].id, QStringLiteral("20190705_02_focalloss"));
        QVERIFY(found.warnings.join(u'\n').contains(QStringLiteral("実験名")));
        // 結果 is not known as a test error: no result, no status, so nobody knows how the run went.
        QCOMPARE(toString(found.runs[0].status), QStringLiteral("unknown"));
        const auto mapped = SpreadsheetImport::fromCsv(csv, {{QStringLiteral("結果"), QStringLiteral("test_error")},
                                                             {QStringLiteral("番号"), QStringLiteral("ignore")},
                                                             {QStringLiteral("note2"), QStringLiteral("memo")}});
        QVERIFY2(mapped.error.isEmpty(), qPrintable(mapped.error));
        QCOMPARE(*mapped.runs[0].latestTestError, 0.27);
        QCOMPARE(toString(mapped.runs[0].status), QStringLiteral("finished"));
        QCOMPARE(mapped.runs[1].memo, QStringLiteral("b"));
        QVERIFY(!mapped.runs[0].fields.contains(QStringLiteral("番号")));
        QVERIFY(SpreadsheetImport::fromCsv(csv, {{QStringLiteral("結果"), QStringLiteral("accuracy")}})
                    .error.contains(QStringLiteral("no such field")));
        QVERIFY(SpreadsheetImport::fromCsv(csv, {{QStringLiteral("nothere"), QStringLiteral("memo")}})
                    .error.contains(QStringLiteral("no column")));
        // Columns mapped onto the names new runs use: imported and new runs share columns and queries.
        const QByteArray sheet = "モデルID,学習率,バッチサイズ,日付,ガンマ\n"
                                 "20190705_01_focalloss,0.1,128,2019/7/6,2\n"
                                 "20190705_02_focalloss,0.05,64,someday,1\n";
        const auto native =
            SpreadsheetImport::fromCsv(sheet, {{QStringLiteral("学習率"), QStringLiteral("lr")},
                                               {QStringLiteral("バッチサイズ"), QStringLiteral("batch_size")},
                                               {QStringLiteral("日付"), QStringLiteral("date")},
                                               {QStringLiteral("ガンマ"), QStringLiteral("hparams.focal_gamma")}});
        QVERIFY2(native.error.isEmpty(), qPrintable(native.error));
        QCOMPARE(native.runs[0].hparams, (QJsonObject{{QStringLiteral("lr"), 0.1},
                                                      {QStringLiteral("batch_size"), 128},
                                                      {QStringLiteral("focal_gamma"), 2}}));
        QVERIFY(native.runs[0].fields.isEmpty());
        QCOMPARE(native.runs[0].created.date(), QDate(2019, 7, 6));
        QCOMPARE(native.runs[1].created.date(), QDate(2019, 7, 5)); // the ID's, with a warning
        QVERIFY2(native.warnings.join(u'\n').contains(QStringLiteral("\"someday\" is not a date")),
                 qPrintable(native.warnings.join(u'\n')));
        // A name that is neither a field nor one of jikken train's hyperparameters is a typo until said otherwise.
        const QString typo =
            SpreadsheetImport::fromCsv(sheet, {{QStringLiteral("学習率"), QStringLiteral("lrr")}}).error;
        QVERIFY2(typo.contains(QStringLiteral("no such field")) && typo.contains(QStringLiteral("hparams.NAME")),
                 qPrintable(typo));
        // Cells that are not IDs in most rows do not make an ID column.
        QVERIFY(!SpreadsheetImport::fromCsv("a,b\nx,20190705_01_a\ny,z\nw,v\n").error.isEmpty());
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
