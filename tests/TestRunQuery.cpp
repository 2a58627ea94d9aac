// The filter box's query language (RunQuery): fields, hyperparameters, comparisons, quotes, negation and
// free text, and the errors for what it cannot read.
#include "registry/RunQuery.h"

#include <QtTest>

using namespace jikken;

class TestRunQuery : public QObject
{
    Q_OBJECT

private:
    QVector<RunRecord> m_runs;

    /// The numbers of the runs the query keeps, in order, or its error.
    QString kept(const QString& text)
    {
        QString error;
        const auto query = RunQuery::parse(text, &error);
        if (!query)
            return QStringLiteral("error: ") + error;
        QStringList ids;
        for (const RunRecord& run : m_runs) {
            if (query->matches(run))
                ids << run.id.section(u'_', 1, 1); // the number is enough to tell them apart
        }
        return ids.join(u' ');
    }

private Q_SLOTS:
    void initTestCase()
    {
        const auto run = [](const char* id, const char* model, double lr, RunStatus status, const char* memo,
                            std::optional<double> error) {
            RunRecord r;
            r.id = QString::fromLatin1(id);
            r.method = r.id.section(u'_', 2);
            r.model = QString::fromLatin1(model);
            r.dataset = QStringLiteral("cifar10-imb100");
            r.hparams = {{QStringLiteral("lr"), lr},
                         {QStringLiteral("batch_size"), 128},
                         {QStringLiteral("optimizer"), QStringLiteral("SGD")}};
            r.status = status;
            r.memo = QString::fromUtf8(memo);
            r.latestTestError = error;
            return r;
        };
        m_runs = {run("20190705_01_focalloss", "resnet18", 0.1, RunStatus::Finished, "gamma 2, alpha none", 0.271),
                  run("20190705_02_focalloss", "resnet18", 0.01, RunStatus::Running, "gamma=1", 0.268),
                  run("20190705_03_softmax", "vgg16", 0.05, RunStatus::Failed, "OOM", std::nullopt),
                  run("20190706_01_cbloss", "ResNet32", 0.1, RunStatus::Finished, "class-balanced", 0.210)};
        m_runs[1].labels = {QStringLiteral("ablation"), QStringLiteral("paper-fig3")};
        m_runs[3].labels = {QStringLiteral("Ablation")};
        m_runs[3].fields = {{QStringLiteral("GPU memory"), QStringLiteral("10GB")}, {QStringLiteral("seed"), 2}};
    }

    void fieldsAndFreeText()
    {
        QCOMPARE(kept(QString()), QStringLiteral("01 02 03 01"));
        QCOMPARE(kept(QStringLiteral("model:resnet18")), QStringLiteral("01 02"));
        QCOMPARE(kept(QStringLiteral("MODEL:ResNet18 status:running")), QStringLiteral("02"));
        QCOMPARE(kept(QStringLiteral("method:focalloss")), QStringLiteral("01 02"));
        QCOMPARE(kept(QStringLiteral("method:focal")), QString());        // exact for a field
        QCOMPARE(kept(QStringLiteral("focal")), QStringLiteral("01 02")); // free text: a part
        QCOMPARE(kept(QStringLiteral("resnet")), QStringLiteral("01 02 01"));
        QCOMPARE(kept(QStringLiteral("memo:gamma")), QStringLiteral("01 02"));
        QCOMPARE(kept(QStringLiteral("memo:\"gamma 2\"")), QStringLiteral("01"));
        QCOMPARE(kept(QStringLiteral("\"alpha none\"")), QStringLiteral("01"));
        QCOMPARE(kept(QStringLiteral("optimizer:sgd")), QStringLiteral("01 02 03 01"));
        QCOMPARE(kept(QStringLiteral("gpumemory:10gb")), QStringLiteral("01")); // an imported column
        QCOMPARE(kept(QStringLiteral("id:20190706_01_cbloss")), QStringLiteral("01"));
        QCOMPARE(kept(QStringLiteral("tag:ablation")), QStringLiteral("02 01"));
        QCOMPARE(kept(QStringLiteral("tag:paper-fig3")), QStringLiteral("02"));
        QCOMPARE(kept(QStringLiteral("tag:paper")), QString()); // a label is matched whole
        QCOMPARE(kept(QStringLiteral("-tag:ablation")), QStringLiteral("01 03"));
    }

