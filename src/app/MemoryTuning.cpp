#include "MemoryTuning.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace jikken {

void returnLargeBuffersToTheSystem()
{
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 1 << 20); // a fixed threshold: 1 MiB and more always comes from mmap
#endif
}

} // namespace jikken
