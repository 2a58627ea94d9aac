#include "Device.h"

#include <QStringList>

#include <algorithm>

namespace jikken {

std::optional<Device> Device::parse(const QString& text, QString* error)
{
    if (text == QLatin1String("auto"))
        return Device{Kind::Auto, std::nullopt};
    if (text == QLatin1String("cpu"))
        return Device{Kind::Cpu, std::nullopt};
    if (text == QLatin1String("cuda"))
        return Device{Kind::Cuda, std::nullopt};
    if (text.startsWith(QLatin1String("cuda:"))) {
        const QString digits = text.mid(5);
        bool ok = false;
        const int index = digits.toInt(&ok);
        // Digits only: toInt takes "+1" and " 1", which no device is named.
        const bool digitsOnly = !digits.isEmpty() && std::all_of(digits.cbegin(), digits.cend(),
                                                                 [](QChar c) { return c >= u'0' && c <= u'9'; });
        if (ok && digitsOnly)
            return Device{Kind::Cuda, index};
    }
    if (error)
        *error = QStringLiteral("device \"%1\" is not one of auto, cpu, cuda, cuda:N").arg(text);
    return std::nullopt;
}

QList<int> Device::cudaIndicesIn(const QString& recorded)
{
    QList<int> indices;
    for (const QString& word : recorded.split(u' ', Qt::SkipEmptyParts)) {
        if (!word.startsWith(QLatin1String("cuda:")))
            continue;
        for (const QString& number : word.mid(5).split(u',')) {
            if (const auto device = parse(QStringLiteral("cuda:") + number);
                device && !indices.contains(device->cudaIndex()))
                indices << device->cudaIndex();
        }
    }
    return indices;
}

QString Device::visibleGpus(int count)
{
    QStringList indices;
    for (int g = 0; g < count; ++g)
        indices << QString::number(g);
    return indices.join(u',');
}

QString Device::toString() const
{
    switch (kind) {
    case Kind::Auto:
        return QStringLiteral("auto");
    case Kind::Cpu:
        return QStringLiteral("cpu");
    case Kind::Cuda:
        break;
    }
    return index ? QStringLiteral("cuda:%1").arg(*index) : QStringLiteral("cuda");
}

} // namespace jikken
