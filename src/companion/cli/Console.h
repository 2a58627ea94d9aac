#pragma once

#include <QString>

namespace jikken::console {

/// Exit codes of `jikken`.
constexpr int kOk = 0;
constexpr int kFailure = 1; ///< the command could not do its work
constexpr int kUsage = 2;   ///< bad flags or arguments
/// The work is done, but some of its reports are not in the registry yet (EX_TEMPFAIL): they wait in the
/// run's journal, or the registry refused them and they were kept aside. The last line says which.
constexpr int kUndelivered = 75;

/// From now on, every line this process prints (out, fail, note) is also appended to `path`: a run's
/// `output.log`, read by `jikken output` and the app's Show Output whether or not the run was dispatched.
bool keepIn(const QString& path, QString* error);
/// Appends what a command started by this one printed to the kept file (see keepIn), if any.
void keep(const QByteArray& bytes);

void out(const QString& text);
/// One line on stderr, "jikken: <message>".
int fail(const QString& message, int code = kFailure);
void note(const QString& line);
bool stderrIsTerminal();
/// Quotes `argument` for a POSIX shell when it needs it, so a recorded command can be pasted back.
QString shellQuote(const QString& argument);

} // namespace jikken::console
