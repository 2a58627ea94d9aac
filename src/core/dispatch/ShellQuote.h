#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace jikken::ShellQuote {

/// `text` as one word of a POSIX shell, whatever it holds (quotes, `$(…)`, backticks, `;`, newlines,
/// non-ASCII): single quotes around it, each single quote inside written as '\''. Every piece of text
/// from a user that reaches a shell, locally or over SSH, goes through here.
QString quote(const QString& text);

/// The words, each quoted, joined by spaces: a command line a shell runs as exactly these arguments.
QString command(const QStringList& words);

/// A command line split into words as a POSIX shell would, for quoting only: '…' keeps everything, "…"
/// keeps all but \" \\ \$ \` escapes, a backslash outside quotes keeps the next character. Nothing is
/// expanded ($, globs). None (and `error`) for an unmatched quote. The inverse of `command`.
std::optional<QStringList> split(const QString& line, QString* error);

/// A here-document that feeds `content` to `target` literally (quoted delimiter: no expansion), with a
/// delimiter that `content` does not contain.
QString hereDocument(const QString& target, const QString& content);

} // namespace jikken::ShellQuote
