#include "Console.h"

#include "dispatch/ShellQuote.h"

#include <QFile>
#include <QRegularExpression>

#include <cstdio>
#include <memory>
#include <unistd.h>

namespace jikken::console {

namespace {

std::unique_ptr<QFile>& keptFile()
{
    static std::unique_ptr<QFile> file;
    return file;
}

void print(FILE* stream, const QByteArray& bytes)
{
    std::fwrite(bytes.constData(), 1, static_cast<size_t>(bytes.size()), stream);
    std::fflush(stream);
    keep(bytes);
}

} // namespace

bool keepIn(const QString& path, QString* error)
{
    auto file = std::make_unique<QFile>(path);
    if (!file->open(QIODevice::Append | QIODevice::Unbuffered)) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file->errorString());
        return false;
    }
    keptFile() = std::move(file);
    return true;
}

void keep(const QByteArray& bytes)
{
    // A full disk must not stop the training: the terminal still has every line.
    if (keptFile())
        keptFile()->write(bytes);
}

void out(const QString& text)
{
    print(stdout, text.toUtf8());
}

int fail(const QString& message, int code)
{
    // One line, whatever the message held: a multi-line error would be read as several.
    QString line = message;
    line.replace(u'\n', u' ');
    print(stderr, "jikken: " + line.toUtf8() + '\n');
    return code;
}

void note(const QString& line)
{
    print(stderr, line.toUtf8() + '\n');
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
