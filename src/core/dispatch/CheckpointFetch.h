#pragma once

#include "registry/Checkpoints.h"

#include <QString>

#include <functional>

namespace jikken::CheckpointFetch {

/// How much of the file is here, of how much; false stops the fetch (what came stays for the next).
using Progress = std::function<bool(qint64 have, qint64 total)>;

/// Where a checkpoint is read from: its host over the same ssh as dispatch (RemoteShell), or this machine's
/// disk when its host is this one ("localhost", this machine's name, or none).
QString sourceHost(const CheckpointRecord& record);

/// Fetches the file `record` names to `destination`. Resumable: what an interrupted fetch got waits in
/// `destination.part`, and the next fetch goes on from there. Verified: the file where it is must still
/// have the recorded size and sha256 (a file changed there since is an error, nothing fetched), and so must
/// the copy, which replaces `destination` only once it is whole and checked. False with one line in `error`.
bool fetch(const CheckpointRecord& record, const QString& destination, const Progress& progress, QString* error);

} // namespace jikken::CheckpointFetch
