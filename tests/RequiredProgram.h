#pragma once

// A test that needs a program fails, naming it, when the program is missing; it never skips. Every
// program here is installed by `scripts/setup-debian.sh --tests` (scripts/check-test-programs checks that).

#include <QStandardPaths>
#include <QString>

namespace jikken::testing {

/// The program's path (PATH, then the sbin folders where Debian puts daemons), or empty with `error` set
/// to a line naming it and the package that has it.
inline QString requireProgram(const QString& program, const QString& package, QString* error)
{
    QString found = QStandardPaths::findExecutable(program);
    if (found.isEmpty())
        found = QStandardPaths::findExecutable(program, {QStringLiteral("/usr/sbin"), QStringLiteral("/sbin")});
    if (found.isEmpty() && error)
        *error = QStringLiteral("this test needs %1, which is not installed (Debian package %2; "
                                "scripts/setup-debian.sh --tests installs it)")
                     .arg(program, package);
    return found;
}

} // namespace jikken::testing