    void comparisonsAndNegation()
    {
        QCOMPARE(kept(QStringLiteral("lr<0.05")), QStringLiteral("02"));
        QCOMPARE(kept(QStringLiteral("lr<=0.05")), QStringLiteral("02 03"));
        QCOMPARE(kept(QStringLiteral("lr>=0.1 model:resnet18")), QStringLiteral("01"));
        QCOMPARE(kept(QStringLiteral("lr:0.1")), QStringLiteral("01 01"));
        QCOMPARE(kept(QStringLiteral("lr!=0.1")), QStringLiteral("02 03"));
        QCOMPARE(kept(QStringLiteral("batch_size=128")), QStringLiteral("01 02 03 01"));
        QCOMPARE(kept(QStringLiteral("BatchSize>128")), QString());
        QCOMPARE(kept(QStringLiteral("error<0.25")), QStringLiteral("01"));    // cbloss, 0.210
        QCOMPARE(kept(QStringLiteral("error>0")), QStringLiteral("01 02 01")); // the failed run has none
        QCOMPARE(kept(QStringLiteral("seed>=2")), QStringLiteral("01"));       // a number in an imported column
        QCOMPARE(kept(QStringLiteral("-status:failed -memo:gamma")), QStringLiteral("01"));
        QCOMPARE(kept(QStringLiteral("nothing-like-this")), QString());
    }

    void unreadableQueriesSayWhy()
    {
        QVERIFY(kept(QStringLiteral("lr<small")).contains(QStringLiteral("wants a number")));
        QVERIFY(kept(QStringLiteral("memo:\"gamma")).contains(QStringLiteral("quote")));
        QStringList many;
        for (int i = 0; i <= RunQuery::kMaxTerms; ++i)
            many << QStringLiteral("-lr<%1").arg(i);
        QVERIFY(kept(many.join(u' ')).contains(QStringLiteral("at most 64 terms")));
    }

    // What a filter box applies while a term is being typed: the terms that can be read, and why the others
    // cannot; a key no run has names the nearest there is.
    void readableTermsAndUnknownKeys()
    {
        const auto keptOf = [this](const RunQuery& query) {
            QStringList ids;
            for (const RunRecord& run : m_runs) {
                if (query.matches(run))
                    ids << run.id.section(u'_', 1, 1);
            }
            return ids.join(u' ');
        };
        QString problem;
        QCOMPARE(keptOf(RunQuery::readable(QStringLiteral("model:resnet18 lr<"), &problem)), QStringLiteral("01 02"));
        QVERIFY2(problem.contains(QStringLiteral("wants a number")), qPrintable(problem));
        QCOMPARE(keptOf(RunQuery::readable(QStringLiteral("lr:0.1 memo:\"gamma"), &problem)), QStringLiteral("01 01"));
        QVERIFY(problem.contains(QStringLiteral("quote")));
        QCOMPARE(keptOf(RunQuery::readable(QStringLiteral("lr:0.1"), &problem)), QStringLiteral("01 01"));
        QVERIFY(problem.isEmpty());
        QString error;
        const auto typo = RunQuery::parse(QStringLiteral("model:resnet18 batchsise>64"), &error);
        QCOMPARE(typo->unknownKeyProblem(m_runs),
                 QStringLiteral("no run has “batchsise”; the nearest key is “batch_size”"));
        QCOMPARE(
            RunQuery::parse(QStringLiteral("best<0.25 gpumemory:10GB Seed=2 tag:x"), &error)->unknownKeyProblem(m_runs),
            QString()); // own keys, imported columns in any spelling
    }
};

QTEST_GUILESS_MAIN(TestRunQuery)
#include "TestRunQuery.moc"
