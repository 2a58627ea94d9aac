#pragma once

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace jikken {

/// A training step frees and allocates the same large tensors (activations, gradients) over and over.
/// glibc's default then hands the memory back to the kernel and faults it in again: up to millions of
/// page faults per epoch and epochs up to 3x slower, depending on how the heap happened to lie. Keeping
/// freed memory in the process avoids it (the usual cure is jemalloc or tcmalloc; this needs neither).
inline void keepFreedMemoryForReuse()
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 32 << 20); // glibc's largest: bigger blocks (whole datasets) are mapped once
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

} // namespace jikken
