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

} // namespace jikken::ShellQuote
