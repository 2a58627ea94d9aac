// The main window on the offscreen platform, over a real SQLite registry (and an unreachable service).
#include "registry/HttpRegistryClient.h"
#include "registry/RegistryStore.h"
#include "registry/RegistryTableModel.h"
#include "widgets/RegistryWindow.h"
#include "widgets/RunDetailsWidget.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace jikken;

class TestRegistryWindow : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_path;
    QStringList m_ids;

    static std::unique_ptr<RegistryClient> open(const QString& path)
    {
        auto store = std::make_unique<RegistryStore>();
        QString error;
        if (!store->open(path, &error))
            qFatal("%s", qPrintable(error));
        return store;
    }

    static int rowOf(const QTableView* table, const QString& id)
    {
        for (int row = 0; row < table->model()->rowCount(); ++row) {
            if (table->model()->index(row, 0).data(RegistryTableModel::IdRole).toString() == id)
                return row;
        }
        return -1;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_path = m_dir.filePath(QStringLiteral("registry.sqlite"));
        auto store = open(m_path);
        QString error;
        for (const char* method : {"softmax", "focalloss", "focalloss", "cbloss"})
            m_ids << store->reserve(QString::fromLatin1(method), &error)->toString();
        QVERIFY(store->setMemo(m_ids[1], QStringLiteral("gamma=2"), &error));
        QVERIFY(store->setStatus(m_ids[3], RunStatus::Running, {}, &error));
    }

    void filtersSelectsAndSavesTheMemo()
    {
        RegistryWindow window(open(m_path));
        window.show();
        QTableView* table = window.table();
        QCOMPARE(table->model()->rowCount(), 4);
        QCOMPARE(table->model()->index(0, 0).data().toString(), m_ids[3]); // newest first

        QTest::keyClicks(window.filterBox(), QStringLiteral("FOCAL"));
        QCOMPARE(table->model()->rowCount(), 2);
        window.filterBox()->clear();
        window.statusBox()->setCurrentIndex(window.statusBox()->findText(QStringLiteral("running")));
        QCOMPARE(table->model()->rowCount(), 1);
        window.statusBox()->setCurrentIndex(0);
        QCOMPARE(table->model()->rowCount(), 4);

        table->selectRow(rowOf(table, m_ids[1]));
        QCOMPARE(window.details()->shownId(), m_ids[1]);
        QCOMPARE(window.details()->memoEditor()->toPlainText(), QStringLiteral("gamma=2"));
        window.details()->memoEditor()->setPlainText(QStringLiteral("gamma=2, alpha=none"));
        window.details()->memoEditor()->document()->setModified(true);
        QTest::mouseClick(window.details()->saveButton(), Qt::LeftButton);
        QString error;
        QCOMPARE(open(m_path)->run(m_ids[1], &error)->memo, QStringLiteral("gamma=2, alpha=none"));
        QCOMPARE(table->model()->index(rowOf(table, m_ids[1]), RegistryTableModel::Memo).data().toString(),
                 QStringLiteral("gamma=2, alpha=none"));
    }

    void liveUpdatesKeepTheSelectionAndTheTypedMemo()
    {
        RegistryWindow window(open(m_path));
        QTableView* table = window.table();
        table->selectRow(rowOf(table, m_ids[3]));
        window.details()->memoEditor()->setPlainText(QStringLiteral("half-typed"));
        window.details()->memoEditor()->document()->setModified(true);
        auto writer = open(m_path);
        QString error;
        QVERIFY(writer->reportProgress(m_ids[3], 5, 500, 0.3, &error));
        const QString fresh = writer->reserve(QStringLiteral("late"), &error)->toString();
        window.refresh();
        QCOMPARE(table->model()->rowCount(), 5);
        QVERIFY(rowOf(table, fresh) >= 0);
        const QModelIndex current = table->selectionModel()->currentIndex();
        QCOMPARE(current.data(RegistryTableModel::IdRole).toString(), m_ids[3]); // still selected
        QCOMPARE(table->model()->index(current.row(), RegistryTableModel::TestError).data().toString(),
                 QStringLiteral("0.3000"));
        QCOMPARE(window.details()->memoEditor()->toPlainText(), QStringLiteral("half-typed")); // not lost
    }

    void anUnreachableServiceShowsABanner()
    {
        RegistryWindow window(std::make_unique<HttpRegistryClient>(QUrl(QStringLiteral("http://127.0.0.1:9")),
                                                                   QStringLiteral("jk_x"), 2000));
        window.show();
        QVERIFY(window.banner()->isVisibleTo(&window));
        QVERIFY2(window.banner()->text().contains(QStringLiteral("does not answer")),
                 qPrintable(window.banner()->text()));
        QCOMPARE(window.table()->model()->rowCount(), 0);
    }
};

QTEST_MAIN(TestRegistryWindow)
#include "TestRegistryWindow.moc"
