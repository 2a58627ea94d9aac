#pragma once

#include "registry/RunRecord.h"

#include <QHash>
#include <QJsonValue>
#include <QString>
#include <QVector>

#include <array>

#include <optional>

namespace jikken {

/// A run's hyperparameters [0] and imported columns [1] as a query's terms look them up: by the key as
/// typed first (a binary search in the JSON object, nothing copied), else by normalized key from an index
/// made once per run at the first miss (a QJsonObject makes a QString of each key it walks).
class RunKeys
{
public:
    explicit RunKeys(const RunRecord& run) : m_run(run) {}
    QJsonValue value(int which, const QString& typed, const QString& normalized) const;

private:
    const RunRecord& m_run;
    mutable std::optional<std::array<QHash<QString, QJsonValue>, 2>> m_index;
};

/// What the registry's filter box takes, as dashboards do: terms separated by spaces, all of which a run
/// must match.
///
///     model:resnet18 lr<0.05 status:running method:focalloss memo:"gamma 2" -status:failed imb100
///
/// - `key:value`: the field holds the value — exactly for id, method, model, dataset, status and host
///   (case ignored), `tag:x` a run labelled x (`jikken tag`), as a part for memo and for any hyperparameter or imported
///   column holding text; numerically for numbers (`lr:0.1`).
/// - `key<x`, `key<=x`, `key>x`, `key>=x`, `key=x`, `key!=x`: numbers compared — hyperparameters and
///   imported columns by name, and `error` (latest test error), `best` (best test error), `epoch`, `step`.
/// - A term in double quotes keeps its spaces; `-term` is its opposite.
/// - Anything else is free text, looked for in the ID, method, model, dataset and memo.
/// Keys ignore case, spaces, '_' and '-' (batch_size = batchsize = Batch Size).
class RunQuery
{
public:
    static constexpr int kMaxTerms = 64;
    /// The query, or why it cannot be read (a comparison without a number, a quote left open, more than
    /// kMaxTerms terms).
    static std::optional<RunQuery> parse(const QString& text, QString* error);
    /// The terms of `text` that can be read, and in `problem` why the others cannot (empty when all can): a
    /// comparison without a number is left out, a quote left open leaves out what follows it, terms past
    /// kMaxTerms are left out. What a filter box shows while a term is being typed.
    static RunQuery readable(const QString& text, QString* problem);

    bool matches(const RunRecord& run) const;
    bool isEmpty() const { return m_terms.isEmpty(); }
    /// What is wrong with the query's keys for these runs, or empty: a key that is neither one of a run's own
    /// fields (id, error, best, …) nor a hyperparameter or imported column of any of them names itself and
    /// the nearest key there is ("no run has “lrr”; the nearest key is “lr”"), as it can match nothing.
    QString unknownKeyProblem(const QVector<RunRecord>& runs) const;

private:
    enum class Op { Text, Has, Less, LessEqual, Greater, GreaterEqual, Equal, NotEqual };
    struct Term
    {
        Op op = Op::Text;
        QString key;   ///< normalized; empty for free text
        QString typed; ///< the key as written
        QString value;
        double number = 0;
        bool negated = false;
    };

    static bool matchesTerm(const RunRecord& run, const RunKeys& keys, const Term& term);
    QVector<Term> m_terms;
};

} // namespace jikken
