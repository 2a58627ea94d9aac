# Where find_package(Torch) looks, from JIKKEN_LIBTORCH:
#   ""        the system's libtorch (Debian's libtorch-dev, CPU only);
#   python    the libtorch inside a Python environment's torch package (e.g. PyTorch 2.x with CUDA on a GPU
#             server), asked of JIKKEN_PYTHON (default: python3 on PATH);
#   a folder  an unpacked libtorch zip from pytorch.org (the folder that holds share/cmake/Torch).
# Either way the companion's code is the same: it keeps to the C++ API that libtorch 1.13 and 2.x share.
if(JIKKEN_LIBTORCH STREQUAL "python")
    set(JIKKEN_PYTHON "python3" CACHE STRING "The Python whose torch package provides libtorch")
    execute_process(
        COMMAND ${JIKKEN_PYTHON} -c "import torch; print(torch.utils.cmake_prefix_path)"
        OUTPUT_VARIABLE torch_prefix OUTPUT_STRIP_TRAILING_WHITESPACE
        ERROR_VARIABLE torch_error RESULT_VARIABLE torch_result)
    if(NOT torch_result EQUAL 0 OR NOT IS_DIRECTORY "${torch_prefix}")
        message(FATAL_ERROR "JIKKEN_LIBTORCH=python: ${JIKKEN_PYTHON} has no usable torch package "
                            "(pip install torch, or set JIKKEN_PYTHON): ${torch_error}")
    endif()
    # The package's own root too: TorchConfig finds libtorch.so with find_library, which looks in the prefix
    # path's lib/ before its own hint, and would take a system libtorch (Debian's) over the package's.
    get_filename_component(torch_root "${torch_prefix}/../.." ABSOLUTE)
    list(PREPEND CMAKE_PREFIX_PATH "${torch_root}" "${torch_prefix}")
elseif(JIKKEN_LIBTORCH)
    # An unpacked zip keeps its config in share/cmake/Torch; an installed prefix may use lib/<arch>/cmake.
    file(GLOB torch_configs "${JIKKEN_LIBTORCH}/share/cmake/Torch/TorchConfig.cmake"
         "${JIKKEN_LIBTORCH}/lib/cmake/Torch/TorchConfig.cmake" "${JIKKEN_LIBTORCH}/lib/*/cmake/Torch/TorchConfig.cmake")
    if(NOT torch_configs)
        message(FATAL_ERROR "JIKKEN_LIBTORCH=${JIKKEN_LIBTORCH} holds no libtorch (no cmake/Torch/TorchConfig.cmake "
                            "under it): name the unpacked libtorch folder, or `python`")
    endif()
    list(PREPEND CMAKE_PREFIX_PATH "${JIKKEN_LIBTORCH}")
endif()
