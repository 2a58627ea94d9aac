#include "EventTestSupport.h"
#include "JikkenProcess.h"
#include "cli/CommandLine.h"
#include "ids/ModelId.h"
#include "registry/AlertRules.h"
#include "registry/AlertRules.h"
#include "registry/RegistryStore.h"
#include "registry/RunExport.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace jikken;
using namespace jikken::testing;

namespace {

bool isOneLineError(const Result& r)
{
    return r.exitCode != 0 && !r.crashed && r.err.startsWith(QStringLiteral("jikken: ")) && r.err.count(u'\n') == 1;
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    JikkenProcess jikken() const { return JikkenProcess(m_dir.filePath(QStringLiteral("home")), m_dir.path()); }

private Q_SLOTS:
    // The verbs are a library (jikken_cli): run in-process, they do what the binary does, exit statuses
    // included.
    void verbsRunInProcess()
    {
        QTemporaryDir dir;
        QByteArray registry = dir.filePath(QStringLiteral("in-process.sqlite")).toUtf8();
        const auto jikkenInProcess = [&registry](std::vector<QByteArray> words) {
            words.insert(words.begin(), {QByteArray("jikken"), QByteArray("--registry"), registry});
            std::vector<char*> argv;
            for (QByteArray& word : words)
                argv.push_back(word.data());
            return runCommandLine(static_cast<int>(argv.size()), argv.data());
        };
        QCOMPARE(jikkenInProcess({"reserve", "--method", "focalloss"}), 0);
        RegistryStore store;
        QString error;
        QVERIFY(store.open(QString::fromUtf8(registry), &error));
        const QVector<RunRecord> runs = store.runs({}, &error).value();
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs.first().method, QStringLiteral("focalloss"));
        QCOMPARE(jikkenInProcess({"memo", runs.first().id.toUtf8(), "gamma=2"}), 0);
        QCOMPARE(store.run(runs.first().id, &error)->memo, QStringLiteral("gamma=2"));
        QCOMPARE(jikkenInProcess({"colour", runs.first().id.toUtf8(), "#E15759"}), 0);
        QCOMPARE(store.run(runs.first().id, &error)->colour, QStringLiteral("#e15759"));
        // Refusals end as the binary's do, on the same registry.
        const QString path = QString::fromUtf8(registry);
        for (const auto& words : std::vector<std::vector<QByteArray>>{{"memo", "20190101_01_nothere", "x"},
                                                                      {"reserve", "--method", "Focal Loss"},
                                                                      {"colour", runs.first().id.toUtf8(), "red"},
                                                                      {"frobnicate"},
                                                                      {"ls", "--date", "yesterday"}}) {
            QStringList arguments{QStringLiteral("--registry"), path};
            for (const QByteArray& word : words)
                arguments << QString::fromUtf8(word);
            const Result binary = jikken().run(arguments);
            QVERIFY2(binary.exitCode != 0, qPrintable(arguments.join(u' ')));
            QCOMPARE(jikkenInProcess(words), binary.exitCode);
        }
        QCOMPARE(jikkenInProcess({"ls", "--date", "today"}), 0);
        QCOMPARE(store.runs({}, &error).value().size(), 1); // nothing else was written
        QCOMPARE(store.run(runs.first().id, &error)->colour, QStringLiteral("#e15759"));
    }

