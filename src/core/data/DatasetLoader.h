#pragma once

#include "ImageDataset.h"

#include <QString>

#include <optional>

namespace jikken {

/// Finds and reads the datasets Jikken trains on: MNIST and Fashion-MNIST (IDX files, gzipped or not)
/// and CIFAR-10 (the binary version, `cifar-10-batches-bin`).
class DatasetLoader
{
public:
    enum class Split { Train, Test };

    /// `~/datasets`, where the user keeps every dataset.
    static QString defaultDataRoot();
    /// The names of the dataset's classes by label (Fashion-MNIST's "T-shirt/top", "Trouser", …); the
    /// labels' digits for MNIST; empty for a dataset it does not know.
    static QStringList classNames(const QString& dataset);
    /// The folders searched for `dataset` under `dataRoot`, in order; Fashion-MNIST also where Debian's
    /// package `dataset-fashion-mnist` puts it.
    static QStringList candidateFolders(const QString& dataset, const QString& dataRoot);

    /// The files of `dataset`'s split (CIFAR-10's batches, or IDX images and labels), from the first
    /// candidate folder that has them all; empty with an error naming every folder tried.
    static QStringList locate(const QString& dataset, const QString& dataRoot, Split split, QString* error);
    static std::optional<ImageDataset> load(const QString& dataset, const QString& dataRoot, Split split,
                                            QString* error);

    /// One IDX pair (`*-images-idx3-ubyte[.gz]`, `*-labels-idx1-ubyte[.gz]`), checked against each other.
    static std::optional<ImageDataset> readIdx(const QString& imagesPath, const QString& labelsPath, QString* error);
    /// CIFAR-10 binary batch files: each record is a label byte and 3x32x32 pixels.
    static std::optional<ImageDataset> readCifar10(const QStringList& batchPaths, QString* error);
};

} // namespace jikken
