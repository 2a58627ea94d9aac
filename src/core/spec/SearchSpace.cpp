#include "SearchSpace.h"

#include <cmath>

namespace jikken {

std::optional<SearchSpace> SearchSpace::parse(const QString& flag, QString* error)
{
    const auto refuse = [&](const QString& why) -> std::optional<SearchSpace> {
        *error = QStringLiteral("--space \"%1\": %2").arg(flag, why);
        return std::nullopt;
    };
    const qsizetype equals = flag.indexOf(u'=');
    if (equals <= 0)
        return refuse(QStringLiteral("write FIELD=RANGE (log:1e-4..1e-1, 0..0.5, int:16..256, choice:a,b)"));
    SearchSpace space;
    space.m_field = flag.left(equals);
    QString range = flag.mid(equals + 1);
    if (range.startsWith(QLatin1String("choice:"))) {
        space.m_kind = Kind::Choice;
        space.m_choices = range.mid(7).split(u',', Qt::SkipEmptyParts);
        if (space.m_choices.isEmpty())
            return refuse(QStringLiteral("choice: names at least one value"));
        return space;
    }
    if (range.startsWith(QLatin1String("log:"))) {
        space.m_kind = Kind::LogUniform;
        range = range.mid(4);
    } else if (range.startsWith(QLatin1String("int:"))) {
        space.m_kind = Kind::Integer;
        range = range.mid(4);
    }
    const QStringList ends = range.split(QStringLiteral(".."));
    bool lowOk = false;
    bool highOk = false;
    if (ends.size() == 2) {
        space.m_low = ends[0].toDouble(&lowOk);
        space.m_high = ends[1].toDouble(&highOk);
    }
    if (!lowOk || !highOk || !std::isfinite(space.m_low) || !std::isfinite(space.m_high))
        return refuse(QStringLiteral("a range is LOW..HIGH, two numbers"));
    if (space.m_low > space.m_high)
        return refuse(QStringLiteral("LOW is above HIGH"));
    if (space.m_kind == Kind::LogUniform && space.m_low <= 0)
        return refuse(QStringLiteral("a log range lies above 0"));
    if (space.m_kind == Kind::Integer &&
        (space.m_low != std::floor(space.m_low) || space.m_high != std::floor(space.m_high) ||
         std::abs(space.m_high) > 1e15 || std::abs(space.m_low) > 1e15))
        return refuse(QStringLiteral("an int range's ends are whole numbers"));
    return space;
}

QString SearchSpace::draw(std::mt19937_64& random) const
{
    switch (m_kind) {
    case Kind::Choice:
        return m_choices[static_cast<qsizetype>(
            std::uniform_int_distribution<qsizetype>(0, m_choices.size() - 1)(random))];
    case Kind::Integer:
        return QString::number(
            std::uniform_int_distribution<qint64>(static_cast<qint64>(m_low), static_cast<qint64>(m_high))(random));
    case Kind::LogUniform:
        return QString::number(
            std::exp(std::uniform_real_distribution<double>(std::log(m_low), std::log(m_high))(random)), 'g', 4);
    case Kind::Uniform:
        break;
    }
    return QString::number(std::uniform_real_distribution<double>(m_low, m_high)(random), 'g', 4);
}

} // namespace jikken
