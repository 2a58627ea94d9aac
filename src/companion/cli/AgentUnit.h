#pragma once

#include <QString>
#include <QStringList>

namespace jikken::AgentUnit {

/// A systemd user unit that runs `jikken agent ARGUMENTS…` (`program` its absolute path) with the
/// environment `environment` ("NAME=value") and, where given, `environmentFile`'s (a token kept apart from
/// the unit, readable by its owner only), started again if it fails, its runs ending with it. Every
/// word is quoted as systemd reads it (`"`, `\`, `%` and `$` escaped), so no value is ever read as a
/// specifier, a variable or two words.
QString text(const QString& name, const QString& program, const QStringList& arguments, const QStringList& environment,
             const QString& environmentFile = {});

/// Writes `text` to `path` (its folder made), readable by its owner only, whole or not at all.
bool writePrivate(const QString& path, const QString& text, QString* error);

} // namespace jikken::AgentUnit
