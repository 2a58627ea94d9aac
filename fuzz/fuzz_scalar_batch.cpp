// A scalar batch as a client uploads it: JSON points or the protobuf ScalarBatch (the first byte picks).
#include "registry/RegistryWire.h"
#include "registry/StoredText.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0)
        return 0;
    const QByteArray bytes =
        QByteArray::fromRawData(reinterpret_cast<const char*>(data) + 1, static_cast<qsizetype>(size - 1));
    QString error;
    std::optional<QVector<jikken::TaggedSeries>> batch;
    if (data[0] & 1) {
        batch = jikken::RegistryWire::seriesFromProtobuf(bytes, &error);
    } else {
        const QJsonObject body = QJsonDocument::fromJson(bytes).object();
        if (const auto points = jikken::RegistryWire::scalarsFromJson(body.value(QStringLiteral("points")), &error))
            batch = jikken::RegistryWire::groupByTag(*points);
    }
    if (!batch) {
        if (error.isEmpty())
            __builtin_trap(); // refused without saying why
        return 0;
    }
    // Whatever decodes is either storable or refused with a reason; columns always line up.
    jikken::StoredText::seriesError(*batch);
    for (const jikken::TaggedSeries& tagged : *batch) {
        if (tagged.series.wallTimes.size() != tagged.series.steps.size() ||
            tagged.series.values.size() != tagged.series.steps.size())
            __builtin_trap();
        tagged.series.ordered();
    }
    return 0;
}
