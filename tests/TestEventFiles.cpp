#include "EventTestSupport.h"
#include "events/EventFileReader.h"
#include "events/EventFileWriter.h"
#include "events/EventLogReader.h"
#include "events/ScalarExport.h"
#include "jikken/tensorboard/hparams.pb.h"

#include <QBuffer>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using namespace jikken;
using namespace jikken::testing;

namespace {

/// Every record's payload of an event file, parsed with libprotobuf: the independent reader.
std::vector<tensorboard::Event> parseWithProtobuf(const QString& path)
{
    QFile file(path);
    file.open(QIODevice::ReadOnly);
    const QByteArray bytes = file.readAll();
    std::vector<tensorboard::Event> events;
    qsizetype offset = 0;
    while (offset + 12 <= bytes.size()) {
        uint64_t length;
        std::memcpy(&length, bytes.constData() + offset, 8);
        tensorboard::Event event;
        if (!event.ParseFromArray(bytes.constData() + offset + 12, static_cast<int>(length)))
            break;
        events.push_back(event);
        offset += 12 + static_cast<qsizetype>(length) + 4;
    }
    return events;
}

struct Collected : EventSink
{
    std::vector<std::tuple<std::string, qint64, double>> scalars;
    void onScalar(std::string_view tag, qint64 step, double, double value) override
    {
        scalars.emplace_back(std::string(tag), step, value);
    }
};

} // namespace

