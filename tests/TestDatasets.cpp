#include "data/DatasetLoader.h"
#include "data/Subsampling.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <numeric>
#include <zlib.h>

using namespace jikken;

namespace {

QByteArray bigEndian(uint32_t v)
{
    QByteArray b(4, 0);
    b[0] = static_cast<char>(v >> 24);
    b[1] = static_cast<char>(v >> 16);
    b[2] = static_cast<char>(v >> 8);
    b[3] = static_cast<char>(v);
    return b;
}

void writeBytes(const QString& path, const QByteArray& bytes, bool gzip)
{
    if (gzip) {
        gzFile f = gzopen(QFile::encodeName(path).constData(), "wb");
        gzwrite(f, bytes.constData(), static_cast<unsigned>(bytes.size()));
        gzclose(f);
        return;
    }
    QFile file(path);
    file.open(QIODevice::WriteOnly);
    file.write(bytes);
}

// A small IDX pair: n images of 4x3 whose pixels are their index, labels i % 10.
void writeIdx(const QString& folder, const QString& prefix, int n, bool gzip)
{
    QByteArray images = bigEndian(0x803) + bigEndian(static_cast<uint32_t>(n)) + bigEndian(4) + bigEndian(3);
    QByteArray labels = bigEndian(0x801) + bigEndian(static_cast<uint32_t>(n));
    for (int i = 0; i < n; ++i) {
        images += QByteArray(12, static_cast<char>(i));
        labels += static_cast<char>(i % 10);
    }
    const QString suffix = gzip ? QStringLiteral(".gz") : QString();
    writeBytes(QDir(folder).filePath(prefix + QStringLiteral("-images-idx3-ubyte") + suffix), images, gzip);
    writeBytes(QDir(folder).filePath(prefix + QStringLiteral("-labels-idx1-ubyte") + suffix), labels, gzip);
}

} // namespace

class TestDatasets : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readsDebiansFashionMnist()
    {
        QString error;
        const auto train = DatasetLoader::load(QStringLiteral("fashion-mnist"), QStringLiteral("/nonexistent"),
                                               DatasetLoader::Split::Train, &error);
        QVERIFY2(train, qPrintable(error));
        QCOMPARE(train->size(), size_t(60000));
        QCOMPARE(train->height, 28);
        QCOMPARE(train->classCounts(), std::vector<int>(10, 6000));
        const auto test = DatasetLoader::load(QStringLiteral("fashion-mnist"), {}, DatasetLoader::Split::Test, &error);
        QVERIFY(test);
        QCOMPARE(test->size(), size_t(10000));
    }

    void readsIdxPlainAndGzipped()
    {
        QTemporaryDir root;
        QVERIFY(QDir(root.path()).mkpath(QStringLiteral("MNIST")));
        writeIdx(root.filePath(QStringLiteral("MNIST")), QStringLiteral("train"), 30, true);
        writeIdx(root.filePath(QStringLiteral("MNIST")), QStringLiteral("t10k"), 20, false);
        QString error;
        const auto train =
            DatasetLoader::load(QStringLiteral("mnist"), root.path(), DatasetLoader::Split::Train, &error);
        QVERIFY2(train, qPrintable(error));
        QCOMPARE(train->size(), size_t(30));
        QCOMPARE(train->width, 3);
        QCOMPARE(train->pixels[12 * 7], uint8_t(7));
        QCOMPARE(train->labels[13], uint8_t(3));
        const auto test = DatasetLoader::load(QStringLiteral("mnist"), root.path(), DatasetLoader::Split::Test, &error);
        QVERIFY2(test, qPrintable(error));
        QCOMPARE(test->size(), size_t(20));
    }

    void refusesMalformedFiles()
    {
        QTemporaryDir root;
        writeIdx(root.path(), QStringLiteral("train"), 10, false);
        const QString images = root.filePath(QStringLiteral("train-images-idx3-ubyte"));
        QFile file(images);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY(file.resize(file.size() - 5)); // truncated
        file.close();
        QString error;
        QVERIFY(!DatasetLoader::readIdx(images, root.filePath(QStringLiteral("train-labels-idx1-ubyte")), &error));
        QVERIFY2(error.contains(QStringLiteral("truncated")), qPrintable(error));
        QVERIFY(!DatasetLoader::load(QStringLiteral("cifar10"), root.path(), DatasetLoader::Split::Train, &error));
        QVERIFY2(error.contains(QStringLiteral("not found")), qPrintable(error));
    }

    void readsCifar10Binary()
    {
        QTemporaryDir root;
        const QString folder = root.filePath(QStringLiteral("CIFAR10/cifar-10-batches-bin"));
        QVERIFY(QDir().mkpath(folder));
        for (const QString& name : {QStringLiteral("data_batch_1.bin"), QStringLiteral("data_batch_2.bin"),
                                    QStringLiteral("data_batch_3.bin"), QStringLiteral("data_batch_4.bin"),
                                    QStringLiteral("data_batch_5.bin"), QStringLiteral("test_batch.bin")}) {
            QByteArray bytes;
            for (int i = 0; i < 4; ++i)
                bytes += static_cast<char>(i) + QByteArray(3072, static_cast<char>(i * 10));
            writeBytes(QDir(folder).filePath(name), bytes, false);
        }
        QString error;
        const auto train =
            DatasetLoader::load(QStringLiteral("cifar10"), root.path(), DatasetLoader::Split::Train, &error);
        QVERIFY2(train, qPrintable(error));
        QCOMPARE(train->size(), size_t(20));
        QCOMPARE(train->channels, 3);
        QCOMPARE(train->labels[3], uint8_t(3));
        QCOMPARE(train->pixels[3 * 3072 + 5], uint8_t(30));
        writeBytes(QDir(folder).filePath(QStringLiteral("test_batch.bin")), QByteArray(100, 0), false);
        QVERIFY(!DatasetLoader::load(QStringLiteral("cifar10"), root.path(), DatasetLoader::Split::Test, &error));
        QVERIFY2(error.contains(QStringLiteral("3073")), qPrintable(error));
    }

    void longTailAndLimits()
    {
        const std::vector<int> counts = longTailCounts(std::vector<int>(10, 6000), 100.0);
        QCOMPARE(counts.front(), 6000);
        QCOMPARE(counts.back(), 60);
        QVERIFY(std::is_sorted(counts.rbegin(), counts.rend()));
        ImageDataset data;
        data.channels = data.height = data.width = 1;
        data.classes = 10;
        for (int i = 0; i < 1000; ++i) {
            data.labels.push_back(static_cast<uint8_t>(i % 10));
            data.pixels.push_back(static_cast<uint8_t>(i % 256));
        }
        const auto tail = longTailCounts(data.classCounts(), 10.0);
        const ImageDataset picked = data.subset(pickPerClass(data, tail, 1));
        QCOMPARE(picked.classCounts(), tail);
        QCOMPARE(pickRandom(1000, 100, 5), pickRandom(1000, 100, 5)); // deterministic
        QVERIFY(pickRandom(1000, 100, 5) != pickRandom(1000, 100, 6));
        auto all = pickRandom(50, 0, 1);
        std::sort(all.begin(), all.end());
        std::vector<size_t> expected(50);
        std::iota(expected.begin(), expected.end(), 0);
        QCOMPARE(all, expected);
    }
};

QTEST_GUILESS_MAIN(TestDatasets)
#include "TestDatasets.moc"
