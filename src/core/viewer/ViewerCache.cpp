#include "ViewerCache.h"

#include "registry/RegistryWire.h"

#include <QCryptographicHash>
#include <QDataStream>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonDocument>
#include <QSaveFile>
#include <QStandardPaths>

#include <algorithm>

namespace jikken {

namespace {

constexpr quint32 kMagic = 0x4A4B5643; // "JKVC"
constexpr quint32 kVersion = 2;
constexpr quint32 kEnd = 0x454E4421; // "END!": the file was written to its end
const QLatin1String kSuffix(".run");

// Columns go in as raw bytes in the machine's own order: a cache never leaves the machine that wrote it,
// and a million points load with three reads.
template <typename T> void writeColumn(QDataStream& out, const QVector<T>& column)
{
    out.writeRawData(reinterpret_cast<const char*>(column.constData()), static_cast<int>(column.size() * sizeof(T)));
}

template <typename T> bool readColumn(QDataStream& in, QVector<T>& column, int size)
{
    column.resize(size);
    const int bytes = static_cast<int>(size * sizeof(T));
    return in.readRawData(reinterpret_cast<char*>(column.data()), bytes) == bytes;
}

} // namespace

// In jikken's namespace, not an anonymous one: QMap's stream operators find them by argument lookup.
QDataStream& operator<<(QDataStream& out, const LoggedMedia& media)
{
    return out << media.step << media.wallTime << media.data << static_cast<qint32>(media.count);
}

QDataStream& operator>>(QDataStream& in, LoggedMedia& media)
{
    qint32 count = 0;
    in >> media.step >> media.wallTime >> media.data >> count;
    media.count = count;
    return in;
}

ViewerCache::ViewerCache(QString directory) : m_directory(std::move(directory))
{
    if (m_directory.isEmpty())
        m_directory = QStandardPaths::writableLocation(QStandardPaths::CacheLocation) + QStringLiteral("/viewer");
}

QString ViewerCache::pathFor(const QString& key) const
{
    const QByteArray hash = QCryptographicHash::hash(key.toUtf8(), QCryptographicHash::Sha1).toHex().left(24);
    return m_directory + u'/' + QString::fromLatin1(hash) + kSuffix;
}

bool ViewerCache::store(const ViewerRun& run, const QString& stamp, QString* error)
{
    if (!QDir().mkpath(m_directory)) {
        *error = QStringLiteral("cannot create the viewer cache %1").arg(m_directory);
        return false;
    }
    QSaveFile file(pathFor(run.key));
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write the viewer cache: %1").arg(file.errorString());
        return false;
    }
    QDataStream out(&file);
    out.setVersion(QDataStream::Qt_6_0);
    out << kMagic << kVersion << run.key << run.name << run.source << stamp << QDateTime::currentDateTimeUtc()
        << run.pointCount();
    out << (run.record ? QJsonDocument(RegistryWire::runToJson(*run.record)).toJson(QJsonDocument::Compact) : QByteArray());
    out << static_cast<quint32>(run.scalars.size());
    for (auto it = run.scalars.cbegin(); it != run.scalars.cend(); ++it) {
        out << it.key() << static_cast<qint32>(it->size());
        writeColumn(out, it->steps);
        writeColumn(out, it->wallTimes);
        writeColumn(out, it->values);
    }
    out << run.images << run.texts << QJsonDocument(run.loggedHyperparameters).toJson(QJsonDocument::Compact);
    out << kEnd;
    if (out.status() != QDataStream::Ok || !file.commit()) {
        *error = QStringLiteral("cannot write the viewer cache: %1").arg(file.errorString());
        return false;
    }
    return true;
}

std::optional<ViewerCache::Entry> ViewerCache::readHeader(const QString& path) const
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    QDataStream in(&file);
    in.setVersion(QDataStream::Qt_6_0);
    quint32 magic = 0, version = 0;
    Entry entry;
    in >> magic >> version;
    if (magic != kMagic || version != kVersion)
        return std::nullopt;
    in >> entry.key >> entry.name >> entry.source >> entry.stamp >> entry.cachedAt >> entry.points;
    if (in.status() != QDataStream::Ok)
        return std::nullopt;
    entry.bytes = file.size();
    return entry;
}

std::optional<ViewerRun> ViewerCache::load(const QString& key, QString* stamp, QString* error) const
{
    const QString path = pathFor(key);
    QFile file(path);
    if (!file.exists())
        return std::nullopt;
    const auto damaged = [&](const QString& why) {
        *error = QStringLiteral("the cached copy of %1 (%2) is damaged: %3").arg(key, path, why);
        return std::nullopt;
    };
    if (!file.open(QIODevice::ReadOnly))
        return damaged(file.errorString());
    QDataStream in(&file);
    in.setVersion(QDataStream::Qt_6_0);
    quint32 magic = 0, version = 0;
    QString storedStamp;
    QDateTime cachedAt;
    qint64 points = 0;
    ViewerRun run;
    in >> magic >> version;
    if (magic != kMagic || version != kVersion)
        return damaged(QStringLiteral("not a cache file of this version"));
    in >> run.key >> run.name >> run.source >> storedStamp >> cachedAt >> points;
    if (run.key != key)
        return damaged(QStringLiteral("it holds %1").arg(run.key));
    QByteArray recordJson;
    in >> recordJson;
    if (!recordJson.isEmpty()) {
        QString why;
        run.record = RegistryWire::runFromJson(QJsonDocument::fromJson(recordJson).object(), &why);
        if (!run.record)
            return damaged(why);
    }
    quint32 tags = 0;
    in >> tags;
    for (quint32 t = 0; t < tags && in.status() == QDataStream::Ok; ++t) {
        QString tag;
        qint32 size = -1;
        in >> tag >> size;
        if (size < 0 || size > file.size() / 24)
            return damaged(QStringLiteral("a tag of %1 points").arg(size));
        ScalarSeries& series = run.scalars[tag];
        if (!readColumn(in, series.steps, size) || !readColumn(in, series.wallTimes, size) ||
            !readColumn(in, series.values, size))
            return damaged(QStringLiteral("it ends early"));
    }
    QByteArray hparams;
    in >> run.images >> run.texts >> hparams;
    run.loggedHyperparameters = QJsonDocument::fromJson(hparams).object();
    quint32 end = 0;
    in >> end;
    if (in.status() != QDataStream::Ok || end != kEnd || run.pointCount() != points)
        return damaged(QStringLiteral("it ends early"));
    if (stamp)
        *stamp = storedStamp;
    return run;
}

QString ViewerCache::stamp(const QString& key) const
{
    const auto entry = readHeader(pathFor(key));
    return entry && entry->key == key ? entry->stamp : QString();
}

QVector<ViewerCache::Entry> ViewerCache::entries() const
{
    QVector<Entry> found;
    QDirIterator it(m_directory, {QStringLiteral("*") + kSuffix}, QDir::Files);
    while (it.hasNext()) {
        if (const auto entry = readHeader(it.next()))
            found.append(*entry);
    }
    std::sort(found.begin(), found.end(), [](const Entry& a, const Entry& b) { return a.cachedAt > b.cachedAt; });
    return found;
}

QStringList ViewerCache::keysFrom(const QString& source) const
{
    QStringList keys;
    for (const Entry& entry : entries()) {
        if (entry.source == source)
            keys << entry.key;
    }
    return keys;
}

bool ViewerCache::remove(const QString& key)
{
    return QFile::remove(pathFor(key));
}

} // namespace jikken
