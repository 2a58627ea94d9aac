# Which of PyTorch's c10d process groups the companion builds its data-parallel training on (RankGroup):
#   Gloo (CPU ranks) where Gloo's headers match the libtorch: Debian's libtorch with Debian's libgloo-dev.
#     PyPI's libtorch is built with a newer Gloo of its own and ships no Gloo headers; Debian's would
#     compile against it but describe other classes, so they are only tried with a libtorch from /usr.
#   NCCL (GPU ranks) where libtorch has its CUDA library and nccl.h is found (PyPI's nvidia-nccl wheel beside
#     torch, or the CUDA toolkit's).
# Each is tried once by compiling and linking a process group, so a libtorch whose c10d API moved builds the
# companion without it (and `jikken train --nproc` says so) instead of not building.
include(CheckCXXSourceCompiles)
set(jikken_c10d_libraries ${TORCH_LIBRARIES})

if(Torch_DIR MATCHES "^/usr/")
    find_path(JIKKEN_GLOO_INCLUDE_DIR gloo/context.h)
    if(JIKKEN_GLOO_INCLUDE_DIR)
        set(CMAKE_REQUIRED_LIBRARIES ${jikken_c10d_libraries})
        set(CMAKE_REQUIRED_FLAGS "-std=c++17 ${TORCH_CXX_FLAGS}")
        set(CMAKE_REQUIRED_INCLUDES ${TORCH_INCLUDE_DIRS} ${JIKKEN_GLOO_INCLUDE_DIR})
        set(CMAKE_REQUIRED_DEFINITIONS -DUSE_C10D_GLOO)
        check_cxx_source_compiles([[
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
int main()
{
    auto options = c10d::ProcessGroupGloo::Options::create(std::chrono::seconds(1));
    options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    c10::make_intrusive<c10d::ProcessGroupGloo>(c10::make_intrusive<c10d::FileStore>("", 1), 0, 1, options);
}
]] JIKKEN_HAVE_C10D_GLOO)
    endif()
endif()

if(TARGET torch_cuda)
    get_filename_component(jikken_torch_package "${Torch_DIR}/../../.." ABSOLUTE) # site-packages/torch
    find_path(JIKKEN_NCCL_INCLUDE_DIR nccl.h
              HINTS "${jikken_torch_package}/../nvidia/nccl/include" /usr/local/cuda/include)
    if(JIKKEN_NCCL_INCLUDE_DIR)
        set(CMAKE_REQUIRED_LIBRARIES ${jikken_c10d_libraries})
        set(CMAKE_REQUIRED_FLAGS "-std=c++17 ${TORCH_CXX_FLAGS}")
        set(CMAKE_REQUIRED_INCLUDES ${TORCH_INCLUDE_DIRS} ${JIKKEN_NCCL_INCLUDE_DIR})
        set(CMAKE_REQUIRED_DEFINITIONS -DUSE_C10D_NCCL)
        check_cxx_source_compiles([[
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
int main()
{
    auto options = c10d::ProcessGroupNCCL::Options::create();
    options->timeout = std::chrono::seconds(1);
    c10::make_intrusive<c10d::ProcessGroupNCCL>(c10::make_intrusive<c10d::FileStore>("", 1), 0, 1, options);
}
]] JIKKEN_HAVE_C10D_NCCL)
    endif()
endif()
unset(CMAKE_REQUIRED_LIBRARIES)
unset(CMAKE_REQUIRED_FLAGS)
unset(CMAKE_REQUIRED_INCLUDES)
unset(CMAKE_REQUIRED_DEFINITIONS)
