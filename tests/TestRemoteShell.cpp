// Where ssh's shared-connection sockets live: a folder of this user's alone, never one another user made.
#include "dispatch/RemoteShell.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <unistd.h>

using namespace jikken;

class TestRemoteShell : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void socketsGoToAPrivateFolder()
    {
        QTemporaryDir base;
        QVERIFY(QFile::setPermissions(base.path(), QFileDevice::Permissions(0x7777))); // as open as /tmp
        qputenv("XDG_RUNTIME_DIR", base.path().toUtf8());
        const QString folder = RemoteShell::controlFolder();
        QCOMPARE(folder, base.filePath(QStringLiteral("jikken-ssh-%1").arg(::getuid())));
        QCOMPARE(QFileInfo(folder).permissions() & 0x0077, QFileDevice::Permissions());
        QCOMPARE(RemoteShell::controlFolder(), folder); // the same next time
    }

    void aFolderOthersCanEnterIsRefused()
    {
        QTemporaryDir base;
        qputenv("XDG_RUNTIME_DIR", base.path().toUtf8());
        const QString folder = base.filePath(QStringLiteral("jikken-ssh-%1").arg(::getuid()));
        QVERIFY(QDir().mkdir(folder));
        QVERIFY(QFile::setPermissions(folder, QFileDevice::Permissions(0x7777)));
        QCOMPARE(RemoteShell::controlFolder(), QString());

        // A link planted under the name, pointing at a folder of ours, is refused too.
        QVERIFY(QDir().rmdir(folder));
        QTemporaryDir elsewhere;
        QVERIFY(QFile::link(elsewhere.path(), folder));
        QCOMPARE(RemoteShell::controlFolder(), QString());
    }
};

QTEST_GUILESS_MAIN(TestRemoteShell)
#include "TestRemoteShell.moc"