    // A new run's folder that already holds an event file (another registry's run of the same ID, a copied
    // folder) is refused before the run starts: one line, the run still reserved, the file untouched.
    void aFolderWithAnotherRunsEventsIsRefused()
    {
        // A registry of its own: the other tests count the IDs of the shared one.
        const QStringList registry{QStringLiteral("--registry"), m_dir.filePath(QStringLiteral("clash.sqlite"))};
        const Result reserved = jikken().run(
            registry + QStringList{QStringLiteral("reserve"), QStringLiteral("--method"), QStringLiteral("clash")});
        const QString id = reserved.out.trimmed();
        QVERIFY2(jikken::ModelId::parse(id), qPrintable(reserved.err));
        QVERIFY(QDir(m_dir.path()).mkpath(QStringLiteral("logs/") + id));
        QFile other(m_dir.filePath(QStringLiteral("logs/%1/events.out.tfevents.1.elsewhere").arg(id)));
        QVERIFY(other.open(QIODevice::WriteOnly));
        other.write("not ours");
        other.close();
        const Result train = jikken().run(registry + QStringList{QStringLiteral("train"), QStringLiteral("--id"), id,
                                                                 QStringLiteral("--epochs"), QStringLiteral("1")});
        QVERIFY2(isOneLineError(train) && train.err.contains(QStringLiteral("another run's event file")),
                 qPrintable(train.err));
        QVERIFY(
            jikken().run(registry + QStringList{QStringLiteral("show"), id}).out.contains(QStringLiteral("reserved")));
        QCOMPARE(other.size(), 8);
        // An SGD-sized learning rate for Adam (the default) is warned of before anything starts; for SGD it is not.
        const QStringList again =
            registry + QStringList{QStringLiteral("train"),    QStringLiteral("--id"), id,
                                   QStringLiteral("--epochs"), QStringLiteral("1"),    QStringLiteral("--lr"),
                                   QStringLiteral("0.1")};
        const Result adam = jikken().run(again);
        QVERIFY2(adam.err.contains(QStringLiteral("warning: lr 0.1 is an SGD learning rate; adam")),
                 qPrintable(adam.err));
        const Result sgd = jikken().run(again + QStringList{QStringLiteral("--optimizer"), QStringLiteral("sgd")});
        QVERIFY2(isOneLineError(sgd) && !sgd.err.contains(QStringLiteral("warning")), qPrintable(sgd.err));
    }

    void reservePrintsIdsForScripts()
    {
        const Result first =
            jikken().run({QStringLiteral("reserve"), QStringLiteral("--method"), QStringLiteral("focalloss")});
        QCOMPARE(first.exitCode, 0);
        const auto id = jikken::ModelId::parse(first.out.trimmed());
        QVERIFY2(id, qPrintable(first.out));
        QCOMPARE(id->number(), 1);
        QCOMPARE(id->method(), QStringLiteral("focalloss"));
        const Result second =
            jikken().run({QStringLiteral("reserve"), QStringLiteral("--method"), QStringLiteral("softmax")});
        QCOMPARE(jikken::ModelId::parse(second.out.trimmed())->number(), 2);
    }

    // A new registry is the user's alone: folder 700, the database 600 (SQLite gives its -wal and -shm files
    // the database's mode), whatever the umask (the usual 022 here).
    void aNewRegistryIsPrivate()
    {
        const QString home = m_dir.filePath(QStringLiteral("private/home"));
        const Result reserved = JikkenProcess(home, m_dir.path())
                                    .run({QStringLiteral("reserve"), QStringLiteral("--method"), QStringLiteral("x")});
        QCOMPARE(reserved.exitCode, 0);
        const auto others = QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup |
                            QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;
        QCOMPARE(QFileInfo(home).permissions() & others, QFileDevice::Permissions());
        QVERIFY(QFileInfo(home).permissions() & QFileDevice::ExeOwner);
        QStringList files = QDir(home).entryList(QDir::Files);
        QVERIFY2(files.contains(QStringLiteral("registry.sqlite")), qPrintable(files.join(u' ')));
        for (const QString& file : files)
            QVERIFY2((QFileInfo(QDir(home).filePath(file)).permissions() & others) == QFileDevice::Permissions(),
                     qPrintable(file));
    }

