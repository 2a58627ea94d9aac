#pragma once

#include <QString>
#include <QStringList>
#include <QVector>

#include <optional>
#include <random>

namespace jikken {

/// Where a random search draws a spec field's values from (`jikken sweep --random N --space …`):
/// `lr=log:1e-4..1e-1` (log-uniform), `dropout=0..0.5` (uniform), `batch_size=int:16..256` (whole numbers,
/// both ends included), `optimizer=choice:sgd,adam` (one of these).
class SearchSpace
{
public:
    /// One field's range, from its flag `FIELD=RANGE`; nothing, with `error` naming the flag, when it is not one.
    static std::optional<SearchSpace> parse(const QString& flag, QString* error);

    const QString& field() const { return m_field; }
    /// A value drawn with `random`, as text for RunSpec::set (numbers with 4 significant digits).
    QString draw(std::mt19937_64& random) const;

private:
    enum class Kind { Uniform, LogUniform, Integer, Choice };
    QString m_field;
    Kind m_kind = Kind::Uniform;
    double m_low = 0;
    double m_high = 0;
    QStringList m_choices;
};

} // namespace jikken
