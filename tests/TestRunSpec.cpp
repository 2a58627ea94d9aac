#include "spec/ComputeChoices.h"
#include "spec/Device.h"
#include "spec/RunSpec.h"

#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

#include <set>

using jikken::RunSpec;

class TestRunSpec : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // A device is parsed in one place: what a spec, --device and a run's record name.
    void devicesAreParsedOnce()
    {
        using Kind = jikken::Device::Kind;
        for (const auto& [text, kind, index] : std::vector<std::tuple<QString, Kind, std::optional<int>>>{
                 {QStringLiteral("auto"), Kind::Auto, std::nullopt},
                 {QStringLiteral("cpu"), Kind::Cpu, std::nullopt},
                 {QStringLiteral("cuda"), Kind::Cuda, std::nullopt},
                 {QStringLiteral("cuda:0"), Kind::Cuda, 0},
                 {QStringLiteral("cuda:12"), Kind::Cuda, 12}}) {
            const auto device = jikken::Device::parse(text);
            QVERIFY2(device, qPrintable(text));
            QCOMPARE(device->kind, kind);
            QCOMPARE(device->index, index);
            QCOMPARE(device->toString(), text);
            QCOMPARE(device->isCuda(), kind == Kind::Cuda);
        }
        QCOMPARE(jikken::Device::parse(QStringLiteral("cuda"))->cudaIndex(), 0);
        for (const QString& wrong : {QString(), QStringLiteral("cuda:"), QStringLiteral("cuda:-1"),
                                     QStringLiteral("cuda:+1"), QStringLiteral("cuda: 1"), QStringLiteral("CUDA"),
                                     QStringLiteral("gpu"), QStringLiteral("cuda:1x"), QStringLiteral("mps")}) {
            QString error;
            QVERIFY2(!jikken::Device::parse(wrong, &error), qPrintable(wrong));
            QVERIFY2(error.contains(QStringLiteral("auto, cpu, cuda, cuda:N")), qPrintable(error));
        }
    }

    // The GPUs a record holds count as taken: one run's, a dispatched data-parallel run's, every rank's.
    void recordedDevicesNameTheirGpus()
    {
        using jikken::Device;
        QCOMPARE(Device::cudaIndicesIn(QStringLiteral("cuda:3")), QList<int>({3}));
        QCOMPARE(Device::cudaIndicesIn(QStringLiteral("cuda:2,5")), QList<int>({2, 5}));
        QCOMPARE(Device::cudaIndicesIn(QStringLiteral("4 ranks · gpu1: cuda:0 cuda:1 · gpu2: cuda:0 cuda:1")),
                 QList<int>({0, 1}));
        QCOMPARE(Device::cudaIndicesIn(QStringLiteral("2 ranks · vm: cpu cpu")), QList<int>());
        QCOMPARE(Device::cudaIndicesIn(QStringLiteral("cuda")), QList<int>()); // no GPU named
        QCOMPARE(Device::cudaIndicesIn(QStringLiteral("cpu")), QList<int>());
        // A process that sees N GPUs (CUDA_VISIBLE_DEVICES) trains a rank on each, as CUDA numbers them.
        QCOMPARE(Device::visibleGpus(4), QStringLiteral("0,1,2,3"));
        QCOMPARE(Device::visibleGpus(1), QStringLiteral("0"));
    }

    // The compute fields are read once into values: every spelling a spec may give is a value of its own, and a
    // choice added to the spec's table without its value fails here.
    void computeChoicesAreTyped()
    {
        using Choices = jikken::ComputeChoices;
        const Choices defaults = Choices::of(RunSpec());
        QCOMPARE(defaults.precision, Choices::Precision::Fp32);
        QCOMPARE(defaults.memoryFormat, Choices::MemoryFormat::Contiguous);
        QCOMPARE(defaults.cudaGraphs, Choices::CudaGraphs::Off);
        QCOMPARE(defaults.optimizerStep, Choices::OptimizerStep::Auto);
        QVERIFY(!defaults.cudnnBenchmark);

        const auto read = [](const QJsonObject& json) {
            QString error;
            const auto spec = RunSpec::fromJson(json, &error);
            if (!spec)
                qFatal("%s", qPrintable(error));
            return Choices::of(*spec);
        };
        const auto values = [&](const char* field, const QString& value) {
            const Choices choices = read(QJsonObject{{QLatin1String(field), value}});
            return std::vector<int>{static_cast<int>(choices.precision), static_cast<int>(choices.memoryFormat),
                                    static_cast<int>(choices.cudaGraphs), static_cast<int>(choices.optimizerStep),
                                    choices.cudnnBenchmark ? 1 : 0};
        };
        for (const RunSpec::Field& field : RunSpec::fields()) {
            const QString name = QString::fromLatin1(field.name);
            const QStringList compute = {QStringLiteral("precision"), QStringLiteral("memory_format"),
                                         QStringLiteral("cuda_graphs"), QStringLiteral("optimizer_step"),
                                         QStringLiteral("cudnn_benchmark")};
            if (!compute.contains(name))
                continue;
            QVERIFY2(field.choices.size() >= 2, field.name);
            std::set<std::vector<int>> seen;
            for (const QString& choice : field.choices)
                seen.insert(values(field.name, choice));
            QVERIFY2(static_cast<qsizetype>(seen.size()) == field.choices.size(), field.name);
        }
        const Choices fast = read(QJsonObject{{QStringLiteral("precision"), QStringLiteral("bf16")},
                                              {QStringLiteral("memory_format"), QStringLiteral("channels-last")},
                                              {QStringLiteral("cuda_graphs"), QStringLiteral("on")},
                                              {QStringLiteral("optimizer_step"), QStringLiteral("per-parameter")},
                                              {QStringLiteral("cudnn_benchmark"), QStringLiteral("on")}});
        QCOMPARE(fast.precision, Choices::Precision::Bf16);
        QCOMPARE(fast.memoryFormat, Choices::MemoryFormat::ChannelsLast);
        QCOMPARE(fast.cudaGraphs, Choices::CudaGraphs::On);
        QCOMPARE(fast.optimizerStep, Choices::OptimizerStep::PerParameter);
        QVERIFY(fast.cudnnBenchmark);
    }

    void defaultsAreComplete()
    {
        const QJsonObject json = RunSpec().toJson();
        QCOMPARE(json.size(), static_cast<qsizetype>(RunSpec::fields().size()));
        QCOMPARE(json.value(QStringLiteral("dataset")).toString(), QStringLiteral("fashion-mnist"));
        QCOMPARE(json.value(QStringLiteral("batch_size")).toInt(), 64);
        // A resolved spec reads back to the same spec.
        const auto again = RunSpec::fromJson(json, nullptr);
        QVERIFY(again);
        QCOMPARE(again->toJson(), json);
    }

    void readsFieldsAndFlags()
    {
        QString error;
        auto spec = RunSpec::fromJson({{QStringLiteral("model"), QStringLiteral("resnet18")},
                                       {QStringLiteral("lr"), 0.1},
                                       {QStringLiteral("epochs"), 3}},
                                      &error);
        QVERIFY2(spec, qPrintable(error));
        QCOMPARE(spec->model, QStringLiteral("resnet18"));
        QCOMPARE(spec->lr, 0.1);
        QVERIFY(spec->set(QStringLiteral("batch-size"), QStringLiteral("128"), &error));
        QVERIFY(spec->set(QStringLiteral("method"), QStringLiteral("focalloss"), &error));
        QCOMPARE(spec->batchSize, 128);
        QCOMPARE(spec->method, QStringLiteral("focalloss"));
        QVERIFY(spec->hyperparameters().contains(QStringLiteral("lr")));
        QVERIFY(!spec->hyperparameters().contains(QStringLiteral("log_root")));
    }

    void errorsNameTheField_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("field");
        QTest::newRow("unknown") << QStringLiteral(R"({"epoch": 3})") << QStringLiteral("\"epoch\"");
        QTest::newRow("type") << QStringLiteral(R"({"epochs": "ten"})") << QStringLiteral("\"epochs\"");
        QTest::newRow("fraction") << QStringLiteral(R"({"batch_size": 6.5})") << QStringLiteral("\"batch_size\"");
        QTest::newRow("range") << QStringLiteral(R"({"lr": -1})") << QStringLiteral("\"lr\"");
        QTest::newRow("choice") << QStringLiteral(R"({"model": "gpt"})") << QStringLiteral("\"model\"");
        QTest::newRow("device") << QStringLiteral(R"({"device": "tpu"})") << QStringLiteral("\"device\"");
        QTest::newRow("zero epochs") << QStringLiteral(R"({"epochs": 0})") << QStringLiteral("\"epochs\"");
    }

    void errorsNameTheField()
    {
        QFETCH(QString, json);
        QFETCH(QString, field);
        QString error;
        QVERIFY(!RunSpec::fromJson(QJsonDocument::fromJson(json.toUtf8()).object(), &error));
        QVERIFY2(error.contains(field), qPrintable(error));
    }

    void badFilesAreClearErrors()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("spec.json"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"epochs\": 3,");
        file.close();
        QString error;
        QVERIFY(!RunSpec::fromFile(path, &error));
        QVERIFY2(error.contains(QStringLiteral("not valid JSON")), qPrintable(error));
        QVERIFY(!RunSpec::fromFile(dir.filePath(QStringLiteral("missing.json")), &error));
        QVERIFY(error.contains(QStringLiteral("missing.json")));
        RunSpec spec;
        QVERIFY(!spec.set(QStringLiteral("epochs"), QStringLiteral("many"), &error));
        QVERIFY(error.contains(QStringLiteral("--epochs")));
    }
};

QTEST_GUILESS_MAIN(TestRunSpec)
#include "TestRunSpec.moc"
