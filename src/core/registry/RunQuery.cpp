#include "RunQuery.h"

#include <QHash>
#include <QJsonObject>
#include <QJsonValue>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace jikken {

namespace {

QString normalizedKey(QStringView key)
{
    // One pass, one string: every key of every run is normalized when a filter names a key loosely.
    QString out;
    out.reserve(key.size());
    for (const QChar c : key.trimmed()) {
        if (c != u' ' && c != u'_' && c != u'-')
            out += c.toLower();
    }
    return out;
}

/// The words of a query: spaces separate, double quotes keep spaces (and are dropped).
std::optional<QStringList> words(const QString& text, QString* error)
{
    QStringList out;
    QString word;
    bool quoted = false;
    bool any = false;
    for (const QChar c : text) {
        if (c == u'"') {
            quoted = !quoted;
            any = true;
        } else if (c.isSpace() && !quoted) {
            if (any)
                out << word;
            word.clear();
            any = false;
        } else {
            word += c;
            any = true;
        }
    }
    if (quoted) {
        *error = QStringLiteral("a quote is left open");
        return std::nullopt;
    }
    if (any)
        out << word;
    return out;
}

/// The run's number under `key`, if it has one.
std::optional<double> numberOf(const RunRecord& run, const RunKeys& keys, const QString& typed, const QString& key)
{
    if (key == QLatin1String("error") || key == QLatin1String("testerror"))
        return run.latestTestError;
    if (key == QLatin1String("best") || key == QLatin1String("besterror") || key == QLatin1String("besttesterror"))
        return run.bestTestError;
    if (key == QLatin1String("epoch"))
        return run.epoch;
    if (key == QLatin1String("step"))
        return static_cast<double>(run.step);
    for (int which : {0, 1}) {
        const QJsonValue value = keys.value(which, typed, key);
        if (value.isDouble())
            return value.toDouble();
        bool ok = false;
        const double parsed = value.toString().toDouble(&ok);
        if (value.isString() && ok)
            return parsed;
    }
    return std::nullopt;
}

/// The run's text under `key`, if it has one, and whether it must equal the value (else contain it).
std::optional<std::pair<QString, bool>> textOf(const RunRecord& run, const RunKeys& keys, const QString& typed,
                                               const QString& key)
{
    if (key == QLatin1String("id"))
        return std::pair{run.id, true};
    if (key == QLatin1String("method"))
        return std::pair{run.method, true};
    if (key == QLatin1String("model"))
        return std::pair{run.model, true};
    if (key == QLatin1String("dataset"))
        return std::pair{run.dataset, true};
    if (key == QLatin1String("status"))
        return std::pair{toString(run.status), true};
    if (key == QLatin1String("host"))
        return std::pair{run.host, true};
    if (key == QLatin1String("memo"))
        return std::pair{run.memo, false};
    for (int which : {0, 1}) {
        const QJsonValue value = keys.value(which, typed, key);
        if (value.isString())
            return std::pair{value.toString(), false};
    }
    return std::nullopt;
}

} // namespace

