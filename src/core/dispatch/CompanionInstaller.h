#pragma once

#include "CompanionBundle.h"

#include <QString>

#include <functional>

#include <optional>

namespace jikken {

/// `jikken install HOST`: puts a self-contained companion (`CompanionBundle`) on a host over the same
/// ssh as dispatch. Only files the host lacks (or has at another size) travel, as one tar stream into
/// `tar -x` there; then the installed companion is run once to prove it starts. The default folder,
/// `~/.local/lib/jikken`, gets a link in `~/.local/bin`, which Debian's and most login shells put on PATH.
class CompanionInstaller
{
public:
    static QString defaultPrefix() { return QStringLiteral(".local/lib/jikken"); }

    struct Report
    {
        int sent = 0;
        int kept = 0; ///< already there, the same size
        qint64 bytesSent = 0;
        QString launcher; ///< where `jikken` now is on the host
        QString version;  ///< what the installed companion says
    };

    /// `prefix`: relative to the home folder on the host, or absolute. `sending` hears how much is about to
    /// travel, once the host has answered (a long copy deserves a word first).
    static std::optional<Report> install(const QString& host, const CompanionBundle& bundle, const QString& prefix,
                                         const std::function<void(int files, qint64 bytes)>& sending, QString* error);
};

} // namespace jikken
