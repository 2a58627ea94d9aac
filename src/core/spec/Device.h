#pragma once

#include <QList>
#include <QString>

#include <optional>

namespace jikken {

/// Where a run trains, as `--device`, a run spec and a run's record say it: `auto`, `cpu`, `cuda` (the
/// current CUDA device) or `cuda:N`. Parsed here once; everything else asks the value.
struct Device
{
    enum class Kind { Auto, Cpu, Cuda };
    Kind kind = Kind::Auto;
    std::optional<int> index; ///< N of `cuda:N`; none for `cuda`, `cpu` and `auto`

    /// The device `text` names; nothing, with `error` naming the allowed forms, for anything else (`cuda:`,
    /// `cuda:-1`, `CUDA`, `gpu`).
    static std::optional<Device> parse(const QString& text, QString* error = nullptr);
    bool isCuda() const { return kind == Kind::Cuda; }
    /// The CUDA device's index (0 for `cuda`).
    int cudaIndex() const { return index.value_or(0); }
    QString toString() const;

    /// The CUDA devices a run's record holds: its one `cuda:N`, or each `cuda:N` word of a data-parallel
    /// run's devices (`4 ranks · gpu1: cuda:0 cuda:1 · gpu2: cuda:0 cuda:1`, or `cuda:2,3` as dispatched).
    static QList<int> cudaIndicesIn(const QString& recorded);
    /// "0,1,…,count-1": `jikken train --gpus` for a process that sees `count` GPUs (CUDA_VISIBLE_DEVICES
    /// numbers them from 0), a rank on each.
    static QString visibleGpus(int count);
};

} // namespace jikken