namespace {

/// normalizedKey through a memo: runs share their keys (fifty hyperparameters, ten thousand runs), and a
/// lookup of a shared string is several times cheaper than normalizing it again. Per thread, and emptied
/// when it holds many (keys made up by the thousand).
const QString& memoizedNormalizedKey(const QString& key)
{
    thread_local QHash<QString, QString> memo;
    if (memo.size() > 100'000)
        memo.clear();
    auto it = memo.find(key);
    if (it == memo.end())
        it = memo.insert(key, normalizedKey(key));
    return *it;
}

} // namespace

QJsonValue RunKeys::value(int which, const QString& typed, const QString& normalized) const
{
    const QJsonObject& object = which == 0 ? m_run.hparams : m_run.fields;
    const auto exact = object.constFind(typed);
    if (exact != object.constEnd())
        return *exact;
    if (!m_index) {
        m_index.emplace();
        const QJsonObject* objects[] = {&m_run.hparams, &m_run.fields};
        for (int i = 0; i < 2; ++i) {
            for (auto it = objects[i]->begin(); it != objects[i]->end(); ++it) {
                const QString& key = memoizedNormalizedKey(it.key());
                if (!(*m_index)[i].contains(key)) // the first in key order, as a walk would find
                    (*m_index)[i].insert(key, it.value());
            }
        }
    }
    return (*m_index)[which].value(normalized, QJsonValue(QJsonValue::Undefined));
}

std::optional<RunQuery> RunQuery::parse(const QString& text, QString* error)
{
    QString problem;
    RunQuery query = readable(text, &problem);
    if (problem.isEmpty())
        return query;
    *error = problem;
    return std::nullopt;
}

RunQuery RunQuery::readable(const QString& text, QString* problem)
{
    problem->clear();
    auto parts = words(text, problem);
    if (!parts) // a quote left open: the terms before it
        parts = words(text.left(text.lastIndexOf(u'"')), problem);
    // Bounded, so a filter typed (or pasted) into the desktop's box never holds up its window for long.
    if (parts && parts->size() > kMaxTerms) {
        *problem = QStringLiteral("a query has at most %1 terms (this one has %2)").arg(kMaxTerms).arg(parts->size());
        parts->resize(kMaxTerms);
    }
    RunQuery query;
    for (QString word : parts.value_or(QStringList())) {
        Term term;
        if (word.size() > 1 && word.startsWith(u'-')) {
            term.negated = true;
            word.remove(0, 1);
        }
        // The first operator splits the word (a value may hold ':' or '<' after it): < <= > >= = != :
        qsizetype at = 1;
        QString symbol;
        for (; at < word.size() && symbol.isEmpty(); ++at) {
            const QChar c = word[at];
            const bool thenEquals = at + 1 < word.size() && word[at + 1] == u'=';
            if (c == u':' || c == u'=' || c == u'<' || c == u'>')
                symbol = (c == u'<' || c == u'>') && thenEquals ? word.mid(at, 2) : QString(c);
            else if (c == u'!' && thenEquals)
                symbol = QStringLiteral("!=");
        }
        if (symbol.isEmpty()) {
            term.value = word;
            query.m_terms.append(term);
            continue;
        }
        --at;
        static const QHash<QString, Op> kOperators{
            {QStringLiteral(":"), Op::Has},           {QStringLiteral("<"), Op::Less},
            {QStringLiteral("<="), Op::LessEqual},    {QStringLiteral(">"), Op::Greater},
            {QStringLiteral(">="), Op::GreaterEqual}, {QStringLiteral("="), Op::Equal},
            {QStringLiteral("!="), Op::NotEqual}};
        term.op = kOperators.value(symbol);
        term.typed = word.left(at);
        term.key = normalizedKey(term.typed);
        term.value = word.mid(at + symbol.size());
        if (term.op != Op::Has) {
            bool ok = false;
            term.number = term.value.toDouble(&ok);
            if (!ok) {
                if (problem->isEmpty())
                    *problem =
                        QStringLiteral("%1 wants a number after %2, not \"%3\"").arg(word.left(at), symbol, term.value);
                continue;
            }
        }
        query.m_terms.append(term);
    }
    return query;
}

namespace {

/// The keys a query knows without looking at any run's hyperparameters, normalized.
const QStringList& ownKeys()
{
    static const QStringList kOwn{QStringLiteral("id"),        QStringLiteral("method"),        QStringLiteral("model"),
                                  QStringLiteral("dataset"),   QStringLiteral("status"),        QStringLiteral("host"),
                                  QStringLiteral("memo"),      QStringLiteral("tag"),           QStringLiteral("label"),
                                  QStringLiteral("error"),     QStringLiteral("testerror"),     QStringLiteral("best"),
                                  QStringLiteral("besterror"), QStringLiteral("besttesterror"), QStringLiteral("epoch"),
                                  QStringLiteral("step")};
    return kOwn;
}

/// Levenshtein's edit distance: how many characters to insert, delete or change.
int editDistance(const QString& a, const QString& b)
{
    QVector<int> row(b.size() + 1);
    for (int j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (int i = 1; i <= a.size(); ++i) {
        int diagonal = row[0];
        row[0] = i;
        for (int j = 1; j <= b.size(); ++j) {
            const int above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

} // namespace

QString RunQuery::unknownKeyProblem(const QVector<RunRecord>& runs) const
{
    QHash<QString, QString> known; // normalized -> as written
    for (const QString& key : ownKeys())
        known.insert(key, key);
    bool gathered = false; // the runs' keys, gathered at the first key not known without them
    for (const Term& term : m_terms) {
        if (term.op == Op::Text || known.contains(term.key))
            continue;
        if (!std::exchange(gathered, true)) {
            for (const RunRecord& run : runs) {
                for (const QJsonObject* object : {&run.hparams, &run.fields}) {
                    for (auto it = object->begin(); it != object->end(); ++it)
                        known.insert(normalizedKey(it.key()), it.key());
                }
            }
            if (known.contains(term.key))
                continue;
        }
        QString nearest;
        int best = std::numeric_limits<int>::max();
        for (auto it = known.cbegin(); it != known.cend(); ++it) {
            const int distance = editDistance(term.key, it.key());
            if (distance < best || (distance == best && it.value() < nearest)) {
                best = distance;
                nearest = it.value();
            }
        }
        return QStringLiteral("no run has “%1”; the nearest key is “%2”").arg(term.typed, nearest);
    }
    return {};
}

bool RunQuery::matches(const RunRecord& run) const
{
    const RunKeys keys(run);
    for (const Term& term : m_terms) {
        if (matchesTerm(run, keys, term) == term.negated)
            return false;
    }
    return true;
}

bool RunQuery::matchesTerm(const RunRecord& run, const RunKeys& keys, const Term& term)
{
    if (term.op == Op::Text) {
        for (const QString* field : {&run.id, &run.method, &run.model, &run.dataset, &run.memo}) {
            if (field->contains(term.value, Qt::CaseInsensitive))
                return true;
        }
        return false;
    }
    if (term.op == Op::Has && (term.key == QLatin1String("tag") || term.key == QLatin1String("label")))
        return run.labels.contains(term.value, Qt::CaseInsensitive);
    if (term.op == Op::Has) {
        if (const auto text = textOf(run, keys, term.typed, term.key))
            return text->second ? text->first.compare(term.value, Qt::CaseInsensitive) == 0
                                : text->first.contains(term.value, Qt::CaseInsensitive);
        bool ok = false;
        const double wanted = term.value.toDouble(&ok);
        const auto number = numberOf(run, keys, term.typed, term.key);
        return ok && number && *number == wanted;
    }
    const auto number = numberOf(run, keys, term.typed, term.key);
    if (!number || std::isnan(*number))
        return false;
    switch (term.op) {
    case Op::Less:
        return *number < term.number;
    case Op::LessEqual:
        return *number <= term.number;
    case Op::Greater:
        return *number > term.number;
    case Op::GreaterEqual:
        return *number >= term.number;
    case Op::Equal:
        return *number == term.number;
    case Op::NotEqual:
        return *number != term.number;
    default:
        return false;
    }
}

} // namespace jikken
