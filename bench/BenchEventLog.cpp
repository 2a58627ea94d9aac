// Event-log speed on one core: writing and reading a file of 1M scalars, beside a bare CRC32C pass
// over the same bytes and beside libprotobuf doing the same work (the baselines).
#include "events/Crc32c.h"
#include "events/EventFileWriter.h"
#include "events/EventRecordParser.h"
#include "events/RunScalars.h"
#include "jikken/tensorboard/event.pb.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>

#include <cstdio>
#include <cstring>
#include <string>
#include <tuple>
#include <vector>

using namespace jikken;

namespace {

constexpr int kScalars = 1000000;
constexpr int kRepeats = 5;
const char* const kTags[] = {"train/loss", "train/accuracy", "test/loss", "test/error", "lr"};

struct Counter : EventSink
{
    qint64 scalars = 0;
    double sum = 0;
    void onScalar(std::string_view, qint64, double, double value) override
    {
        ++scalars;
        sum += value;
    }
};

// Best of several runs, in seconds: the least disturbed measurement of a deterministic job.
template <typename F> double best(F&& job)
{
    double fastest = 1e30;
    for (int i = 0; i < kRepeats; ++i) {
        QElapsedTimer timer;
        timer.start();
        job();
        fastest = std::min(fastest, static_cast<double>(timer.nsecsElapsed()) / 1e9);
    }
    return fastest;
}

void row(const char* what, double seconds, double items, double bytes, double baselineSeconds)
{
    std::printf("| %-46s | %9.1f ms | %8.2f M/s | %8.0f MB/s | %6.2fx |\n", what, seconds * 1e3, items / seconds / 1e6,
                bytes / seconds / 1e6, baselineSeconds / seconds);
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QTemporaryDir dir;

    // Writing: the buffered writer, against building and serializing Event protos with libprotobuf.
    QString path;
    const double writeSeconds = best([&] {
        QDir(dir.path()).removeRecursively();
        EventFileWriter writer;
        writer.open(dir.path(), nullptr);
        for (int i = 0; i < kScalars; ++i)
            writer.addScalar(kTags[i % 5], i / 5, static_cast<float>(i) * 0.001f, 1.7e9 + i * 0.01);
        writer.close();
        path = writer.filePath();
    });
    QFile file(path);
    file.open(QIODevice::ReadOnly);
    const QByteArray bytes = file.readAll();
    const double size = static_cast<double>(bytes.size());

    std::string sink;
    const double protobufWriteSeconds = best([&] {
        sink.clear();
        for (int i = 0; i < kScalars; ++i) {
            tensorboard::Event event;
            event.set_wall_time(1.7e9 + i * 0.01);
            event.set_step(i / 5);
            auto* value = event.mutable_summary()->add_value();
            value->set_tag(kTags[i % 5]);
            value->set_simple_value(static_cast<float>(i) * 0.001f);
            const std::string payload = event.SerializeAsString();
            const uint64_t length = payload.size();
            sink.append(reinterpret_cast<const char*>(&length), 8);
            const uint32_t headerCrc = maskedCrc32c(&length, 8);
            sink.append(reinterpret_cast<const char*>(&headerCrc), 4);
            sink.append(payload);
            const uint32_t payloadCrc = maskedCrc32c(payload.data(), payload.size());
            sink.append(reinterpret_cast<const char*>(&payloadCrc), 4);
        }
    });

    // Reading.
    uint32_t crc = 0;
    const double crcSeconds = best([&] { crc = crc32c(bytes.constData(), static_cast<size_t>(bytes.size())); });
    Counter counter;
    const double parseSeconds = best([&] {
        counter = Counter();
        EventRecordParser parser;
        parser.parse(bytes.constData(), static_cast<size_t>(bytes.size()), counter);
    });
    // Reads a file's bytes into series: how many points, under how many tags.
    const auto collect = [](const QByteArray& data) {
        RunScalars run;
        EventRecordParser parser;
        parser.parse(data.constData(), static_cast<size_t>(data.size()), run);
        return std::pair(run.pointCount(), static_cast<int>(run.tags().size()));
    };
    qint64 collected = 0;
    const double collectSeconds = best([&] { collected = collect(bytes).first; });
    // The same million scalars under 200,000 distinct tags (a sweep logging a tag per setting), written
    // in rounds so that every tag comes back: the reader must stay linear in tags.
    constexpr int kManyTags = 200000;
    QTemporaryDir manyDir;
    QString manyPath;
    {
        EventFileWriter writer;
        writer.open(manyDir.path(), nullptr);
        std::vector<std::string> names;
        for (int t = 0; t < kManyTags; ++t)
            names.push_back("sweep/setting_" + std::to_string(t) + "/loss");
        for (int i = 0; i < kScalars; ++i)
            writer.addScalar(names[static_cast<size_t>(i % kManyTags)], i / kManyTags, 0.5f, 1.7e9 + i * 0.01);
        writer.close();
        manyPath = writer.filePath();
    }
    QFile manyFile(manyPath);
    manyFile.open(QIODevice::ReadOnly);
    const QByteArray manyBytes = manyFile.readAll();
    qint64 manyCollected = 0;
    int manyTagsSeen = 0;
    const double manyTagsSeconds = best([&] { std::tie(manyCollected, manyTagsSeen) = collect(manyBytes); });
    if (manyCollected != kScalars || manyTagsSeen != kManyTags) {
        std::fprintf(stderr, "bench: read %lld scalars under %d tags, expected %d under %d\n",
                     static_cast<long long>(manyCollected), manyTagsSeen, kScalars, kManyTags);
        return 1;
    }
    qint64 protobufScalars = 0;
    const double protobufReadSeconds = best([&] {
        protobufScalars = 0;
        tensorboard::Event event;
        for (qsizetype offset = 0; offset + 12 <= bytes.size();) {
            uint64_t length;
            std::memcpy(&length, bytes.constData() + offset, 8);
            uint32_t stored;
            std::memcpy(&stored, bytes.constData() + offset + 8, 4);
            if (maskedCrc32c(bytes.constData() + offset, 8) != stored)
                break;
            const char* payload = bytes.constData() + offset + 12;
            std::memcpy(&stored, payload + length, 4);
            if (maskedCrc32c(payload, length) != stored)
                break;
            event.ParseFromArray(payload, static_cast<int>(length));
            protobufScalars += event.summary().value_size();
            offset += 12 + static_cast<qsizetype>(length) + 4;
        }
    });
    if (counter.scalars != kScalars || collected != kScalars || protobufScalars != kScalars) {
        std::fprintf(stderr, "bench: read %lld / %lld / %lld scalars, expected %d\n",
                     static_cast<long long>(counter.scalars), static_cast<long long>(collected),
                     static_cast<long long>(protobufScalars), kScalars);
        return 1;
    }

    std::printf("Event log, %d scalars (5 tags), file %.1f MB, best of %d, one thread (crc %08x)\n\n", kScalars,
                size / 1e6, kRepeats, crc);
    std::printf("| %-46s | %12s | %12s | %13s | %7s |\n", "job", "time", "scalars", "bytes", "ratio");
    std::printf("|%s|%s|%s|%s|%s|\n", std::string(48, '-').c_str(), std::string(14, '-').c_str(),
                std::string(14, '-').c_str(), std::string(15, '-').c_str(), std::string(9, '-').c_str());
    std::printf("Writing (ratio: against libprotobuf)\n");
    row("libprotobuf Event + framing (baseline)", protobufWriteSeconds, kScalars, size, protobufWriteSeconds);
    row("EventFileWriter::addScalar, buffered, to disk", writeSeconds, kScalars, size, protobufWriteSeconds);
    std::printf("Reading (ratio: against the bare CRC32C pass)\n");
    row("bare CRC32C over the file (baseline)", crcSeconds, kScalars, size, crcSeconds);
    row("EventRecordParser, both CRCs, counting sink", parseSeconds, kScalars, size, crcSeconds);
    row("EventRecordParser into RunScalars (series)", collectSeconds, kScalars, size, crcSeconds);
    row("libprotobuf ParseFromArray per record", protobufReadSeconds, kScalars, size, crcSeconds);
    std::printf("Many tags (ratio: against the same count under 5 tags)\n");
    row("RunScalars, 200,000 distinct tags, 5 rounds", manyTagsSeconds, kScalars,
        static_cast<double>(manyBytes.size()), collectSeconds);
    std::printf("\nReader against libprotobuf: %.1fx faster. Targets: read >= 1 GB/s (>= 10M records/s); "
                "write >= 5M scalars/s.\n",
                protobufReadSeconds / collectSeconds);
    return 0;
}
