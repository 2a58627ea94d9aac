#include "ids/ModelId.h"

#include <QtTest>

using jikken::ModelId;

class TestModelId : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void formatsTwoDigitsThenThree()
    {
        QCOMPARE(ModelId(QDate(2019, 7, 5), 1, QStringLiteral("focalloss")).toString(),
                 QStringLiteral("20190705_01_focalloss"));
        QCOMPARE(ModelId(QDate(2019, 7, 5), 99, QStringLiteral("a")).toString(), QStringLiteral("20190705_99_a"));
        QCOMPARE(ModelId(QDate(2019, 7, 5), 100, QStringLiteral("a")).toString(), QStringLiteral("20190705_100_a"));
    }

    void parsesWhatItFormats()
    {
        const auto id = ModelId::parse(QStringLiteral("20190705_01_focalloss"));
        QVERIFY(id);
        QCOMPARE(id->date(), QDate(2019, 7, 5));
        QCOMPARE(id->number(), 1);
        QCOMPARE(id->method(), QStringLiteral("focalloss"));
        const auto big = ModelId::parse(QStringLiteral("20190705_123_label-smoothing"));
        QVERIFY(big);
        QCOMPARE(big->number(), 123);
        QCOMPARE(big->toString(), QStringLiteral("20190705_123_label-smoothing"));
    }

    void refusesMalformedIds_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("empty") << QString();
        QTest::newRow("no number") << QStringLiteral("20190705_focalloss");
        QTest::newRow("one digit") << QStringLiteral("20190705_1_softmax");
        QTest::newRow("zero") << QStringLiteral("20190705_00_softmax");
        QTest::newRow("three digits under 100") << QStringLiteral("20190705_099_softmax");
        QTest::newRow("four digits") << QStringLiteral("20190705_1000_softmax");
        QTest::newRow("bad date") << QStringLiteral("20190230_01_softmax");
        QTest::newRow("short date") << QStringLiteral("2019075_01_softmax");
        QTest::newRow("uppercase method") << QStringLiteral("20190705_01_Softmax");
        QTest::newRow("underscore in method") << QStringLiteral("20190705_01_focal_loss");
        QTest::newRow("empty method") << QStringLiteral("20190705_01_");
        QTest::newRow("sign in number") << QStringLiteral("20190705_+1_softmax");
        QTest::newRow("non-ascii digit") << QStringLiteral("20190705_\u0661\u0662_softmax");
    }

    void refusesMalformedIds()
    {
        QFETCH(QString, text);
        QString error;
        QVERIFY(!ModelId::parse(text, &error));
        QVERIFY(!error.isEmpty());
    }

    void methodRulesSayWhatIsAllowed()
    {
        QVERIFY(ModelId::methodError(QStringLiteral("focalloss")).isEmpty());
        QVERIFY(ModelId::methodError(QStringLiteral("cb-focal-2")).isEmpty());
        QVERIFY(ModelId::methodError(QString(40, u'a')).isEmpty());
        for (const QString& bad : {QString(), QString(41, u'a'), QStringLiteral("Focal"), QStringLiteral("focal loss"),
                                   QStringLiteral("a;rm"), QStringLiteral("\u5b9f\u9a13"), QStringLiteral("x_y")}) {
            const QString message = ModelId::methodError(bad);
            QVERIFY2(message.contains(QStringLiteral("lowercase letters a-z, digits 0-9 and '-'")), qPrintable(bad));
        }
    }

    void ordersByDateThenNumber()
    {
        const auto a = *ModelId::parse(QStringLiteral("20190705_99_zzz"));
        const auto b = *ModelId::parse(QStringLiteral("20190705_100_aaa"));
        const auto c = *ModelId::parse(QStringLiteral("20190706_01_aaa"));
        QVERIFY(a < b);
        QVERIFY(b < c);
        QVERIFY(!(b < a));
        // Plain string order would put 100 before 99: the value type must not.
        QVERIFY(b.toString() < a.toString());
    }
};

QTEST_GUILESS_MAIN(TestModelId)
#include "TestModelId.moc"
