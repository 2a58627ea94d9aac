#pragma once

#include <QString>

namespace jikken {

/// Where a run came from, so it can be reproduced: host and the git state of its working folder.
struct Provenance
{
    QString host;
    QString gitCommit; ///< empty outside a git work tree
    bool gitDirty = false;

    static Provenance probe(const QString& workingDirectory);
};

} // namespace jikken
