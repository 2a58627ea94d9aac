#pragma once

namespace jikken {

/// Hands large buffers (a curve's million points) back to the system as soon as they are freed. glibc
/// otherwise raises its mmap threshold after the first large free and keeps later ones in the heap,
/// where replaced curves stay resident.
void returnLargeBuffersToTheSystem();

} // namespace jikken
