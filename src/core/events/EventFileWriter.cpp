#include "EventFileWriter.h"

#include "Crc32c.h"
#include "ProtoWire.h"
#include "jikken/tensorboard/event.pb.h"
#include "jikken/tensorboard/hparams.pb.h"

#include <QAtomicInteger>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QHostInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <cerrno>
#include <cstring>

namespace jikken {

namespace {

constexpr size_t kAutoFlushBytes = 1 << 20;
constexpr char kFileVersion[] = "brain.Event:2";

tensorboard::Event makeEvent(qint64 step, double wallTime)
{
    tensorboard::Event event;
    event.set_wall_time(wallTime);
    event.set_step(step);
    return event;
}

google::protobuf::Value toProtoValue(const QJsonValue& value)
{
    google::protobuf::Value result;
    if (value.isBool())
        result.set_bool_value(value.toBool());
    else if (value.isDouble())
        result.set_number_value(value.toDouble());
    else if (value.isString())
        result.set_string_value(value.toString().toStdString());
    else // the HParams tab knows strings, numbers and booleans; anything else is shown as its JSON text
        result.set_string_value(
            QJsonDocument::fromVariant(value.toVariant()).toJson(QJsonDocument::Compact).toStdString());
    return result;
}

std::string hparamsEvent(const std::string& tag, const tensorboard::hparams::HParamsPluginData& data, double wallTime)
{
    tensorboard::Event event = makeEvent(0, wallTime);
    auto* value = event.mutable_summary()->add_value();
    value->set_tag(tag);
    auto* plugin = value->mutable_metadata()->mutable_plugin_data();
    plugin->set_plugin_name("hparams");
    plugin->set_content(data.SerializeAsString());
    // TensorBoard's own hparams writer attaches an empty float tensor; the plugin reads only the metadata.
    auto* tensor = value->mutable_tensor();
    tensor->set_dtype(tensorboard::DT_FLOAT);
    tensor->mutable_tensor_shape()->add_dim()->set_size(0);
    return event.SerializeAsString();
}

} // namespace

EventFileWriter::~EventFileWriter()
{
    close();
}

double EventFileWriter::now()
{
    return static_cast<double>(QDateTime::currentMSecsSinceEpoch()) / 1000.0;
}

bool EventFileWriter::open(const QString& directory, QString* error)
{
    close();
    static QAtomicInteger<int> fileCounter;
    if (!QDir().mkpath(directory)) {
        if (error)
            *error = QStringLiteral("cannot create the log folder %1").arg(directory);
        return false;
    }
    const qint64 seconds = QDateTime::currentSecsSinceEpoch();
    const QString name = QStringLiteral("events.out.tfevents.%1.%2.%3.%4")
                             .arg(seconds, 10, 10, QLatin1Char('0'))
                             .arg(QHostInfo::localHostName())
                             .arg(QCoreApplication::applicationPid())
                             .arg(fileCounter.fetchAndAddRelaxed(1));
    m_path = QDir(directory).filePath(name);
    m_file = std::fopen(QFile::encodeName(m_path).constData(), "ab");
    if (!m_file) {
        if (error)
            *error = QStringLiteral("cannot create %1: %2").arg(m_path, QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    tensorboard::Event event = makeEvent(0, now());
    event.set_file_version(kFileVersion);
    appendRecord(event.SerializeAsString());
    return flush(error);
}

void EventFileWriter::appendRecord(std::string_view payload)
{
    const uint64_t length = payload.size();
    char header[8];
    std::memcpy(header, &length, 8);
    m_buffer.append(header, 8);
    wire::putFixed32(m_buffer, maskedCrc32c(header, 8));
    m_buffer.append(payload);
    wire::putFixed32(m_buffer, maskedCrc32c(payload.data(), payload.size()));
    if (m_buffer.size() >= kAutoFlushBytes)
        flush(nullptr);
}

void EventFileWriter::addScalar(std::string_view tag, qint64 step, float value, double wallTime)
{
    // Encoded by hand, byte for byte what protobuf writes for Event{wall_time, step, summary{value{tag,
    // simple_value}}}: the hot path of a training loop should not build and free three messages.
    const size_t valueSize = 1 + wire::varintSize(tag.size()) + tag.size() + 1 + 4;
    const size_t summarySize = 1 + wire::varintSize(valueSize) + valueSize;
    std::string& e = m_scratch;
    e.clear();
    if (wallTime != 0) {
        e.push_back(0x09); // field 1, fixed64
        uint64_t bits;
        std::memcpy(&bits, &wallTime, 8);
        wire::putFixed64(e, bits);
    }
    if (step != 0) {
        e.push_back(0x10); // field 2, varint
        wire::putVarint(e, static_cast<uint64_t>(step));
    }
    e.push_back(0x2a); // field 5 (summary), length-delimited
    wire::putVarint(e, summarySize);
    e.push_back(0x0a); // Summary.value
    wire::putVarint(e, valueSize);
    e.push_back(0x0a); // Value.tag
    wire::putVarint(e, tag.size());
    e.append(tag);
    e.push_back(0x15); // Value.simple_value, fixed32
    uint32_t bits;
    std::memcpy(&bits, &value, 4);
    wire::putFixed32(e, bits);
    appendRecord(e);
}

void EventFileWriter::addText(const QString& tag, const QString& markdown, qint64 step)
{
    tensorboard::Event event = makeEvent(step, now());
    auto* value = event.mutable_summary()->add_value();
    value->set_tag(tag.toStdString());
    value->mutable_metadata()->mutable_plugin_data()->set_plugin_name("text");
    auto* tensor = value->mutable_tensor();
    tensor->set_dtype(tensorboard::DT_STRING);
    tensor->mutable_tensor_shape()->add_dim()->set_size(1);
    tensor->add_string_val(markdown.toStdString());
    appendRecord(event.SerializeAsString());
}

void EventFileWriter::addHparams(const QJsonObject& hparams, const QStringList& metricTags, double startTime)
{
    tensorboard::hparams::HParamsPluginData experimentData;
    auto* experiment = experimentData.mutable_experiment();
    experiment->set_time_created_secs(startTime);
    for (auto it = hparams.begin(); it != hparams.end(); ++it) {
        auto* info = experiment->add_hparam_infos();
        info->set_name(it.key().toStdString());
        info->set_type(it.value().isBool()     ? tensorboard::hparams::DATA_TYPE_BOOL
                       : it.value().isDouble() ? tensorboard::hparams::DATA_TYPE_FLOAT64
                                               : tensorboard::hparams::DATA_TYPE_STRING);
    }
    for (const QString& tag : metricTags)
        experiment->add_metric_infos()->mutable_name()->set_tag(tag.toStdString());
    appendRecord(hparamsEvent("_hparams_/experiment", experimentData, startTime));

    tensorboard::hparams::HParamsPluginData startData;
    auto* start = startData.mutable_session_start_info();
    start->set_start_time_secs(startTime);
    for (auto it = hparams.begin(); it != hparams.end(); ++it)
        (*start->mutable_hparams())[it.key().toStdString()] = toProtoValue(it.value());
    appendRecord(hparamsEvent("_hparams_/session_start_info", startData, startTime));
}

void EventFileWriter::addHparamsEnd(SessionStatus status, double endTime)
{
    tensorboard::hparams::HParamsPluginData data;
    auto* end = data.mutable_session_end_info();
    end->set_status(status == SessionStatus::Success   ? tensorboard::hparams::STATUS_SUCCESS
                    : status == SessionStatus::Failure ? tensorboard::hparams::STATUS_FAILURE
                                                       : tensorboard::hparams::STATUS_RUNNING);
    end->set_end_time_secs(endTime);
    appendRecord(hparamsEvent("_hparams_/session_end_info", data, endTime));
}

void EventFileWriter::addSessionStart(qint64 step, double wallTime)
{
    tensorboard::Event event = makeEvent(step, wallTime);
    event.mutable_session_log()->set_status(tensorboard::SessionLog::START);
    appendRecord(event.SerializeAsString());
}

bool EventFileWriter::flush(QString* error)
{
    if (!m_file)
        return false;
    const size_t written = m_buffer.empty() ? 0 : std::fwrite(m_buffer.data(), 1, m_buffer.size(), m_file);
    const bool ok = written == m_buffer.size() && std::fflush(m_file) == 0;
    m_buffer.clear();
    if (!ok && error)
        *error = QStringLiteral("cannot write %1: %2").arg(m_path, QString::fromLocal8Bit(std::strerror(errno)));
    return ok;
}

void EventFileWriter::close()
{
    if (!m_file)
        return;
    flush(nullptr);
    std::fclose(m_file);
    m_file = nullptr;
}

} // namespace jikken
