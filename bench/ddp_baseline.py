"""Anchor for bench/data_parallel.sh: PyTorch's own DistributedDataParallel on the CPU with Gloo, started by
torchrun, training the network `jikken train --model convnet` trains, with the same per-rank batch.

usage: torchrun --nproc_per_node N bench/ddp_baseline.py DATA_DIR TRAIN_IMAGES BATCH THREADS
Rank 0 prints one JSON line: images/s over the epoch (every rank's images), the world size."""
import gzip
import json
import sys
import time

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from convnet_model import ConvNet

data, images, batch, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
dist.init_process_group("gloo")
rank, world = dist.get_rank(), dist.get_world_size()
torch.set_num_threads(threads)
torch.manual_seed(1)


def idx(name, offset):
    with gzip.open(f"{data}/{name}.gz") as f:
        return torch.frombuffer(bytearray(f.read()), dtype=torch.uint8)[offset:]


x = idx("train-images-idx3-ubyte", 16).reshape(-1, 1, 28, 28)[:images].float() / 255
y = idx("train-labels-idx1-ubyte", 8)[:images].long()
x = (x - x.mean()) / x.std()


# Dense layers as jikken computes them: what is compared is the data parallelism, not nn.Linear's kernels.
model = nn.parallel.DistributedDataParallel(ConvNet(same_kernels=True))
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
order = torch.randperm(images, generator=torch.Generator().manual_seed(1))
share = order[rank::world]  # DistributedSampler's deal (images is a multiple of the world size here)
dist.barrier()
start = time.perf_counter()
for first in range(0, len(share), batch):
    index = share[first:first + batch]
    optimizer.zero_grad(set_to_none=True)
    F.cross_entropy(model(x[index]), y[index]).backward()
    optimizer.step()
dist.barrier()
seconds = time.perf_counter() - start
if rank == 0:
    print(json.dumps({"world": world, "images_per_second": len(share) * world / seconds}))
dist.destroy_process_group()
