// Quoting for the shell, checked against a real /bin/sh: what `quote` and `command` write is read back by
// sh as exactly the words given, and `split` reads a command line as sh would split it.
#include "dispatch/ShellQuote.h"

#include <QProcess>
#include <QTest>

using namespace jikken;

namespace {

// The words sh sees in `line`, one per line of printf's output.
QStringList wordsAsShSeesThem(const QString& line)
{
    QProcess sh;
    sh.start(QStringLiteral("sh"), {QStringLiteral("-c"), QStringLiteral("printf '%s\\0' ") + line});
    sh.waitForFinished(10000);
    QStringList words = QString::fromUtf8(sh.readAllStandardOutput()).split(QChar(0));
    words.removeLast(); // after the last NUL
    return words;
}

const QStringList kHostile{
    QStringLiteral("it's"),       QStringLiteral("\"$(touch PWNED)\""), QStringLiteral("`id`"), QStringLiteral("a;b"),
    QStringLiteral("two\nlines"), QStringLiteral("実験 $HOME \\"),      QStringLiteral("*"),    QString()};

} // namespace

class TestShellQuote : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void quotedWordsReachShAsGiven()
    {
        QCOMPARE(wordsAsShSeesThem(ShellQuote::command(kHostile)), kHostile);
        QCOMPARE(ShellQuote::quote(QStringLiteral("it's")), QStringLiteral("'it'\\''s'"));
    }

    void splitsAsShDoes()
    {
        const QString line =
            QStringLiteral("python3 \"a b\" 'c d' e\\ f \"x\\\"y\" '$(touch P)' \"\\$HOME\" g'h'\"i\"");
        QString error;
        const auto words = ShellQuote::split(line, &error);
        QVERIFY(words);
        const QStringList expected{QStringLiteral("python3"), QStringLiteral("a b"),  QStringLiteral("c d"),
                                   QStringLiteral("e f"),     QStringLiteral("x\"y"), QStringLiteral("$(touch P)"),
                                   QStringLiteral("$HOME"),   QStringLiteral("ghi")};
        QCOMPARE(*words, expected);
        QCOMPARE(wordsAsShSeesThem(line), expected);
        QCOMPARE(*ShellQuote::split(ShellQuote::command(kHostile), &error), kHostile); // the inverse of command
        QCOMPARE(*ShellQuote::split(QStringLiteral("  "), &error), QStringList());
    }

    void anUnmatchedQuoteIsAnError()
    {
        QString error;
        QVERIFY(!ShellQuote::split(QStringLiteral("python3 'train.py"), &error));
        QCOMPARE(error, QStringLiteral("the command has a ' with no closing '"));
        QVERIFY(!ShellQuote::split(QStringLiteral("echo \"x"), &error));
        QCOMPARE(error, QStringLiteral("the command has a \" with no closing \""));
    }
};

QTEST_GUILESS_MAIN(TestShellQuote)
#include "TestShellQuote.moc"
