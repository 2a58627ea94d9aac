// What `jikken install` ships besides what ldd lists: the libraries a CUDA libtorch loads by name at run time.
#include "dispatch/CompanionBundle.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace jikken;

class TestCompanionBundle : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // A folder laid out as pip's nvidia-cudnn-cu13 and torch/lib are.
    void findsWhatCudaLibrariesLoadByName()
    {
        QTemporaryDir dir;
        for (const char* name : {"libcudnn.so.9", "libcudnn_ops.so.9", "libcudnn_cnn.so.9", "libcublas.so.13",
                                 "libnvrtc.so.13", "libnvrtc-builtins.so.13.0", "libtorch_cuda.so",
                                 "libtorch_cuda_linalg.so", "libtorch_cpu.so", "libtorch_python.so"}) {
            QFile file(dir.filePath(QString::fromLatin1(name)));
            QVERIFY(file.open(QIODevice::WriteOnly));
        }
        const auto names = [&](const char* library) {
            QStringList found;
            for (const QString& path : CompanionBundle::loadedAtRunTime(dir.filePath(QString::fromLatin1(library))))
                found.append(QFileInfo(path).fileName());
            return found;
        };
        QCOMPARE(names("libcudnn.so.9"), (QStringList{QStringLiteral("libcudnn_cnn.so.9"), QStringLiteral("libcudnn_ops.so.9")}));
        QCOMPARE(names("libnvrtc.so.13"), QStringList{QStringLiteral("libnvrtc-builtins.so.13.0")});
        QCOMPARE(names("libtorch_cuda.so"), QStringList{QStringLiteral("libtorch_cuda_linalg.so")});
        QCOMPARE(names("libcublas.so.13"), QStringList());
        QCOMPARE(names("libtorch_cpu.so"), QStringList()); // never libtorch_python: it would need libpython
    }

    void leavesTheDriverAndGlibcToTheHost()
    {
        for (const char* soname : {"libc.so.6", "libm.so.6", "ld-linux-x86-64.so.2", "libcuda.so.1", "libnvidia-ml.so.1"})
            QVERIFY2(CompanionBundle::belongsToTheHost(QString::fromLatin1(soname)), soname);
        for (const char* soname : {"libcudnn.so.9", "libcublas.so.13", "libQt6Core.so.6", "libcudart.so.13"})
            QVERIFY2(!CompanionBundle::belongsToTheHost(QString::fromLatin1(soname)), soname);
    }
};

QTEST_GUILESS_MAIN(TestCompanionBundle)
#include "TestCompanionBundle.moc"
