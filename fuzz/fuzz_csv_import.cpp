// A spreadsheet exported as CSV (UTF-8 or Shift_JIS), as `jikken import` and the desktop take it.
#include "ids/ModelId.h"
#include "registry/SpreadsheetImport.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray csv = QByteArray::fromRawData(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    const auto result = jikken::SpreadsheetImport::fromCsv(csv, {{QStringLiteral("学習率"), QStringLiteral("hparam")}});
    // Every run it takes has an ID the registry would take.
    for (const jikken::RunRecord& run : result.runs) {
        if (!jikken::ModelId::parse(run.id))
            __builtin_trap();
    }
    return 0;
}
