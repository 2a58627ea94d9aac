// A run spec (spec.json), as a user writes it or a copied folder holds it.
#include "spec/RunSpec.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QJsonDocument document = QJsonDocument::fromJson(
        QByteArray::fromRawData(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size)));
    if (!document.isObject())
        return 0;
    QString error;
    const auto spec = jikken::RunSpec::fromJson(document.object(), &error);
    // A spec either parses or says why; one that parses reads back as itself.
    if (!spec && error.isEmpty())
        __builtin_trap();
    if (spec) {
        QString again;
        if (!jikken::RunSpec::fromJson(spec->toJson(), &again))
            __builtin_trap();
    }
    return 0;
}
