#include "RunRecord.h"

#include <algorithm>

#include <array>

namespace jikken {

namespace {
constexpr std::array<std::pair<RunStatus, const char16_t*>, 6> kStatusNames{{
    {RunStatus::Reserved, u"reserved"},
    {RunStatus::Running, u"running"},
    {RunStatus::Finished, u"finished"},
    {RunStatus::Failed, u"failed"},
    {RunStatus::Stopped, u"stopped"},
    {RunStatus::Lost, u"lost"},
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
    return status == RunStatus::Finished || status == RunStatus::Failed || status == RunStatus::Stopped;
}

QString RunRecord::memoError(const QString& memo)
{
    return memo.size() > kMaxMemoLength
               ? QStringLiteral("memo: at most %1 characters (this one has %2)").arg(kMaxMemoLength).arg(memo.size())
               : QString();
}

QString RunRecord::labelsError(const QStringList& labels)
{
    constexpr int kMaxLabels = 32;
    constexpr int kMaxLabelLength = 64;
    if (labels.size() > kMaxLabels)
        return QStringLiteral("labels: at most %1 on a run").arg(kMaxLabels);
    for (const QString& label : labels) {
        const bool blank = label.isEmpty() || std::any_of(label.begin(), label.end(), [](QChar c) {
                               return c.isSpace() || c == u',' || c.category() == QChar::Other_Control;
                           });
        if (blank || label.size() > kMaxLabelLength)
            return QStringLiteral("labels: \"%1\" is not a label (no spaces or commas, 1 to %2 characters)")
                .arg(label)
                .arg(kMaxLabelLength);
    }
    return {};
}

} // namespace jikken
