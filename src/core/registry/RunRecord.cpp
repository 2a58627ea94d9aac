#include "RunRecord.h"

#include "StoredText.h"

#include <algorithm>
#include <array>

namespace jikken {

namespace {
constexpr std::array<std::pair<RunStatus, const char16_t*>, 9> kStatusNames{{
    {RunStatus::Reserved, u"reserved"},
    {RunStatus::Running, u"running"},
    {RunStatus::Finished, u"finished"},
    {RunStatus::Failed, u"failed"},
    {RunStatus::Stopped, u"stopped"},
    {RunStatus::Lost, u"lost"},
    {RunStatus::Diverged, u"diverged"},
    {RunStatus::Unknown, u"unknown"},
    {RunStatus::Queued, u"queued"},
}};
} // namespace

RunDescription RunRecord::description() const
{
    return {model, dataset, hparams, host, device, command, spec, gitCommit, gitDirty, versions, logDir, totalEpochs};
}

QString toString(RunStatus status)
{
    for (const auto& [value, name] : kStatusNames) {
        if (value == status)
            return QString::fromUtf16(name);
    }
    return {};
}

std::optional<RunStatus> runStatusFromString(const QString& text)
{
    for (const auto& [value, name] : kStatusNames) {
        if (text == QStringView(name))
            return value;
    }
    return std::nullopt;
}

bool isTerminal(RunStatus status)
{
    return status == RunStatus::Finished || status == RunStatus::Failed || status == RunStatus::Stopped ||
           status == RunStatus::Diverged;
}

QString RunRecord::memoError(const QString& memo)
{
    if (memo.size() <= kMaxMemoLength) // fewer UTF-16 units than the limit: fewer characters too
        return {};
    const qsizetype characters = StoredText::characters(memo);
    return characters > kMaxMemoLength
               ? QStringLiteral("memo: at most %1 characters (this one has %2)").arg(kMaxMemoLength).arg(characters)
               : QString();
}

QStringList RunRecord::normalizedLabels(const QStringList& labels)
{
    QStringList result;
    QStringList folded;
    for (const QString& label : labels) {
        const QString normal = label.normalized(QString::NormalizationForm_C);
        const QString key = normal.toCaseFolded();
        if (folded.contains(key))
            continue;
        folded << key;
        result << normal;
    }
    return result;
}

QStringList RunRecord::editedLabels(const QStringList& current, const QStringList& add, const QStringList& remove)
{
    QStringList gone;
    for (const QString& label : normalizedLabels(remove))
        gone << label.toCaseFolded();
    QStringList kept;
    for (const QString& label : normalizedLabels(current + add)) {
        if (!gone.contains(label.toCaseFolded()))
            kept << label;
    }
    return kept;
}

QString RunRecord::labelsError(const QStringList& labels)
{
    constexpr int kMaxLabels = 32;
    constexpr int kMaxLabelLength = 64;
    if (labels.size() > kMaxLabels)
        return QStringLiteral("labels: at most %1 on a run").arg(kMaxLabels);
    for (const QString& label : labels) {
        // Spaces, commas, controls and what cannot be seen or turns the text around (format characters:
        // U+200B, U+202E), private-use and unassigned code points, lone surrogates.
        const QList<uint> codePoints = label.toUcs4();
        const bool unfit = label.isEmpty() || !QStringView(label).isValidUtf16() ||
                           codePoints.size() > kMaxLabelLength ||
                           std::any_of(codePoints.begin(), codePoints.end(), [](uint c) {
                               const QChar::Category category = QChar::category(c);
                               return QChar::isSpace(c) || c == u',' || category == QChar::Other_Control ||
                                      category == QChar::Other_Format || category == QChar::Other_PrivateUse ||
                                      category == QChar::Other_NotAssigned || category == QChar::Other_Surrogate;
                           });
        if (unfit)
            return QStringLiteral("labels: \"%1\" is not a label (no spaces, commas, control or invisible characters; "
                                  "1 to %2 characters)")
                .arg(label)
                .arg(kMaxLabelLength);
    }
    return {};
}

} // namespace jikken
