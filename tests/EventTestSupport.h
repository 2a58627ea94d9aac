#pragma once

// Helpers for tests that build event files byte by byte, the way other writers would.

#include "events/Crc32c.h"
#include "jikken/tensorboard/event.pb.h"

#include <QFile>

#include <cstring>
#include <string>

namespace jikken::testing {

/// One TFRecord frame around `payload`.
inline std::string frame(const std::string& payload)
{
    std::string out;
    const uint64_t length = payload.size();
    char header[8];
    std::memcpy(header, &length, 8);
    out.append(header, 8);
    const uint32_t headerCrc = maskedCrc32c(header, 8);
    out.append(reinterpret_cast<const char*>(&headerCrc), 4);
    out.append(payload);
    const uint32_t payloadCrc = maskedCrc32c(payload.data(), payload.size());
    out.append(reinterpret_cast<const char*>(&payloadCrc), 4);
    return out;
}

inline std::string fileVersionRecord(const char* version = "brain.Event:2")
{
    tensorboard::Event event;
    event.set_wall_time(1.0);
    event.set_file_version(version);
    return frame(event.SerializeAsString());
}

inline std::string simpleScalarRecord(const std::string& tag, int64_t step, float value, double wallTime = 100.0)
{
    tensorboard::Event event;
    event.set_wall_time(wallTime);
    event.set_step(step);
    auto* v = event.mutable_summary()->add_value();
    v->set_tag(tag);
    v->set_simple_value(value);
    return frame(event.SerializeAsString());
}

/// A scalar as TF2 and PyTorch's new-style writers put it: a float tensor, its plugin ("scalars") named
/// only when `namePlugin` (their first record of the tag).
inline std::string tensorScalarRecord(const std::string& tag, int64_t step, float value, bool namePlugin,
                                      double wallTime = 100.0)
{
    tensorboard::Event event;
    event.set_wall_time(wallTime);
    event.set_step(step);
    auto* v = event.mutable_summary()->add_value();
    v->set_tag(tag);
    if (namePlugin)
        v->mutable_metadata()->mutable_plugin_data()->set_plugin_name("scalars");
    v->mutable_tensor()->set_dtype(tensorboard::DT_FLOAT);
    v->mutable_tensor()->set_tensor_content(std::string(reinterpret_cast<const char*>(&value), sizeof value));
    return frame(event.SerializeAsString());
}

inline std::string sessionStartRecord(int64_t step)
{
    tensorboard::Event event;
    event.set_wall_time(200.0);
    event.set_step(step);
    event.mutable_session_log()->set_status(tensorboard::SessionLog::START);
    return frame(event.SerializeAsString());
}

inline bool writeFile(const QString& path, const std::string& bytes, bool append = false)
{
    QFile file(path);
    if (!file.open(append ? QIODevice::Append : QIODevice::WriteOnly))
        return false;
    return file.write(bytes.data(), static_cast<qint64>(bytes.size())) == static_cast<qint64>(bytes.size());
}

} // namespace jikken::testing
