#include "ResumeCheckpoint.h"

#include "Trainer.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <sstream>
#include <stdexcept>

namespace jikken {

namespace {

std::runtime_error failure(const QString& message)
{
    return std::runtime_error(message.toStdString());
}

/// Writes `bytes` under a temporary name renamed over `path` once complete (QSaveFile). A full disk is an
/// error naming the file, never a torn .pt file; serializing to memory first keeps libtorch's file writer,
/// whose destructor aborts the process on a failed write, out of it.
void writeWhole(const QString& path, const std::string& bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) ||
        file.write(bytes.data(), static_cast<qint64>(bytes.size())) != static_cast<qint64>(bytes.size()) ||
        !file.commit())
        throw failure(QStringLiteral("cannot write the checkpoint %1: %2").arg(path, file.errorString()));
}

} // namespace

std::optional<Checkpoint> readCheckpoint(const QString& runDirectory)
{
    QFile file(QDir(runDirectory).filePath(Trainer::checkpointFileName()));
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QJsonObject json = QJsonDocument::fromJson(file.readAll()).object();
    if (!json.contains(QLatin1String("model")))
        throw failure(QStringLiteral("%1 is not a Jikken checkpoint").arg(file.fileName()));
    return Checkpoint{json.value(QLatin1String("epoch")).toInt(),
                      json.value(QLatin1String("batch")).toInt(),
                      static_cast<int64_t>(json.value(QLatin1String("step")).toDouble()),
                      json.value(QLatin1String("model")).toString(),
                      json.value(QLatin1String("optimizer")).toString(),
                      json.value(QLatin1String("loss_scale")).toDouble()};
}

WrittenModel writeCheckpoint(const QString& runDirectory, const Checkpoint& c, models::ClassifierImpl& model,
                             const models::ModelInputs& inputs, torch::optim::Optimizer& optimizer)
{
    const QDir dir(runDirectory);
    const QString modelFile = QStringLiteral("model-%1.pt").arg(c.step);
    const QString optimizerFile = QStringLiteral("optimizer-%1.pt").arg(c.step);
    const auto serialized = [](const auto& save) {
        std::ostringstream stream;
        save(stream);
        return std::move(stream).str();
    };
    const std::optional<Checkpoint> previous = readCheckpoint(runDirectory);
    WrittenModel written{modelFile, 0, {}};
    try {
        const std::string weights = serialized([&](std::ostream& stream) {
            torch::serialize::OutputArchive archive;
            model.save(archive);
            inputs.write(archive);
            archive.save_to(stream);
        });
        writeWhole(dir.filePath(modelFile), weights);
        written.size = static_cast<qint64>(weights.size());
        written.sha256 = QString::fromLatin1(
            QCryptographicHash::hash(QByteArrayView(weights.data(), written.size), QCryptographicHash::Sha256).toHex());
        writeWhole(dir.filePath(optimizerFile),
                   serialized([&](std::ostream& stream) { torch::save(optimizer, stream); }));
    } catch (...) {
        if (!previous || previous->modelFile != modelFile)
            QFile::remove(dir.filePath(modelFile)); // complete, but named by no checkpoint
        throw;
    }
    QSaveFile file(dir.filePath(Trainer::checkpointFileName()));
    QJsonObject json{{QStringLiteral("epoch"), c.epoch},
                     {QStringLiteral("batch"), c.batch},
                     {QStringLiteral("step"), static_cast<double>(c.step)},
                     {QStringLiteral("model"), modelFile},
                     {QStringLiteral("optimizer"), optimizerFile}};
    if (c.lossScale > 0)
        json.insert(QStringLiteral("loss_scale"), c.lossScale);
    if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(json).toJson()) < 0 || !file.commit())
        throw failure(QStringLiteral("cannot write the checkpoint in %1: %2").arg(runDirectory, file.errorString()));
    if (previous && previous->modelFile != modelFile) {
        QFile::remove(dir.filePath(previous->modelFile));
        QFile::remove(dir.filePath(previous->optimizerFile));
    }
    return written;
}

} // namespace jikken
