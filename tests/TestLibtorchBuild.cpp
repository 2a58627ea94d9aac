// What `jikken --version` says of the libtorch it was built against: read from libtorch's own build
// settings (at::show_config()), whichever libtorch that is.
#include "train/LibtorchBuild.h"

#include <QTest>

using namespace jikken;

class TestLibtorchBuild : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // PyPI's torch 2.11.0+cu130, as its show_config() ends.
    void readsACudaBuild()
    {
        const LibtorchBuild build = LibtorchBuild::fromConfig(QStringLiteral(
            "PyTorch built with:\n  - GCC 13.3\n  - CUDA Runtime 13.0\n  - Build settings: BLAS_INFO=mkl, "
            "BUILD_TYPE=Release, COMMIT_SHA=abc, CUDA_VERSION=13.0, CUDNN_VERSION=9.19.0, CXX_COMPILER=/opt/c++, "
            "CXX_FLAGS= -D_GLIBCXX_USE_CXX11_ABI=1 -fvisibility-inlines-hidden -O2, TORCH_VERSION=2.11.0, "
            "USE_CUDA=ON, USE_CUDNN=ON, USE_NCCL=1, USE_OPENMP=ON, \n"));
        QCOMPARE(build.libtorch, QStringLiteral("2.11.0"));
        QCOMPARE(build.cuda, QStringLiteral("13.0"));
        QCOMPARE(build.cudnn, QStringLiteral("9.19.0"));
        QVERIFY(build.nccl);
        QVERIFY(build.fusedAdam);
        QCOMPARE(build.describe().section(u'\n', 0, 0), QStringLiteral("libtorch 2.11.0, CUDA 13.0, cuDNN 9.19.0"));
    }

    // Debian's libtorch 1.13: CPU only, nothing of the GPU path.
    void readsACpuBuild()
    {
        const LibtorchBuild build = LibtorchBuild::fromConfig(QStringLiteral(
            "  - Build settings: BLAS_INFO=generic, TORCH_VERSION=1.13.0, USE_CUDA=OFF, USE_CUDNN=OFF, "
            "USE_NCCL=OFF, USE_OPENMP=ON, \n"));
        QCOMPARE(build.libtorch, QStringLiteral("1.13.0"));
        QVERIFY(build.cuda.isEmpty());
        QVERIFY(build.cudnn.isEmpty());
        QVERIFY(!build.nccl && !build.fusedAdam && !build.cudaGraphs);
        QCOMPARE(build.describe(),
                 QStringLiteral("libtorch 1.13.0, CPU only\nCUDA graphs: no, fused Adam: no, NCCL: no"));
    }

    // The libtorch this test is built against says the same of itself as its settings do.
    void describesTheLibtorchItIsBuiltWith()
    {
        const LibtorchBuild build = LibtorchBuild::current();
        QVERIFY(!build.libtorch.isEmpty());
        QCOMPARE(build.fusedAdam, !build.cuda.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestLibtorchBuild)
#include "TestLibtorchBuild.moc"
