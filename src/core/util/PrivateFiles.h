#pragma once

#include <QString>

namespace jikken {

/// Files that hold token hashes, run data or secrets are the user's alone: folders 700, files 600, set at
/// creation (never created open and narrowed afterwards). Existing files and folders keep their modes: a
/// shared registry on purpose stays shared.
namespace PrivateFiles {

/// Creates `folder` (its missing parents as usual) mode 700 if it does not exist; true if it exists after.
bool makeFolder(const QString& folder, QString* error);
/// Creates `file` empty, mode 600, if it does not exist; true if it exists after.
bool makeFile(const QString& file, QString* error);
/// Replaces `file` with `contents` all at once or not at all, mode 600 before a byte is written; its folder
/// is made with makeFolder. For files that hold a secret.
bool writeFile(const QString& file, const QByteArray& contents, QString* error);

} // namespace PrivateFiles

} // namespace jikken
