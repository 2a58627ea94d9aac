#include "ModelId.h"

#include <tuple>

namespace jikken {

namespace {

bool isMethodChar(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9') || c == u'-';
}

bool allDigits(QStringView text)
{
    for (QChar c : text) {
        if (c < u'0' || c > u'9')
            return false;
    }
    return !text.isEmpty();
}

bool fail(QString* error, const QString& message)
{
    if (error)
        *error = message;
    return false;
}

} // namespace

ModelId::ModelId(QDate date, int number, QString method) : m_date(date), m_number(number), m_method(std::move(method))
{
}

QString ModelId::methodError(const QString& method)
{
    const QString allowed = QStringLiteral("a method is 1-%1 characters of lowercase letters a-z, digits 0-9 and '-'")
                                .arg(kMaxMethodLength);
    if (method.isEmpty())
        return QStringLiteral("the method is empty; ") + allowed;
    if (method.size() > kMaxMethodLength)
        return QStringLiteral("the method is %1 characters long; ").arg(method.size()) + allowed;
    for (QChar c : method) {
        if (!isMethodChar(c))
            return QStringLiteral("the method \"%1\" contains '%2'; ").arg(method, QString(c)) + allowed;
    }
    return {};
}

std::optional<ModelId> ModelId::parse(const QString& text, QString* error)
{
    const QString shape = QStringLiteral("a model ID looks like 20190705_01_focalloss (YYYYMMDD_NN_method)");
    const qsizetype first = text.indexOf(u'_');
    const qsizetype second = first < 0 ? -1 : text.indexOf(u'_', first + 1);
    if (first != 8 || second < 0) {
        fail(error, QStringLiteral("\"%1\" is not a model ID; ").arg(text) + shape);
        return std::nullopt;
    }
    const QStringView dateText = QStringView(text).left(8);
    const QStringView numberText = QStringView(text).mid(9, second - 9);
    const QString method = text.mid(second + 1);

    const QDate date =
        allDigits(dateText) ? QDate::fromString(dateText.toString(), QStringLiteral("yyyyMMdd")) : QDate();
    if (!date.isValid()) {
        fail(error, QStringLiteral("\"%1\" has no valid date; ").arg(text) + shape);
        return std::nullopt;
    }
    // Two digits for 01..99, exactly three for 100..999: one spelling per number, so IDs never alias.
    const int number = allDigits(numberText) ? numberText.toInt() : 0;
    const bool canonical = (numberText.size() == 2 && number >= 1 && number <= 99) ||
                           (numberText.size() == 3 && number >= 100 && number <= kMaxNumber);
    if (!canonical) {
        fail(error,
             QStringLiteral("\"%1\" has no valid number of the day (01-99, then 100-%2); ").arg(text).arg(kMaxNumber) +
                 shape);
        return std::nullopt;
    }
    const QString problem = methodError(method);
    if (!problem.isEmpty()) {
        fail(error, QStringLiteral("\"%1\": ").arg(text) + problem);
        return std::nullopt;
    }
    return ModelId(date, number, method);
}

QString ModelId::toString() const
{
    return m_date.toString(QStringLiteral("yyyyMMdd")) + u'_' +
           QStringLiteral("%1").arg(m_number, 2, 10, QLatin1Char('0')) + u'_' + m_method;
}

bool operator<(const ModelId& a, const ModelId& b)
{
    return std::tie(a.m_date, a.m_number, a.m_method) < std::tie(b.m_date, b.m_number, b.m_method);
}

} // namespace jikken
