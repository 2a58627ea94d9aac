#include "ShellQuote.h"

#include <QUuid>

namespace jikken::ShellQuote {

QString quote(const QString& text)
{
    QString quoted = text;
    quoted.replace(u'\'', QStringLiteral("'\\''"));
    return u'\'' + quoted + u'\'';
}

QString command(const QStringList& words)
{
    QStringList quoted;
    for (const QString& word : words)
        quoted << quote(word);
    return quoted.join(u' ');
}

QString hereDocument(const QString& target, const QString& content)
{
    QString delimiter;
    do
        delimiter = QStringLiteral("JIKKEN_") + QUuid::createUuid().toString(QUuid::Id128);
    while (content.contains(delimiter));
    QString body = content;
    if (!body.endsWith(u'\n'))
        body += u'\n';
    return QStringLiteral("cat > %1 <<'%2'\n%3%2\n").arg(quote(target), delimiter, body);
}

std::optional<QStringList> split(const QString& line, QString* error)
{
    QStringList words;
    QString word;
    bool inWord = false;
    for (qsizetype i = 0; i < line.size(); ++i) {
        const QChar c = line[i];
        if (c == u'\'') {
            const qsizetype end = line.indexOf(u'\'', i + 1);
            if (end < 0) {
                *error = QStringLiteral("the command has a ' with no closing '");
                return std::nullopt;
            }
            word += line.mid(i + 1, end - i - 1);
            inWord = true;
            i = end;
        } else if (c == u'"') {
            qsizetype j = i + 1;
            for (; j < line.size() && line[j] != u'"'; ++j) {
                if (line[j] == u'\\' && j + 1 < line.size() && QStringLiteral("\"\\$`").contains(line[j + 1]))
                    ++j;
                word += line[j];
            }
            if (j >= line.size()) {
                *error = QStringLiteral("the command has a \" with no closing \"");
                return std::nullopt;
            }
            inWord = true;
            i = j;
        } else if (c == u'\\' && i + 1 < line.size()) {
            word += line[++i];
            inWord = true;
        } else if (c.isSpace()) {
            if (inWord)
                words << word;
            word.clear();
            inWord = false;
        } else {
            word += c;
            inWord = true;
        }
    }
    if (inWord)
        words << word;
    return words;
}

} // namespace jikken::ShellQuote
