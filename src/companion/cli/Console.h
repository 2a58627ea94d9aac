#pragma once

#include <QString>

namespace jikken::console {

/// Exit codes of `jikken`.
constexpr int kOk = 0;
constexpr int kFailure = 1; ///< the command could not do its work
constexpr int kUsage = 2;   ///< bad flags or arguments

void out(const QString& text);
/// One line on stderr, "jikken: <message>".
int fail(const QString& message, int code = kFailure);
void note(const QString& line);
bool stderrIsTerminal();
/// Quotes `argument` for a POSIX shell when it needs it, so a recorded command can be pasted back.
QString shellQuote(const QString& argument);

} // namespace jikken::console
