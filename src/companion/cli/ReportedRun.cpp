#include "ReportedRun.h"

#include "Console.h"
#include "JournalDelivery.h"
#include "RunFolder.h"

#include <QDir>

namespace jikken {

ReportedRun::ReportedRun(QString id, QString folder, RegistryClient& direct)
    : m_id(std::move(id)), m_folder(std::move(folder)), m_registry(&direct)
{
}

ReportedRun::~ReportedRun()
{
    if (m_claimed)
        RunFolder::release(m_folder);
}

std::optional<int> ReportedRun::open(const ClientConfig& config)
{
    QString error;
    if (!QDir().mkpath(m_folder))
        return fail(QStringLiteral("cannot create %1").arg(m_folder));
    if (!RunFolder::claim(m_folder, &error))
        return fail(error);
    m_claimed = true;
    if (config.isService()) {
        m_journaled = std::make_unique<JournalingRegistryClient>(config.service, config.token, m_id, m_folder,
                                                                 journal::options());
        if (!m_journaled->start(&error))
            return fail(error);
        m_registry = m_journaled.get();
    }
    return std::nullopt;
}

int ReportedRun::fail(const QString& reason)
{
    QString ignored;
    m_registry->setStatus(m_id, RunStatus::Failed, reason, &ignored);
    deliver();
    return console::fail(QStringLiteral("%1 failed: %2").arg(m_id, reason));
}

bool ReportedRun::deliver()
{
    return !m_journaled || journal::deliver(*m_journaled, m_folder);
}

} // namespace jikken
