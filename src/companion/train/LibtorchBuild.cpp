#include "LibtorchBuild.h"

#include "RankPlace.h"

#include <ATen/Version.h>
#include <torch/version.h>

#include <QHash>
#include <QStringList>

namespace jikken {

LibtorchBuild LibtorchBuild::fromConfig(const QString& config)
{
    QHash<QString, QString> settings;
    const qsizetype start = config.indexOf(QLatin1String("Build settings:"));
    if (start >= 0) {
        const QString line = config.mid(start + 15).section(u'\n', 0, 0);
        // Values hold no ", " (CXX_FLAGS is one long value of spaces): the settings split there.
        for (const QString& setting : line.split(QStringLiteral(", "), Qt::SkipEmptyParts)) {
            const qsizetype equals = setting.indexOf(u'=');
            if (equals > 0)
                settings.insert(setting.left(equals).trimmed(), setting.mid(equals + 1).trimmed());
        }
    }
    const auto on = [&settings](const char* key) {
        const QString value = settings.value(QLatin1String(key)).toUpper();
        return value == QLatin1String("ON") || value == QLatin1String("1") || value == QLatin1String("TRUE");
    };
    LibtorchBuild build;
    build.libtorch = settings.value(QStringLiteral("TORCH_VERSION"));
    if (on("USE_CUDA"))
        build.cuda = settings.value(QStringLiteral("CUDA_VERSION"), QStringLiteral("unknown"));
    if (on("USE_CUDNN") || !settings.value(QStringLiteral("CUDNN_VERSION")).isEmpty())
        build.cudnn = settings.value(QStringLiteral("CUDNN_VERSION"));
    build.nccl = on("USE_NCCL");
    build.fusedAdam = !build.cuda.isEmpty();
    return build;
}

LibtorchBuild LibtorchBuild::current()
{
    LibtorchBuild build = fromConfig(QString::fromStdString(at::show_config()));
    build.libtorch = QStringLiteral(TORCH_VERSION); // the headers built against, whatever the settings say
#ifdef JIKKEN_CUDA_GRAPHS
    build.cudaGraphs = true;
#endif
    build.rankGroups = rankProcessGroups();
    return build;
}

QString LibtorchBuild::describe() const
{
    QStringList versions{QStringLiteral("libtorch ") + libtorch};
    versions << (cuda.isEmpty() ? QStringLiteral("CPU only") : QStringLiteral("CUDA ") + cuda);
    if (!cudnn.isEmpty())
        versions << QStringLiteral("cuDNN ") + cudnn;
    const auto yes = [](bool on) { return on ? QStringLiteral("yes") : QStringLiteral("no"); };
    return versions.join(QStringLiteral(", ")) +
           QStringLiteral("\nCUDA graphs: %1, fused Adam: %2, NCCL: %3")
               .arg(yes(cudaGraphs), yes(fusedAdam), yes(nccl)) +
           (rankGroups.isEmpty() ? QString() : QStringLiteral("\ndata-parallel ranks: ") + rankGroups);
}

} // namespace jikken
