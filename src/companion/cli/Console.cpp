#include "Console.h"

#include "dispatch/ShellQuote.h"

#include <QRegularExpression>

#include <cstdio>
#include <unistd.h>

namespace jikken::console {

void out(const QString& text)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, static_cast<size_t>(bytes.size()), stdout);
    std::fflush(stdout);
}

int fail(const QString& message, int code)
{
    // One line, whatever the message held: a multi-line error would be read as several.
    QString line = message;
    line.replace(u'\n', u' ');
    std::fprintf(stderr, "jikken: %s\n", line.toUtf8().constData());
    return code;
}

void note(const QString& line)
{
    std::fprintf(stderr, "%s\n", line.toUtf8().constData());
}

bool stderrIsTerminal()
{
    return isatty(STDERR_FILENO) == 1;
}

QString shellQuote(const QString& argument)
{
    static const QRegularExpression safe(QStringLiteral("^[A-Za-z0-9_./:=@%+,-]+$"));
    return safe.match(argument).hasMatch() ? argument : ShellQuote::quote(argument);
}

} // namespace jikken::console