class TestEventFiles : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void writesTensorBoardFileNamesAndVersion()
    {
        QTemporaryDir dir;
        EventFileWriter writer;
        QString error;
        QVERIFY2(writer.open(dir.filePath(QStringLiteral("run")), &error), qPrintable(error));
        const QString name = QFileInfo(writer.filePath()).fileName();
        QVERIFY2(QRegularExpression(QStringLiteral("^events\\.out\\.tfevents\\.\\d{10}\\.[^.].*\\.\\d+\\.\\d+$"))
                     .match(name)
                     .hasMatch(),
                 qPrintable(name));
        writer.close();
        const auto events = parseWithProtobuf(writer.filePath());
        QCOMPARE(events.size(), size_t(1));
        QCOMPARE(events[0].file_version(), std::string("brain.Event:2"));
    }

    void handEncodedScalarsAreProtobufsBytes()
    {
        QTemporaryDir dir;
        EventFileWriter writer;
        QVERIFY(writer.open(dir.path(), nullptr));
        const std::vector<std::tuple<std::string, qint64, float, double>> cases{
            {"loss", 7, 0.5f, 1234.5},
            {"a/b", 0, 0.0f, 99.25},
            {"neg", -3, -1.5f, 1.0},
            {std::string(300, 't'), 1LL << 40, 3.25f, 1.7e9}};
        for (const auto& [tag, step, value, wall] : cases)
            writer.addScalar(tag, step, value, wall);
        writer.close();
        const auto events = parseWithProtobuf(writer.filePath());
        QCOMPARE(events.size(), cases.size() + 1);
        for (size_t i = 0; i < cases.size(); ++i) {
            const auto& [tag, step, value, wall] = cases[i];
            tensorboard::Event expected;
            expected.set_wall_time(wall);
            expected.set_step(step);
            auto* v = expected.mutable_summary()->add_value();
            v->set_tag(tag);
            v->set_simple_value(value);
            QCOMPARE(events[i + 1].SerializeAsString(), expected.SerializeAsString());
        }
    }

    void writesTextAndHparamsThatTensorBoardReads()
    {
        QTemporaryDir dir;
        EventFileWriter writer;
        QVERIFY(writer.open(dir.path(), nullptr));
        writer.addText(QStringLiteral("run/memo"), QStringLiteral("lr半分"), 0);
        writer.addHparams({{QStringLiteral("lr"), 0.1},
                           {QStringLiteral("model"), QStringLiteral("lenet")},
                           {QStringLiteral("bn"), true}},
                          {QStringLiteral("test/error")}, 1000.0);
        writer.addHparamsEnd(EventFileWriter::SessionStatus::Success, 2000.0);
        writer.close();
        const auto events = parseWithProtobuf(writer.filePath());
        QCOMPARE(events.size(), size_t(5));
        const auto& text = events[1].summary().value(0);
        QCOMPARE(text.metadata().plugin_data().plugin_name(), std::string("text"));
        QCOMPARE(text.tensor().dtype(), tensorboard::DT_STRING);
        QCOMPARE(QString::fromStdString(text.tensor().string_val(0)), QStringLiteral("lr半分"));

        const auto& experiment = events[2].summary().value(0);
        QCOMPARE(experiment.tag(), std::string("_hparams_/experiment"));
        QCOMPARE(experiment.metadata().plugin_data().plugin_name(), std::string("hparams"));
        tensorboard::hparams::HParamsPluginData data;
        QVERIFY(data.ParseFromString(experiment.metadata().plugin_data().content()));
        QCOMPARE(data.version(), 0);
        QCOMPARE(data.experiment().hparam_infos_size(), 3);
        QCOMPARE(data.experiment().metric_infos(0).name().tag(), std::string("test/error"));

        const auto& start = events[3].summary().value(0);
        QCOMPARE(start.tag(), std::string("_hparams_/session_start_info"));
        QVERIFY(data.ParseFromString(start.metadata().plugin_data().content()));
        QCOMPARE(data.session_start_info().hparams().at("lr").number_value(), 0.1);
        QCOMPARE(data.session_start_info().hparams().at("model").string_value(), std::string("lenet"));
        QVERIFY(data.session_start_info().hparams().at("bn").bool_value());

        QVERIFY(data.ParseFromString(events[4].summary().value(0).metadata().plugin_data().content()));
        QCOMPARE(data.session_end_info().status(), tensorboard::hparams::STATUS_SUCCESS);
    }

    void roundTripsScalars()
    {
        QTemporaryDir dir;
        EventFileWriter writer;
        QVERIFY(writer.open(dir.path(), nullptr));
        for (int step = 1; step <= 100; ++step) {
            writer.addScalar("train/loss", step, 1.0f / static_cast<float>(step), 1000.0 + step);
            if (step % 10 == 0)
                writer.addScalar("test/error", step, 0.5f - static_cast<float>(step) / 1000.0f, 1000.0 + step);
        }
        writer.close();
        EventLogReader log(dir.path());
        QStringList warnings;
        QVERIFY(log.poll(&warnings, nullptr));
        QVERIFY(warnings.isEmpty());
        QCOMPARE(log.runs().size(), size_t(1));
        const RunScalars& run = log.runs().begin()->second.scalars;
        QCOMPARE(run.tags(), (QStringList{QStringLiteral("train/loss"), QStringLiteral("test/error")}));
        QCOMPARE(run.series(0).size(), 100);
        QCOMPARE(run.series(0).at(49).step, 50);
        QCOMPARE(run.series(0).at(49).value, static_cast<double>(1.0f / 50.0f));
        QCOMPARE(run.series(0).at(49).wallTime, 1050.0);
        QCOMPARE(run.series(1).size(), 10);
    }

    void readsTensorEncodedScalars()
    {
        // TF2 and PyTorch's new-style writers: a float or double tensor, plugin "scalars" named only on
        // the tag's first record.
        std::string bytes = fileVersionRecord();
        auto tensorRecord = [](const std::string& tag, int64_t step, const char* plugin, auto fill) {
            tensorboard::Event event;
            event.set_wall_time(10.0 + step);
            event.set_step(step);
            auto* v = event.mutable_summary()->add_value();
            v->set_tag(tag);
            if (plugin)
                v->mutable_metadata()->mutable_plugin_data()->set_plugin_name(plugin);
            fill(*v->mutable_tensor());
            return frame(event.SerializeAsString());
        };
        bytes += tensorRecord("acc", 1, "scalars", [](tensorboard::TensorProto& t) {
            t.set_dtype(tensorboard::DT_FLOAT);
            const float value = 0.25f;
            t.set_tensor_content(std::string(reinterpret_cast<const char*>(&value), 4));
        });
        bytes += tensorRecord("acc", 2, nullptr, [](tensorboard::TensorProto& t) {
            t.set_dtype(tensorboard::DT_FLOAT);
            t.add_float_val(0.5f);
        });
        bytes += tensorRecord("acc", 3, nullptr, [](tensorboard::TensorProto& t) {
            t.set_dtype(tensorboard::DT_DOUBLE);
            const double value = 0.123456789012345;
            t.set_tensor_content(std::string(reinterpret_cast<const char*>(&value), 8));
        });
        bytes += tensorRecord("acc", 4, nullptr, [](tensorboard::TensorProto& t) {
            t.set_dtype(tensorboard::DT_DOUBLE);
            t.add_double_val(0.75);
        });
        bytes += tensorRecord("picture", 1, "images", [](tensorboard::TensorProto& t) {
            t.set_dtype(tensorboard::DT_FLOAT);
            t.add_float_val(9.0f);
        });
        bytes += tensorRecord("notes", 1, "text", [](tensorboard::TensorProto& t) {
            t.set_dtype(tensorboard::DT_STRING);
            t.add_string_val("hello");
        });
        Collected sink;
        EventRecordParser parser;
        const auto result = parser.parse(bytes.data(), bytes.size(), sink);
        QCOMPARE(result.stop, EventRecordParser::Stop::End);
        QCOMPARE(result.records, size_t(7));
        QCOMPARE(sink.scalars.size(), size_t(4));
        QCOMPARE(std::get<2>(sink.scalars[0]), 0.25);
        QCOMPARE(std::get<2>(sink.scalars[1]), 0.5);
        QCOMPARE(std::get<2>(sink.scalars[2]), 0.123456789012345);
        QCOMPARE(std::get<2>(sink.scalars[3]), 0.75);
        for (const auto& s : sink.scalars)
            QCOMPARE(std::get<0>(s), std::string("acc"));
    }

    void stopsCleanlyAtATruncatedRecordAndContinues()
    {
        std::string bytes = fileVersionRecord();
        for (int step = 1; step <= 5; ++step)
            bytes += simpleScalarRecord("loss", step, static_cast<float>(step));
        const std::string last = simpleScalarRecord("loss", 6, 6.0f);
        QTemporaryDir dir;
        for (size_t cut = 0; cut < last.size(); ++cut) {
            const QString path = dir.filePath(QStringLiteral("events.out.tfevents.%1").arg(cut));
            QVERIFY(writeFile(path, bytes + last.substr(0, cut)));
            EventFileReader reader(path);
            RunScalars run;
            QVERIFY(reader.poll(run, nullptr));
            QVERIFY(!reader.isCorrupt());
            QCOMPARE(run.pointCount(), 5);
            QCOMPARE(reader.offset(), static_cast<qint64>(bytes.size()));
            // The writer finishes the record: the next poll reads only the new bytes.
            QVERIFY(writeFile(path, last.substr(cut), true));
            QVERIFY(reader.poll(run, nullptr));
            QCOMPARE(run.pointCount(), 6);
            QCOMPARE(run.series(0).last().value, 6.0);
        }
    }

    void reportsCorruptionWithFileAndOffset()
    {
        std::string bytes = fileVersionRecord();
        bytes += simpleScalarRecord("loss", 1, 1.0f);
        const size_t corruptAt = bytes.size();
        std::string bad = simpleScalarRecord("loss", 2, 2.0f);
        bad[bad.size() - 6] ^= 0x40; // a flipped bit in the payload
        bytes += bad + simpleScalarRecord("loss", 3, 3.0f);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("events.out.tfevents.1"));
        QVERIFY(writeFile(path, bytes));
        EventLogReader log(dir.path());
        QStringList warnings;
        QVERIFY(log.poll(&warnings, nullptr));
        QCOMPARE(warnings.size(), 1);
        QVERIFY2(warnings[0].contains(path), qPrintable(warnings[0]));
        QVERIFY2(warnings[0].contains(QStringLiteral("byte %1").arg(corruptAt)), qPrintable(warnings[0]));
        QCOMPARE(log.runs().begin()->second.scalars.pointCount(), 1);
        warnings.clear();
        QVERIFY(log.poll(&warnings, nullptr)); // reported once
        QVERIFY(warnings.isEmpty());

        std::string badLength = fileVersionRecord() + simpleScalarRecord("loss", 1, 1.0f);
        badLength[fileVersionRecord().size() + 2] ^= 0x01; // the length, whose CRC no longer matches
        Collected sink;
        EventRecordParser parser;
        const auto result = parser.parse(badLength.data(), badLength.size(), sink);
        QCOMPARE(result.stop, EventRecordParser::Stop::Corrupt);
        QCOMPARE(result.corruptOffset, fileVersionRecord().size());
        QVERIFY(result.problem.contains(QStringLiteral("length")));
    }

    void neverCrashesOnAnyBytes()
    {
        QRandomGenerator random(7);
        std::string valid = fileVersionRecord();
        for (int step = 1; step <= 20; ++step)
            valid += simpleScalarRecord("tag", step, 1.0f);
        size_t totalRecords = 0;
        for (int round = 0; round < 3000; ++round) {
            std::string bytes;
            if (round % 2 == 0) {
                bytes.resize(static_cast<size_t>(random.bounded(0, 400)));
                for (char& c : bytes)
                    c = static_cast<char>(random.bounded(256));
            } else {
                bytes = valid;
                for (int flips = random.bounded(1, 8); flips > 0; --flips)
                    bytes[static_cast<size_t>(random.bounded(static_cast<int>(bytes.size())))] =
                        static_cast<char>(random.bounded(256));
                bytes.resize(static_cast<size_t>(random.bounded(static_cast<int>(bytes.size()) + 1)));
            }
            Collected sink;
            EventRecordParser parser;
            const auto result = parser.parse(bytes.data(), bytes.size(), sink);
            QVERIFY(result.consumed <= bytes.size());
            totalRecords += result.records;
        }
        QVERIFY(totalRecords > 0); // the mutated files still yield their intact prefixes
        // A record whose checksums are right but whose payload is not an Event is counted, not fatal.
        const std::string junk = frame(std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 11));
        Collected sink;
        EventRecordParser parser;
        const auto result = parser.parse(junk.data(), junk.size(), sink);
        QCOMPARE(result.stop, EventRecordParser::Stop::End);
        QCOMPARE(result.undecodable, size_t(1));
    }

    void sessionStartDropsReplayedSteps()
    {
        QTemporaryDir dir;
        std::string first = fileVersionRecord();
        for (int step = 1; step <= 10; ++step)
            first += simpleScalarRecord("loss", step, static_cast<float>(step));
        std::string second = fileVersionRecord() + sessionStartRecord(6);
        for (int step = 6; step <= 12; ++step)
            second += simpleScalarRecord("loss", step, static_cast<float>(100 + step));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("events.out.tfevents.1000000000.h.1.0")), first));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("events.out.tfevents.1000000100.h.2.0")), second));
        EventLogReader log(dir.path());
        QVERIFY(log.poll(nullptr, nullptr));
        const auto& series = log.runs().begin()->second.scalars.series(0);
        QCOMPARE(series.size(), 12);
        for (int i = 0; i < series.size(); ++i)
            QCOMPARE(series.steps[i], static_cast<qint64>(i + 1));
        QCOMPARE(series.values[5], 106.0); // the resumed run's value, not the orphan
    }

    // A sweep logs one tag per setting: thousands of distinct tags, each met again later, each kept whole.
    void manyDistinctTagsKeepTheirOwnPoints()
    {
        constexpr int kTags = 5000;
        std::string bytes = fileVersionRecord("brain.Event:2");
        for (int step = 1; step <= 2; ++step) {
            for (int t = 0; t < kTags; ++t)
                bytes += simpleScalarRecord("sweep/" + std::to_string(t), step, static_cast<float>(t * 10 + step));
        }
        RunScalars run;
        EventRecordParser parser;
        parser.parse(bytes.data(), bytes.size(), run);
        QCOMPARE(run.tags().size(), kTags);
        for (int t = 0; t < kTags; t += 97) {
            const int index = static_cast<int>(run.tags().indexOf(QStringLiteral("sweep/%1").arg(t)));
            QVERIFY(index >= 0);
            QCOMPARE(run.series(index).size(), 2);
            QCOMPARE(run.series(index).values[1], double(t * 10 + 2));
        }
    }

    void oldFilesPurgeOnBackwardSteps()
    {
        std::string bytes = fileVersionRecord("brain.Event:1");
        for (int step = 1; step <= 10; ++step)
            bytes += simpleScalarRecord("loss", step, 1.0f);
        bytes += simpleScalarRecord("loss", 4, 2.0f);
        RunScalars run;
        EventRecordParser parser;
        parser.parse(bytes.data(), bytes.size(), run);
        QCOMPARE(run.series(0).size(), 4);
        QCOMPARE(run.series(0).last().value, 2.0);
    }

    void readsALogdirOfRunsAndFollowsNewFiles()
    {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("20190702_01_softmax")));
        QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("20190702_02_softmax")));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("20190702_01_softmax/events.out.tfevents.1000000000.h.1.0")),
                          fileVersionRecord() + simpleScalarRecord("loss", 1, 1.0f)));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("20190702_02_softmax/events.out.tfevents.1000000000.h.1.0")),
                          fileVersionRecord() + simpleScalarRecord("loss", 1, 2.0f)));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("20190702_02_softmax/notes.txt")), "not an event file"));
        EventLogReader log(dir.path());
        QVERIFY(log.poll(nullptr, nullptr));
        QCOMPARE(log.runs().size(), size_t(2));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("20190702_01_softmax/events.out.tfevents.1000000500.h.9.0")),
                          fileVersionRecord() + simpleScalarRecord("loss", 2, 3.0f)));
        QVERIFY(log.poll(nullptr, nullptr));
        QCOMPARE(log.runs().at(QStringLiteral("20190702_01_softmax")).scalars.pointCount(), 2);

        QBuffer csv;
        csv.open(QIODevice::WriteOnly);
        QVERIFY(ScalarExport::write(log, ScalarExport::Format::Csv, csv));
        const QStringList lines = QString::fromUtf8(csv.data()).split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines[0], QStringLiteral("run,tag,step,wall_time,value"));
        QCOMPARE(lines.size(), 4);
        QCOMPARE(lines[1], QStringLiteral("20190702_01_softmax,loss,1,100,1"));

        QBuffer json;
        json.open(QIODevice::WriteOnly);
        QVERIFY(ScalarExport::write(log, ScalarExport::Format::Json, json));
        QJsonParseError error;
        const QJsonArray array = QJsonDocument::fromJson(json.data(), &error).array();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(array.size(), 3);
        QCOMPARE(array[2].toObject().value(QStringLiteral("value")).toDouble(), 2.0);
    }

    void exportsOneRunWithoutARunColumnAndNonFiniteValues()
    {
        QTemporaryDir dir;
        QVERIFY(writeFile(dir.filePath(QStringLiteral("events.out.tfevents.1")),
                          fileVersionRecord() + simpleScalarRecord("a,b", 1, std::nanf(""), 1.5) +
                              simpleScalarRecord("a,b", 2, -INFINITY, 2.5)));
        EventLogReader log(dir.path());
        QVERIFY(log.poll(nullptr, nullptr));
        QBuffer csv;
        csv.open(QIODevice::WriteOnly);
        QVERIFY(ScalarExport::write(log, ScalarExport::Format::Csv, csv));
        QCOMPARE(QString::fromUtf8(csv.data()),
                 QStringLiteral("tag,step,wall_time,value\n\"a,b\",1,1.5,NaN\n\"a,b\",2,2.5,-Infinity\n"));
        QBuffer json;
        json.open(QIODevice::WriteOnly);
        QVERIFY(ScalarExport::write(log, ScalarExport::Format::Json, json));
        const QJsonArray array = QJsonDocument::fromJson(json.data()).array();
        QCOMPARE(array.size(), 2);
        QCOMPARE(array[0].toObject().value(QStringLiteral("value")).toString(), QStringLiteral("NaN"));
        QVERIFY(!array[0].toObject().contains(QStringLiteral("run")));
    }
};

QTEST_GUILESS_MAIN(TestEventFiles)
#include "TestEventFiles.moc"
