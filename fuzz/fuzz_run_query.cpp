// The filter box's query language, typed or pasted: parsed, then matched against a run with every kind of
// field.
#include "registry/RunQuery.h"

#include <cmath>
#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static const jikken::RunRecord run = [] {
        jikken::RunRecord r;
        r.id = QStringLiteral("20190705_01_focalloss");
        r.method = QStringLiteral("focalloss");
        r.model = QStringLiteral("resnet18");
        r.dataset = QStringLiteral("fashion-mnist");
        r.memo = QStringLiteral("gamma 2, 要確認");
        r.labels = {QStringLiteral("ablation"), QStringLiteral("paper-fig3")};
        r.hparams = {{QStringLiteral("lr"), 0.1},
                     {QStringLiteral("batch_size"), 128},
                     {QStringLiteral("optimizer"), QStringLiteral("sgd")}};
        r.fields = {{QStringLiteral("GPU memory"), QStringLiteral("10GB")},
                    {QStringLiteral("学習率"), QStringLiteral("0.01")}};
        r.latestTestError = std::nan("");
        r.bestTestError = 0.21;
        return r;
    }();
    const QString text = QString::fromUtf8(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    QString error;
    const auto query = jikken::RunQuery::parse(text, &error);
    if (!query && error.isEmpty())
        __builtin_trap(); // refused without saying why
    if (query)
        query->matches(run);
    return 0;
}
