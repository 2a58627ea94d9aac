#include "RankGroup.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#ifdef JIKKEN_C10D_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef JIKKEN_C10D_NCCL
#include <c10/cuda/CUDAFunctions.h>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <QStringList>

#include <stdexcept>

namespace jikken {

namespace {

/// How long one collective may take before the rank gives up on the others. A rank that is killed closes
/// its connections and fails the others at once; this bounds a rank that hangs or a node that vanishes.
/// It must outlast the longest time ranks wait for each other: rank 0 writing a checkpoint.
constexpr std::chrono::seconds kCollectiveTimeout{45};
/// How long the launchers have to say which rank died, once a collective failed.
constexpr std::chrono::seconds kFailureWait{10};

} // namespace

/// One c10d process group, whichever class and base (ProcessGroup in 1.13, Backend in 2.x) it has.
struct RankGroup::Collectives
{
    virtual ~Collectives() = default;
    virtual Pending allreduce(std::vector<torch::Tensor>& tensors) = 0;
    virtual Pending broadcast(std::vector<torch::Tensor>& tensors) = 0;
};

namespace {

template <typename Group> struct CollectivesOf : RankGroup::Collectives
{
    explicit CollectivesOf(c10::intrusive_ptr<Group> group) : group(std::move(group)) {}
    RankGroup::Pending allreduce(std::vector<torch::Tensor>& tensors) override { return group->allreduce(tensors); }
    RankGroup::Pending broadcast(std::vector<torch::Tensor>& tensors) override { return group->broadcast(tensors); }
    c10::intrusive_ptr<Group> group;
};

std::unique_ptr<RankGroup::Collectives> collectivesFor(const RankPlace& place, const torch::Device& device,
                                                       c10::intrusive_ptr<c10d::Store> store)
{
    // The process group's own keys kept apart from the launchers' (jikken/...).
    auto prefixed = c10::make_intrusive<c10d::PrefixStore>("process-group", std::move(store));
    if (device.is_cuda()) {
#ifdef JIKKEN_C10D_NCCL
        // The rank's GPU is the current one (as torch.cuda.set_device(local_rank)): what it allocates
        // without naming a device, NCCL's communicator included, goes there, not to every rank's GPU 0.
        c10::cuda::set_device(device.index() < 0 ? 0 : device.index());
        auto options = c10d::ProcessGroupNCCL::Options::create();
        options->timeout = kCollectiveTimeout;
        return std::make_unique<CollectivesOf<c10d::ProcessGroupNCCL>>(
            c10::make_intrusive<c10d::ProcessGroupNCCL>(prefixed, place.rank, place.worldSize, options));
#endif
    } else {
#ifdef JIKKEN_C10D_GLOO
        auto options = c10d::ProcessGroupGloo::Options::create(kCollectiveTimeout);
        options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(place.address.toStdString()));
        options->threads = 2;
        return std::make_unique<CollectivesOf<c10d::ProcessGroupGloo>>(
            c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, place.rank, place.worldSize, options));
#endif
    }
    throw std::runtime_error(rankGroupProblem(device.is_cuda()).toStdString());
}

} // namespace

RankGroup::RankGroup(const RankPlace& place, const torch::Device& device) : m_place(place)
{
    QString error;
    m_rendezvous = Rendezvous::open(place.rendezvous, /*host=*/false, &error);
    if (!m_rendezvous)
        throw std::runtime_error(error.toStdString());
    try {
        m_collectives =
            collectivesFor(place, device, c10::intrusive_ptr<c10d::Store>::reclaim_copy(&m_rendezvous->store()));
    } catch (const c10::Error& e) {
        throw std::runtime_error("the ranks did not all meet: " + explain(e));
    }
}

RankGroup::~RankGroup() = default;

RankGroup::Pending RankGroup::sumLater(torch::Tensor& tensor)
{
    std::vector<torch::Tensor> tensors{tensor};
    return m_collectives->allreduce(tensors);
}

void RankGroup::wait(const Pending& pending)
{
    try {
        pending->wait();
    } catch (const std::exception& e) {
        throw std::runtime_error(explain(e));
    }
}

void RankGroup::broadcast(std::vector<torch::Tensor> tensors)
{
    // One collective a tensor: Gloo and NCCL broadcast a list as copies of one tensor, not as many.
    for (torch::Tensor& tensor : tensors) {
        std::vector<torch::Tensor> one{tensor};
        wait(m_collectives->broadcast(one));
    }
}

std::string RankGroup::explain(const std::exception& failure)
{
    const QString what = QString::fromUtf8(failure.what()).section(u'\n', 0, 0);
    QString ignored;
    const std::optional<QByteArray> said =
        m_rendezvous->get(QStringLiteral("jikken/failure"),
                          std::chrono::duration_cast<std::chrono::milliseconds>(kFailureWait), &ignored);
    if (!said)
        return QStringLiteral("a collective between the ranks failed: %1").arg(what).toStdString();
    return QStringLiteral("%1 (seen by rank %2 as: %3)")
        .arg(QString::fromUtf8(*said))
        .arg(m_place.rank)
        .arg(what)
        .toStdString();
}

QString rankGroupProblem(bool cuda)
{
#ifdef JIKKEN_C10D_NCCL
    if (cuda)
        return {};
#endif
#ifdef JIKKEN_C10D_GLOO
    if (!cuda)
        return {};
#endif
    return QStringLiteral("data-parallel training %1 needs %2, which this build of jikken does not have (it has: %3)")
        .arg(cuda ? QStringLiteral("on CUDA") : QStringLiteral("on the CPU"),
             cuda ? QStringLiteral("NCCL (a libtorch with CUDA, and nccl.h)")
                  : QStringLiteral("Gloo (Debian's libtorch with libgloo-dev; PyPI's ships no Gloo headers)"),
             rankProcessGroups());
}

QString rankProcessGroups()
{
    QStringList groups;
#ifdef JIKKEN_C10D_GLOO
    groups << QStringLiteral("Gloo");
#endif
#ifdef JIKKEN_C10D_NCCL
    groups << QStringLiteral("NCCL");
#endif
    return groups.isEmpty() ? QStringLiteral("none") : groups.join(QStringLiteral(", "));
}

} // namespace jikken
