#include "DatasetLoader.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <zlib.h>

namespace jikken {

namespace {

constexpr char kDebianFashionMnist[] = "/usr/share/datasets/fashion-mnist";

bool fail(QString* error, const QString& message)
{
    if (error)
        *error = message;
    return false;
}

// Reads a whole file, gunzipping it when it is gzip (zlib passes other files through unchanged).
bool readMaybeGzipped(const QString& path, std::vector<uint8_t>& out, QString* error)
{
    gzFile file = gzopen(QFile::encodeName(path).constData(), "rb");
    if (!file)
        return fail(error, QStringLiteral("cannot open %1").arg(path));
    gzbuffer(file, 1 << 17);
    out.clear();
    std::vector<uint8_t> chunk(1 << 20);
    int n = 0;
    while ((n = gzread(file, chunk.data(), static_cast<unsigned>(chunk.size()))) > 0)
        out.insert(out.end(), chunk.begin(), chunk.begin() + n);
    int code = Z_OK;
    const char* message = gzerror(file, &code);
    gzclose(file);
    if (n < 0 || (code != Z_OK && code != Z_BUF_ERROR))
        return fail(error, QStringLiteral("%1 is not readable: %2").arg(path, QString::fromLatin1(message)));
    return true;
}

uint32_t bigEndian32(const uint8_t* p)
{
    return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

QString findFile(const QString& folder, const QString& base)
{
    for (const QString& name : QStringList{base, base + QStringLiteral(".gz")}) {
        const QString path = QDir(folder).filePath(name);
        if (QFileInfo::exists(path))
            return path;
    }
    return {};
}

} // namespace

QStringList DatasetLoader::classNames(const QString& dataset)
{
    // As the datasets' own documentation names them.
    if (dataset == QLatin1String("fashion-mnist"))
        return {QStringLiteral("T-shirt/top"), QStringLiteral("Trouser"), QStringLiteral("Pullover"),
                QStringLiteral("Dress"),       QStringLiteral("Coat"),    QStringLiteral("Sandal"),
                QStringLiteral("Shirt"),       QStringLiteral("Sneaker"), QStringLiteral("Bag"),
                QStringLiteral("Ankle boot")};
    if (dataset == QLatin1String("cifar10"))
        return {QStringLiteral("airplane"), QStringLiteral("automobile"), QStringLiteral("bird"),
                QStringLiteral("cat"),      QStringLiteral("deer"),       QStringLiteral("dog"),
                QStringLiteral("frog"),     QStringLiteral("horse"),      QStringLiteral("ship"),
                QStringLiteral("truck")};
    if (dataset == QLatin1String("mnist"))
        return {QStringLiteral("0"), QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("3"),
                QStringLiteral("4"), QStringLiteral("5"), QStringLiteral("6"), QStringLiteral("7"),
                QStringLiteral("8"), QStringLiteral("9")};
    return {};
}

QString DatasetLoader::defaultDataRoot()
{
    return QDir::homePath() + QStringLiteral("/datasets");
}

QStringList DatasetLoader::candidateFolders(const QString& dataset, const QString& dataRoot)
{
    const QDir root(dataRoot.isEmpty() ? defaultDataRoot() : dataRoot);
    QStringList names;
    if (dataset == QLatin1String("fashion-mnist"))
        names = {QStringLiteral("FashionMNIST"), QStringLiteral("fashion-mnist"), QStringLiteral("FashionMNIST/raw")};
    else if (dataset == QLatin1String("mnist"))
        names = {QStringLiteral("MNIST"), QStringLiteral("mnist"), QStringLiteral("MNIST/raw")};
    else if (dataset == QLatin1String("cifar10"))
        names = {QStringLiteral("CIFAR10/cifar-10-batches-bin"), QStringLiteral("cifar-10-batches-bin"),
                 QStringLiteral("CIFAR10")};
    QStringList folders{root.path()};
    for (const QString& name : names)
        folders << root.filePath(name);
    if (dataset == QLatin1String("fashion-mnist"))
        folders << QString::fromLatin1(kDebianFashionMnist);
    return folders;
}

std::optional<ImageDataset> DatasetLoader::readIdx(const QString& imagesPath, const QString& labelsPath, QString* error)
{
    std::vector<uint8_t> images, labels;
    if (!readMaybeGzipped(imagesPath, images, error) || !readMaybeGzipped(labelsPath, labels, error))
        return std::nullopt;
    // IDX: magic 0x00000803 (ubyte, 3 dims) then the dims as big-endian uint32.
    if (images.size() < 16 || bigEndian32(images.data()) != 0x803) {
        fail(error, QStringLiteral("%1 is not an IDX image file").arg(imagesPath));
        return std::nullopt;
    }
    if (labels.size() < 8 || bigEndian32(labels.data()) != 0x801) {
        fail(error, QStringLiteral("%1 is not an IDX label file").arg(labelsPath));
        return std::nullopt;
    }
    const uint64_t count = bigEndian32(images.data() + 4);
    const uint64_t rows = bigEndian32(images.data() + 8);
    const uint64_t cols = bigEndian32(images.data() + 12);
    if (rows == 0 || cols == 0 || rows > 4096 || cols > 4096 || images.size() - 16 != count * rows * cols) {
        fail(error, QStringLiteral("%1 is truncated or malformed (%2 images of %3x%4 announced, %5 bytes of pixels)")
                        .arg(imagesPath)
                        .arg(count)
                        .arg(rows)
                        .arg(cols)
                        .arg(images.size() - 16));
        return std::nullopt;
    }
    if (bigEndian32(labels.data() + 4) != count || labels.size() - 8 != count) {
        fail(error, QStringLiteral("%1 does not hold one label for each of the %2 images").arg(labelsPath).arg(count));
        return std::nullopt;
    }
    ImageDataset dataset;
    dataset.channels = 1;
    dataset.height = static_cast<int>(rows);
    dataset.width = static_cast<int>(cols);
    dataset.pixels.assign(images.begin() + 16, images.end());
    dataset.labels.assign(labels.begin() + 8, labels.end());
    uint8_t maxLabel = 0;
    for (uint8_t label : dataset.labels)
        maxLabel = std::max(maxLabel, label);
    dataset.classes = std::max(10, maxLabel + 1);
    return dataset;
}

std::optional<ImageDataset> DatasetLoader::readCifar10(const QStringList& batchPaths, QString* error)
{
    constexpr size_t kImageBytes = 3 * 32 * 32;
    ImageDataset dataset;
    dataset.channels = 3;
    dataset.height = dataset.width = 32;
    dataset.classes = 10;
    for (const QString& path : batchPaths) {
        std::vector<uint8_t> bytes;
        if (!readMaybeGzipped(path, bytes, error))
            return std::nullopt;
        if (bytes.empty() || bytes.size() % (kImageBytes + 1) != 0) {
            fail(error, QStringLiteral("%1 is not a CIFAR-10 binary batch (%2 bytes is not a whole number of "
                                       "3073-byte records)")
                            .arg(path)
                            .arg(bytes.size()));
            return std::nullopt;
        }
        for (size_t offset = 0; offset < bytes.size(); offset += kImageBytes + 1) {
            if (bytes[offset] >= 10) {
                fail(error, QStringLiteral("%1: label %2 at byte %3 is not a CIFAR-10 class")
                                .arg(path)
                                .arg(bytes[offset])
                                .arg(offset));
                return std::nullopt;
            }
            dataset.labels.push_back(bytes[offset]);
            dataset.pixels.insert(dataset.pixels.end(), bytes.begin() + static_cast<long>(offset) + 1,
                                  bytes.begin() + static_cast<long>(offset + 1 + kImageBytes));
        }
    }
    return dataset;
}

QStringList DatasetLoader::locate(const QString& dataset, const QString& dataRoot, Split split, QString* error)
{
    const QStringList folders = candidateFolders(dataset, dataRoot);
    for (const QString& folder : folders) {
        QStringList files;
        if (dataset == QLatin1String("cifar10")) {
            if (split == Split::Train) {
                for (int i = 1; i <= 5; ++i)
                    files << findFile(folder, QStringLiteral("data_batch_%1.bin").arg(i));
            } else {
                files << findFile(folder, QStringLiteral("test_batch.bin"));
            }
        } else {
            const QString prefix = split == Split::Train ? QStringLiteral("train") : QStringLiteral("t10k");
            files << findFile(folder, prefix + QStringLiteral("-images-idx3-ubyte"))
                  << findFile(folder, prefix + QStringLiteral("-labels-idx1-ubyte"));
        }
        if (!files.contains(QString()))
            return files;
    }
    fail(error, QStringLiteral("dataset %1 not found; looked in %2").arg(dataset, folders.join(QStringLiteral(", "))));
    return {};
}

std::optional<ImageDataset> DatasetLoader::load(const QString& dataset, const QString& dataRoot, Split split,
                                                QString* error)
{
    const QStringList files = locate(dataset, dataRoot, split, error);
    if (files.isEmpty())
        return std::nullopt;
    std::optional<ImageDataset> result =
        dataset == QLatin1String("cifar10") ? readCifar10(files, error) : readIdx(files[0], files[1], error);
    if (result)
        result->name = dataset;
    return result;
}

} // namespace jikken
