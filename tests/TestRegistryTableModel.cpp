#include "registry/RegistryTableModel.h"
#include "registry/RunFilterModel.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QtTest>

using namespace jikken;

namespace {

RunRecord makeRun(const QString& id, RunStatus status, const QString& memo = {})
{
    RunRecord run;
    run.id = id;
    run.method = id.section(u'_', 2);
    run.status = status;
    run.memo = memo;
    run.epoch = 3;
    run.totalEpochs = 12;
    return run;
}

} // namespace

class TestRegistryTableModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void liveUpdatesKeepTheSelection()
    {
        RegistryTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRuns({makeRun(QStringLiteral("20190705_01_a"), RunStatus::Running),
                       makeRun(QStringLiteral("20190705_02_b"), RunStatus::Finished),
                       makeRun(QStringLiteral("20190705_03_c"), RunStatus::Running)});
        QCOMPARE(model.rowCount(), 3);
        const QPersistentModelIndex selected = model.index(2, RegistryTableModel::Status);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

        RunRecord progressed = makeRun(QStringLiteral("20190705_03_c"), RunStatus::Running);
        progressed.epoch = 4;
        progressed.latestTestError = 0.25;
        model.setRuns({makeRun(QStringLiteral("20190705_02_b"), RunStatus::Finished), progressed,
                       makeRun(QStringLiteral("20190705_04_d"), RunStatus::Reserved)});
        QCOMPARE(reset.count(), 0); // no reset: views keep selection and scroll position
        QCOMPARE(model.rowCount(), 3);
        QVERIFY(selected.isValid());
        QCOMPARE(selected.data(RegistryTableModel::IdRole).toString(), QStringLiteral("20190705_03_c"));
        QCOMPARE(model.index(selected.row(), RegistryTableModel::TestError).data().toString(),
                 QStringLiteral("0.2500"));
        QCOMPARE(changed.count(), 1); // only the row that changed
        QVERIFY(!model.run(QStringLiteral("20190705_01_a")));
        QCOMPARE(model.rowOf(QStringLiteral("20190705_04_d")), 2);
        // What the row does not show changes it all the same: labels set from the CLI, hyperparameters
        // described late (the filter and the extra columns read them); the same run again changes nothing.
        RunRecord labelled = makeRun(QStringLiteral("20190705_02_b"), RunStatus::Finished);
        labelled.labels = QStringList{QStringLiteral("paper-fig3")};
        labelled.hparams = QJsonObject{{QStringLiteral("lr"), 0.1}};
        model.setRuns({labelled, progressed, makeRun(QStringLiteral("20190705_04_d"), RunStatus::Reserved)});
        QCOMPARE(model.run(QStringLiteral("20190705_02_b"))->labels, labelled.labels);
        QCOMPARE(model.run(QStringLiteral("20190705_02_b"))->hparams, labelled.hparams);
        QCOMPARE(changed.count(), 2);
        model.updateRun(labelled);
        QCOMPARE(changed.count(), 2);
    }

    void columnsShowWhatTheRegistryKeeps()
    {
        RegistryTableModel model;
        RunRecord run =
            makeRun(QStringLiteral("20190705_01_focalloss"), RunStatus::Failed, QStringLiteral("OOM  on\ngpu3"));
        run.host = QStringLiteral("gpu3");
        run.device = QStringLiteral("cuda:1");
        run.statusReason = QStringLiteral("CUDA out of memory");
        model.setRuns({run, makeRun(QStringLiteral("20190705_02_focalloss"), RunStatus::Running)});
        QCOMPARE(model.index(0, RegistryTableModel::Host).data().toString(), QStringLiteral("gpu3 / cuda:1"));
        QCOMPARE(model.index(0, RegistryTableModel::Progress).data().toString(), QStringLiteral("3/12"));
        QCOMPARE(model.index(0, RegistryTableModel::Progress).data(RegistryTableModel::ProgressRole).toDouble(), 0.25);
        QCOMPARE(model.index(0, RegistryTableModel::Memo).data().toString(), QStringLiteral("OOM on gpu3"));
        QCOMPARE(model.index(0, RegistryTableModel::Status).data(Qt::ToolTipRole).toString(), run.statusReason);
        QVERIFY(model.index(0, RegistryTableModel::Status).data(Qt::ForegroundRole).value<QColor>() !=
                model.index(1, RegistryTableModel::Status).data(Qt::ForegroundRole).value<QColor>());
        QCOMPARE(model.headerData(RegistryTableModel::BestTestError, Qt::Horizontal).toString(),
                 QStringLiteral("Best err"));
        RunRecord imported = makeRun(QStringLiteral("20190705_03_old"), RunStatus::Unknown);
        imported.epoch = imported.totalEpochs = 0;
        model.setRuns({imported});
        QCOMPARE(model.index(0, RegistryTableModel::Progress).data().toString(), QString()); // no "0/0" bar
    }

    void sortsIdsByDateThenNumberAndFilters()
    {
        RegistryTableModel model;
        RunRecord best = makeRun(QStringLiteral("20190705_100_cbloss"), RunStatus::Finished, QStringLiteral("gamma=2"));
        best.bestTestError = 0.21;
        RunRecord worse = makeRun(QStringLiteral("20190705_99_softmax"), RunStatus::Finished);
        worse.bestTestError = 0.30;
        model.setRuns(
            {best, worse,
             makeRun(QStringLiteral("20190704_05_focalloss"), RunStatus::Running, QStringLiteral("Gamma sweep"))});
        RunFilterModel filter;
        filter.setSourceModel(&model);
        QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        filter.sort(RegistryTableModel::Id, Qt::AscendingOrder);
        QCOMPARE(filter.index(0, 0).data().toString(), QStringLiteral("20190704_05_focalloss"));
        QCOMPARE(filter.index(1, 0).data().toString(), QStringLiteral("20190705_99_softmax"));
        QCOMPARE(filter.index(2, 0).data().toString(), QStringLiteral("20190705_100_cbloss")); // not text order
        filter.sort(RegistryTableModel::BestTestError, Qt::AscendingOrder);
        QCOMPARE(filter.index(0, 0).data().toString(), QStringLiteral("20190705_100_cbloss"));
        QCOMPARE(filter.index(2, 0).data().toString(), QStringLiteral("20190704_05_focalloss")); // no result: last

        filter.setText(QStringLiteral("gamma")); // memo, any case
        QCOMPARE(filter.rowCount(), 2);
        filter.setText(QStringLiteral("softmax")); // method
        QCOMPARE(filter.rowCount(), 1);
        filter.setText(QStringLiteral("0704")); // ID
        QCOMPARE(filter.rowCount(), 1);
        filter.setText({});
        filter.setStatus(RunStatus::Running);
        QCOMPARE(filter.rowCount(), 1);
        filter.setStatus(std::nullopt);
        QCOMPARE(filter.rowCount(), 3);
        // Rows arriving later are sorted and filtered too.
        filter.setText(QStringLiteral("softmax"));
        model.updateRun(makeRun(QStringLiteral("20190706_01_softmax"), RunStatus::Reserved));
        QCOMPARE(filter.rowCount(), 2);

        // Rows gone, rows come: each row keeps its own place in the ID order.
        filter.setText({});
        filter.sort(RegistryTableModel::Id, Qt::AscendingOrder);
        model.setRuns({worse, makeRun(QStringLiteral("20190703_02_softmax"), RunStatus::Finished), best});
        model.updateRun(makeRun(QStringLiteral("20190705_101_focalloss"), RunStatus::Running));
        QCOMPARE(filter.rowCount(), 4);
        const QStringList ascending = {QStringLiteral("20190703_02_softmax"), QStringLiteral("20190705_99_softmax"),
                                       QStringLiteral("20190705_100_cbloss"), QStringLiteral("20190705_101_focalloss")};
        for (int row = 0; row < ascending.size(); ++row)
            QCOMPARE(filter.index(row, 0).data().toString(), ascending[row]);
    }

    // A sweep is a row of its own (counts, best) with its points beneath it, whichever the sort and its
    // order; collapsed, its points are hidden; filtered, it shows while one of its points passes.
    void sweepsAreCollapsibleRowsAboveTheirPoints()
    {
        RegistryTableModel model;
        QAbstractItemModelTester modelTester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVector<RunRecord> runs;
        const QList<QPair<QString, RunStatus>> made{{QStringLiteral("20261201_01_other"), RunStatus::Finished},
                                                    {QStringLiteral("20261202_01_lr"), RunStatus::Finished},
                                                    {QStringLiteral("20261202_02_lr"), RunStatus::Failed},
                                                    {QStringLiteral("20261202_03_lr"), RunStatus::Queued},
                                                    {QStringLiteral("20261203_01_later"), RunStatus::Running}};
        for (const auto& [id, status] : made)
            runs.append(makeRun(id, status));
        runs[1].bestTestError = 0.2;
        runs[0].bestTestError = 0.1;
        model.setRuns(runs);
        SweepSummary sweep;
        sweep.name = QStringLiteral("lr-grid");
        sweep.points = 3;
        sweep.finished = sweep.failed = sweep.queued = 1;
        sweep.bestTestError = 0.2;
        sweep.bestRun = runs[1].id;
        sweep.runs = {runs[1].id, runs[2].id, runs[3].id};
        model.setSweeps({sweep});
        QCOMPARE(model.rowCount(), 6);
        const int row = model.sweepRow(sweep.name);
        QCOMPARE(row, 5);
        QCOMPARE(model.index(row, RegistryTableModel::Id).data().toString(), QStringLiteral("▾ lr-grid (3)"));
        QCOMPARE(model.index(row, RegistryTableModel::Status).data().toString(),
                 QStringLiteral("1 done · 1 queued · 1 failed"));
        QCOMPARE(model.index(row, RegistryTableModel::BestTestError).data().toString(), QStringLiteral("0.2000"));
        QCOMPARE(model.index(row, RegistryTableModel::Progress).data().toString(), QStringLiteral("1/3"));
        QVERIFY(model.index(row, 0).data(RegistryTableModel::IdRole).toString().isEmpty()); // not a run
        QCOMPARE(model.index(2, 0).data(RegistryTableModel::SweepRole).toString(), sweep.name);
        QVERIFY(model.index(0, 0).data(RegistryTableModel::SweepRole).toString().isEmpty());

        RunFilterModel filter;
        filter.setSourceModel(&model);
        QAbstractItemModelTester filterTester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const auto shown = [&filter] {
            QStringList rows;
            for (int r = 0; r < filter.rowCount(); ++r) {
                const QModelIndex index = filter.index(r, 0);
                rows << (index.data(RegistryTableModel::IsSweepRole).toBool()
                             ? QStringLiteral("sweep")
                             : index.data(RegistryTableModel::IdRole).toString().section(u'_', 0, 1));
            }
            return rows.join(u' ');
        };
        filter.sort(RegistryTableModel::Id, Qt::DescendingOrder); // the window's: newest first
        QCOMPARE(shown(), QStringLiteral("20261203_01 sweep 20261202_03 20261202_02 20261202_01 20261201_01"));
        filter.sort(RegistryTableModel::Id, Qt::AscendingOrder);
        QCOMPARE(shown(), QStringLiteral("20261201_01 sweep 20261202_01 20261202_02 20261202_03 20261203_01"));
        // By best error the sweep sits by its best (0.2), its points beneath it ordered by their own.
        filter.sort(RegistryTableModel::BestTestError, Qt::AscendingOrder);
        QCOMPARE(shown(), QStringLiteral("20261201_01 sweep 20261202_01 20261202_02 20261202_03 20261203_01"));
        filter.sort(RegistryTableModel::BestTestError, Qt::DescendingOrder);
        QCOMPARE(shown().section(u' ', 0, 0), QStringLiteral("20261203_01")); // no result: first when descending
        QCOMPARE(shown().section(u' ', 1, 1), QStringLiteral("sweep"));
        QCOMPARE(shown().section(u' ', -1), QStringLiteral("20261201_01"));

        model.setCollapsed(sweep.name, true);
        QCOMPARE(model.index(row, 0).data().toString(), QStringLiteral("▸ lr-grid (3)"));
        QCOMPARE(shown(), QStringLiteral("20261203_01 sweep 20261201_01"));
        model.setCollapsed(sweep.name, false);
        QCOMPARE(filter.rowCount(), 6);
        filter.setStatus(RunStatus::Failed); // one failed point: the sweep and it
        QCOMPARE(shown(), QStringLiteral("sweep 20261202_02"));
        filter.setStatus(RunStatus::Running); // none of its points
        QCOMPARE(shown(), QStringLiteral("20261203_01"));
        filter.setStatus(std::nullopt);

        // Counts move in place; a sweep gone takes its row, and its points are plain runs again.
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        sweep.finished = 2;
        sweep.queued = 0;
        model.setSweeps({sweep});
        QCOMPARE(removed.count(), 0);
        QCOMPARE(model.index(row, RegistryTableModel::Status).data().toString(), QStringLiteral("2 done · 1 failed"));
        model.setSweeps({});
        QCOMPARE(model.rowCount(), 5);
        QVERIFY(model.index(2, 0).data(RegistryTableModel::SweepRole).toString().isEmpty());
        QCOMPARE(filter.rowCount(), 5);
    }
};

QTEST_GUILESS_MAIN(TestRegistryTableModel)
#include "TestRegistryTableModel.moc"
