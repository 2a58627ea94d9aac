#pragma once

#include <QDate>
#include <QString>

#include <optional>

namespace jikken {

/// A model's identity, `YYYYMMDD_NN_method`: the registry's date, the model's number within that day
/// (01..99 with two digits, then 100..999 with three) and the method (lowercase letters, digits, '-').
/// IDs order by date, then number, then method, so 20190705_100_x follows 20190705_99_x.
class ModelId
{
public:
    static constexpr int kMaxNumber = 999;
    static constexpr int kMaxMethodLength = 40;

    ModelId() = default;
    ModelId(QDate date, int number, QString method);

    /// Parses `text`; on failure returns nullopt and, when `error` is given, says what is wrong.
    static std::optional<ModelId> parse(const QString& text, QString* error = nullptr);
    /// Empty when `method` is allowed, else a sentence that says what is allowed.
    static QString methodError(const QString& method);

    bool isValid() const { return m_date.isValid() && m_number >= 1 && m_number <= kMaxNumber && !m_method.isEmpty(); }
    QDate date() const { return m_date; }
    int number() const { return m_number; }
    const QString& method() const { return m_method; }
    QString toString() const;

    friend bool operator==(const ModelId& a, const ModelId& b)
    {
        return a.m_date == b.m_date && a.m_number == b.m_number && a.m_method == b.m_method;
    }
    friend bool operator!=(const ModelId& a, const ModelId& b) { return !(a == b); }
    friend bool operator<(const ModelId& a, const ModelId& b);

private:
    QDate m_date;
    int m_number = 0;
    QString m_method;
};

} // namespace jikken