    // A lab CA that is not where JIKKEN_CA_CERT says is an error before any request, not a silent fallback.
    void aMissingCaCertificateIsAnError()
    {
        JikkenProcess process = jikken();
        process.setEnvironment(QStringLiteral("JIKKEN_REGISTRY"), QStringLiteral("https://127.0.0.1:9"));
        process.setEnvironment(QStringLiteral("JIKKEN_TOKEN"), QStringLiteral("jk_x"));
        process.setEnvironment(QStringLiteral("JIKKEN_CA_CERT"), m_dir.filePath(QStringLiteral("no-such-ca.pem")));
        const Result r = process.run({QStringLiteral("ls")});
        QVERIFY2(isOneLineError(r), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("JIKKEN_CA_CERT")) && r.err.contains(QStringLiteral("no-such-ca.pem")),
                 qPrintable(r.err));
    }

    void badInputIsOneClearLine_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("bad method") << QStringList{QStringLiteral("reserve"), QStringLiteral("--method"),
                                                   QStringLiteral("Focal Loss")}
                                    << QStringLiteral("lowercase");
        QTest::newRow("missing method") << QStringList{QStringLiteral("reserve")} << QStringLiteral("--method");
        QTest::newRow("unknown verb") << QStringList{QStringLiteral("frobnicate")} << QStringLiteral("frobnicate");
        QTest::newRow("unknown flag") << QStringList{QStringLiteral("ls"), QStringLiteral("--colour")}
                                      << QStringLiteral("--colour");
        QTest::newRow("bad id") << QStringList{QStringLiteral("show"), QStringLiteral("2019_1_x")}
                                << QStringLiteral("2019_1_x");
        QTest::newRow("unknown id") << QStringList{QStringLiteral("show"), QStringLiteral("20190101_01_nope")}
                                    << QStringLiteral("20190101_01_nope");
        QTest::newRow("bad date") << QStringList{QStringLiteral("ls"), QStringLiteral("--date"), QStringLiteral("July")}
                                  << QStringLiteral("--date");
        QTest::newRow("bad status") << QStringList{QStringLiteral("ls"), QStringLiteral("--status"),
                                                   QStringLiteral("done")}
                                    << QStringLiteral("done");
        QTest::newRow("bad format") << QStringList{QStringLiteral("export"), QStringLiteral("--format"),
                                                   QStringLiteral("xml")}
                                    << QStringLiteral("xml");
        QTest::newRow("no logdir") << QStringList{QStringLiteral("events"), QStringLiteral("/nonexistent/logs")}
                                   << QStringLiteral("/nonexistent/logs");
        QTest::newRow("bad map") << QStringList{QStringLiteral("import"), QStringLiteral("--csv"),
                                                QStringLiteral("x.csv"), QStringLiteral("--map"),
                                                QStringLiteral("結果")}
                                 << QStringLiteral("COLUMN=FIELD");
        QTest::newRow("no id column") << QStringList{QStringLiteral("import"), QStringLiteral("--csv"),
                                                     qEnvironmentVariable("JIKKEN_TEST_SOURCE_DIR") +
                                                         QStringLiteral("/tests/data/japanese-registry.csv"),
                                                     QStringLiteral("--map"), QStringLiteral("モデルID=memo")}
                                      << QStringLiteral("no ID column");
        QTest::newRow("bad webhook") << QStringList{QStringLiteral("serve"), QStringLiteral("--webhook"),
                                                    QStringLiteral("ftp://example.org/hook")}
                                     << QStringLiteral("--webhook");
        QTest::newRow("alert without its number")
            << QStringList{QStringLiteral("alert"), QStringLiteral("add"), QStringLiteral("crossing"),
                           QStringLiteral("--metric"), QStringLiteral("test/error")}
            << QStringLiteral("below or above");
        QTest::newRow("alert field of another kind")
            << QStringList{QStringLiteral("alert"),     QStringLiteral("add"), QStringLiteral("stalled"),
                           QStringLiteral("--minutes"), QStringLiteral("5"),   QStringLiteral("--epochs"),
                           QStringLiteral("3")}
            << QStringLiteral("stalled has no epochs");
        QTest::newRow("alert kind") << QStringList{QStringLiteral("alert"), QStringLiteral("add"),
                                                   QStringLiteral("slow")}
                                    << QStringLiteral("slow");
        QTest::newRow("bad public url") << QStringList{QStringLiteral("serve"), QStringLiteral("--public-url"),
                                                       QStringLiteral("lab:8470")}
                                        << QStringLiteral("--public-url");
        QTest::newRow("bad zone") << QStringList{QStringLiteral("config"), QStringLiteral("--time-zone"),
                                                 QStringLiteral("Mars/Base")}
                                  << QStringLiteral("Mars/Base");
        // Nothing listens on port 1: the refusal, and no word from Qt SQL about the connection's handles.
        QTest::newRow("database away") << QStringList{QStringLiteral("ls"), QStringLiteral("--registry"),
                                                      QStringLiteral("postgresql://lab@127.0.0.1:1/jikken")}
                                       << QStringLiteral("cannot open the registry postgresql://lab@127.0.0.1:1");
    }

    void badInputIsOneClearLine()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, mentions);
        const Result r = jikken().run(arguments);
        QVERIFY2(isOneLineError(r), qPrintable(QStringLiteral("exit %1: %2").arg(r.exitCode).arg(r.err)));
        QVERIFY2(r.err.contains(mentions), qPrintable(r.err));
    }

    // `jikken alert add|ls|rm` keep the rules file that `jikken serve` reads: names that say the rule, one
    // name once, and a removal of what is not there refused.
    void alertRulesFromTheCommandLine()
    {
        const QString rules = m_dir.filePath(QStringLiteral("rules/alert-rules.json"));
        const auto alert = [&](QStringList words) {
            return jikken().run(QStringList{QStringLiteral("alert"), QStringLiteral("--rules"), rules} + words);
        };
        Result r = alert(
            {QStringLiteral("add"), QStringLiteral("stalled"), QStringLiteral("--minutes"), QStringLiteral("60")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.out, QStringLiteral("stalled-60m: no new step for 60 min while running\n"));
        r = alert({QStringLiteral("add"), QStringLiteral("not-improving"), QStringLiteral("--metric"),
                   QStringLiteral("test/error"), QStringLiteral("--epochs"), QStringLiteral("5")});
        QCOMPARE(r.out, QStringLiteral("test-error-flat-5: test/error not lower for 5 epochs\n"));
        r = alert({QStringLiteral("add"), QStringLiteral("gpu-idle"), QStringLiteral("--below"), QStringLiteral("10"),
                   QStringLiteral("--minutes"), QStringLiteral("30"), QStringLiteral("--name"),
                   QStringLiteral("idle")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = alert({QStringLiteral("add"), QStringLiteral("stalled"), QStringLiteral("--minutes"), QStringLiteral("5"),
                   QStringLiteral("--name"), QStringLiteral("idle")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral("named idle")), qPrintable(r.err));
        QString error;
        const auto read = AlertRules::read(rules, &error);
        QVERIFY2(read, qPrintable(error));
        QCOMPARE(read->size(), 3);
        QCOMPARE(read->at(2).threshold, 10.0);
        r = alert({QStringLiteral("rm"), QStringLiteral("stalled-60m")});
        QCOMPARE(r.exitCode, 0);
        r = alert({QStringLiteral("ls")});
        QCOMPARE(r.out.count(u'\n'), 2);
        QVERIFY(r.out.startsWith(QStringLiteral("test-error-flat-5 ")));
        r = alert({QStringLiteral("rm"), QStringLiteral("stalled-60m")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("no alert rule named stalled-60m")), qPrintable(r.err));
    }

    // The user's sheet, titled in Japanese: read by its header names; the summary counts rows.
    void importsTheJapaneseSheet()
    {
        const QString csv =
            qEnvironmentVariable("JIKKEN_TEST_SOURCE_DIR") + QStringLiteral("/tests/data/japanese-registry.csv");
        const JikkenProcess jikken(m_dir.filePath(QStringLiteral("sheet-home")), m_dir.path()); // a registry of its own
        const Result imported = jikken.run({QStringLiteral("import"), QStringLiteral("--csv"), csv});
        QCOMPARE(imported.exitCode, 1); // two rows were left out
        QVERIFY2(imported.out.contains(QStringLiteral("imported 4 runs")) &&
                     imported.out.contains(QStringLiteral("2 rows rejected")),
                 qPrintable(imported.out + imported.err));
        const QJsonObject run =
            QJsonDocument::fromJson(
                jikken.run({QStringLiteral("show"), QStringLiteral("--json"), QStringLiteral("20190702_02_softmax")})
                    .out.toUtf8())
                .object();
        QCOMPARE(run.value(QStringLiteral("status")).toString(), QStringLiteral("finished"));
        QCOMPARE(run.value(QStringLiteral("latest_test_error")).toDouble(), 0.0735);
        QCOMPARE(run.value(QStringLiteral("model")).toString(), QStringLiteral("resnet18"));
        const Result again =
            jikken.run({QStringLiteral("import"), QStringLiteral("--csv"), csv, QStringLiteral("--dry-run")});
        QVERIFY2(again.out.contains(QStringLiteral("would import 0 runs")) &&
                     again.out.contains(QStringLiteral("6 rows rejected")),
                 qPrintable(again.out));
    }

    void labelsFromTheCommandLine()
    {
        const Result reserved =
            jikken().run({QStringLiteral("reserve"), QStringLiteral("--method"), QStringLiteral("labelled")});
        const QString id = reserved.out.trimmed();
        Result r = jikken().run({QStringLiteral("tag"), id, QStringLiteral("ablation"), QStringLiteral("baseline")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out.trimmed(), QStringLiteral("ablation baseline"));
        r = jikken().run({QStringLiteral("tag"), id, QStringLiteral("paper"), QStringLiteral("--remove"),
                          QStringLiteral("ablation")});
        QCOMPARE(r.out.trimmed(), QStringLiteral("baseline paper"));
        const QJsonObject shown =
            QJsonDocument::fromJson(jikken().run({QStringLiteral("show"), QStringLiteral("--json"), id}).out.toUtf8())
                .object();
        QCOMPARE(shown.value(QStringLiteral("labels")).toArray().size(), 2);
        r = jikken().run({QStringLiteral("tag"), id, QStringLiteral("two words")});
        QVERIFY2(isOneLineError(r) && r.exitCode == 2, qPrintable(r.err));
        QCOMPARE(jikken().run({QStringLiteral("tag"), id}).out.trimmed(), QStringLiteral("baseline paper"));
    }

    void helpEverywhere()
    {
        for (const QString& verb :
             {QString(), QStringLiteral("reserve"), QStringLiteral("ls"), QStringLiteral("show"),
              QStringLiteral("memo"), QStringLiteral("export"), QStringLiteral("events"), QStringLiteral("train")}) {
            const Result r = jikken().run(verb.isEmpty() ? QStringList{QStringLiteral("--help")}
                                                         : QStringList{verb, QStringLiteral("--help")});
            QCOMPARE(r.exitCode, 0);
            QVERIFY2(r.out.contains(QStringLiteral("Usage")) || r.out.contains(QStringLiteral("usage")),
                     qPrintable(verb));
        }
        QVERIFY(jikken()
                    .run({QStringLiteral("train"), QStringLiteral("--help")})
                    .out.contains(QStringLiteral("--batch-size")));
    }

    void memoShowListAndExport()
    {
        const QString id =
            jikken()
                .run({QStringLiteral("reserve"), QStringLiteral("--method"), QStringLiteral("memo-test")})
                .out.trimmed();
        const QString memo = QStringLiteral("lr半分, \"quoted\"; $(not run)");
        QCOMPARE(jikken().run({QStringLiteral("memo"), id, memo}).exitCode, 0);
        const Result show = jikken().run({QStringLiteral("show"), id, QStringLiteral("--json")});
        QCOMPARE(show.exitCode, 0);
        const QJsonObject record = QJsonDocument::fromJson(show.out.toUtf8()).object();
        QCOMPARE(record.value(QStringLiteral("memo")).toString(), memo);
        QCOMPARE(record.value(QStringLiteral("status")).toString(), QStringLiteral("reserved"));

        const Result table =
            jikken().run({QStringLiteral("ls"), QStringLiteral("--method"), QStringLiteral("memo-test")});
        QCOMPARE(table.exitCode, 0);
        QVERIFY(table.out.contains(id));
        QCOMPARE(table.out.count(u'\n'), 2); // header and one row

        const Result json =
            jikken().run({QStringLiteral("export"), QStringLiteral("--format"), QStringLiteral("json")});
        const QJsonArray runs = QJsonDocument::fromJson(json.out.toUtf8()).array();
        QVERIFY(runs.size() >= 1);
        const Result csv = jikken().run({QStringLiteral("export"), QStringLiteral("--format"), QStringLiteral("csv")});
        QVERIFY(csv.out.startsWith(QStringLiteral("id,method,model,dataset,status")));
        QVERIFY(csv.out.contains(QStringLiteral("\"lr半分, \"\"quoted\"\"; $(not run)\"")));
        QCOMPARE(csv.out.count(u'\n'), runs.size() + 1);

        // A memo a spreadsheet would run as a formula is exported as text; numbers stay numbers.
        QCOMPARE(jikken().run({QStringLiteral("memo"), id, QStringLiteral("=HYPERLINK(\"http://x\")")}).exitCode, 0);
        const Result formula =
            jikken().run({QStringLiteral("export"), QStringLiteral("--format"), QStringLiteral("csv")});
        QVERIFY2(formula.out.contains(QStringLiteral("\"'=HYPERLINK(\"\"http://x\"\")\"")), qPrintable(formula.out));
        for (const char* text : {"+1+1", "-2+3", "@SUM(A1)", "=1"})
            QVERIFY(jikken::RunExport::csvField(QString::fromLatin1(text)).startsWith(u'\''));
        for (const char* text : {"-0.5", "+3", "1e-3", "plain"})
            QCOMPARE(jikken::RunExport::csvField(QString::fromLatin1(text)), QString::fromLatin1(text));
    }

    void eventsPrintsEveryScalar()
    {
        QTemporaryDir logs;
        QVERIFY(writeFile(logs.filePath(QStringLiteral("events.out.tfevents.1")),
                          fileVersionRecord() + simpleScalarRecord("loss", 1, 0.5f, 10.25) +
                              simpleScalarRecord("loss", 2, 0.25f, 11.5)));
        const Result csv =
            jikken().run({QStringLiteral("events"), logs.path(), QStringLiteral("--format"), QStringLiteral("csv")});
        QCOMPARE(csv.exitCode, 0);
        QCOMPARE(csv.out, QStringLiteral("tag,step,wall_time,value\nloss,1,10.25,0.5\nloss,2,11.5,0.25\n"));
        const Result oneFile =
            jikken().run({QStringLiteral("events"), logs.filePath(QStringLiteral("events.out.tfevents.1"))});
        QCOMPARE(oneFile.out, csv.out);
        const Result json =
            jikken().run({QStringLiteral("events"), logs.path(), QStringLiteral("--format"), QStringLiteral("json")});
        const QJsonArray array = QJsonDocument::fromJson(json.out.toUtf8()).array();
        QCOMPARE(array.size(), 2);
        QCOMPARE(array[1].toObject().value(QStringLiteral("wall_time")).toDouble(), 11.5);

        // A corrupt record: everything before it is printed, the problem is one line, the exit is non-zero.
        std::string bad = simpleScalarRecord("loss", 3, 1.0f);
        bad[bad.size() - 5] ^= 1;
        QVERIFY(writeFile(logs.filePath(QStringLiteral("events.out.tfevents.1")), bad, true));
        const Result corrupt = jikken().run({QStringLiteral("events"), logs.path()});
        QVERIFY(isOneLineError(corrupt));
        QVERIFY(corrupt.err.contains(QStringLiteral("corrupt record")));
        QCOMPARE(corrupt.out.count(u'\n'), 3);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "TestCli.moc"
