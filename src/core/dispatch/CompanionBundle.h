#pragma once

#include <QString>
#include <QStringList>
#include <QVector>

#include <optional>

namespace jikken {

/// A self-contained copy of the `jikken` companion for a host that does not have it: the binary, every
/// shared library it loads except the C library's own (glibc must come from the host, as must the
/// NVIDIA driver's), the Qt plugins it needs (SQLite and PostgreSQL drivers, TLS), and a launcher that
/// points the loader at them. Laid out as `bin/jikken` (the launcher), `libexec/jikken`, `lib/`, `plugins/`.
class CompanionBundle
{
public:
    struct File
    {
        QString source; ///< here
        QString target; ///< relative to the install folder
        qint64 size = 0;
    };

    /// The files of the companion at `binary` (its libraries found with `ldd`).
    static std::optional<CompanionBundle> collect(const QString& binary, QString* error);

    const QVector<File>& files() const { return m_files; }
    qint64 bytes() const;
    /// The launcher script (`bin/jikken`).
    static QByteArray launcher();
    /// Whether a library is the host's to provide: glibc's, the dynamic loader, the NVIDIA driver's.
    static bool belongsToTheHost(const QString& soname);
    /// The libraries beside `library` that it loads by name at run time, which ldd cannot see: cuDNN 9's
    /// engine libraries (libcudnn_*.so.9 beside libcudnn.so.9), NVRTC's builtins, libtorch_cuda_linalg.
    /// A CUDA companion built against PyTorch's libtorch fails at its first convolution without them.
    static QStringList loadedAtRunTime(const QString& library);

private:
    bool addWithLibraries(const QString& path, const QString& target, QString* error);
    bool has(const QString& target) const;

    QVector<File> m_files;
};

} // namespace jikken
