#include "StepGraph.h"

#include <torch/version.h>

#include <stdexcept>

#if JIKKEN_CUDA_GRAPHS
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace jikken {

#if JIKKEN_CUDA_GRAPHS

namespace {

/// A stream of `device` from libtorch's pool, once the work queued on the current one is done (the
/// dataset's upload, the weights' initialisation): from then on everything runs on the new one.
c10::cuda::CUDAStream sideStream(int device)
{
    const auto index = static_cast<c10::DeviceIndex>(device);
    c10::cuda::getCurrentCUDAStream(index).synchronize();
    return c10::cuda::getStreamFromPool(false, index);
}

} // namespace

struct StepGraph::Impl
{
    explicit Impl(int device) : stream(sideStream(device)), current(stream) {}
    ~Impl()
    {
        try {
            stream.synchronize();         // before the default stream is current again
        } catch (const std::exception&) { // a device fault: the run has failed with it already
        }
    }

    c10::cuda::CUDAStream stream;
    c10::cuda::CUDAStreamGuard current;
    std::unique_ptr<at::cuda::CUDAGraph> graph; ///< not movable in libtorch 2.x; null until recorded
};

QString StepGraph::problem()
{
    return {};
}

StepGraph::StepGraph(int deviceIndex) : m_impl(std::make_unique<Impl>(deviceIndex)) {}

void StepGraph::record(const std::function<void()>& step)
{
    m_impl->graph.reset(); // its memory pool goes back once the tensors recorded into it are freed
    auto graph = std::make_unique<at::cuda::CUDAGraph>();
    graph->capture_begin();
    try {
        step();
    } catch (...) {
        try {
            graph->capture_end(); // ends the stream's capture, so eager work can run on it again
        } catch (...) {           // an invalidated capture fails to end; the stream is out of capture all the same
        }
        throw;
    }
    graph->capture_end();
    m_impl->graph = std::move(graph);
}

bool StepGraph::recorded() const
{
    return m_impl->graph != nullptr;
}

void StepGraph::replay()
{
    m_impl->graph->replay();
}

#else

struct StepGraph::Impl
{
};

QString StepGraph::problem()
{
    return QStringLiteral("this jikken is built without CUDA graphs (its libtorch, %1, has no CUDA, or CMake found "
                          "its CUDA graph calls missing)")
        .arg(QStringLiteral(TORCH_VERSION));
}

StepGraph::StepGraph(int)
{
    throw std::logic_error(problem().toStdString());
}

void StepGraph::record(const std::function<void()>&)
{
    throw std::logic_error(problem().toStdString());
}

bool StepGraph::recorded() const
{
    return false;
}

void StepGraph::replay()
{
    throw std::logic_error(problem().toStdString());
}

#endif

StepGraph::~StepGraph() = default;

} // namespace jikken
