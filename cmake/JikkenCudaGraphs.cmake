# Whether the companion records training steps in CUDA graphs (StepGraph): only with a libtorch that has
# its CUDA library (PyTorch's CUDA builds, not Debian's), and only if the calls StepGraph makes compile and
# link against it. They are tried once here, so that a libtorch whose CUDA graph API moved builds the
# companion without CUDA graphs (and `--cuda-graphs on` says so) instead of not building it.
if(TARGET torch_cuda)
    include(CheckCXXSourceCompiles)
    set(CMAKE_REQUIRED_LIBRARIES ${TORCH_LIBRARIES})
    set(CMAKE_REQUIRED_FLAGS "-std=c++17 ${TORCH_CXX_FLAGS}")
    check_cxx_source_compiles([[
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
int main()
{
    c10::cuda::getCurrentCUDAStream(0).synchronize();
    const c10::cuda::CUDAStream stream = c10::cuda::getStreamFromPool(false, 0);
    const c10::cuda::CUDAStreamGuard current(stream);
    at::cuda::CUDAGraph graph;
    graph.capture_begin();
    graph.capture_end();
    graph.replay();
}
]] JIKKEN_HAVE_CUDA_GRAPHS)
    unset(CMAKE_REQUIRED_LIBRARIES)
    unset(CMAKE_REQUIRED_FLAGS)
endif()
