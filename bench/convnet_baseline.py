"""The Python baselines of bench/training.py: the same ConvNet, data handling and optimizer as
`jikken train`, in Python PyTorch (Debian's python3-torch, or PyPI's torch in a venv). Prints the last epoch's training images/s.

usage: convnet_baseline.py IMAGES THREADS EPOCHS [idiomatic|same-kernels]
  idiomatic     nn.Linear and zero_grad() as a PyTorch user writes them (the baseline)
  same-kernels  the dense layers as 1x1 convolutions and gradients set to None, as jikken computes them
                (training.py also gives it jikken's malloc settings), so what is left is C++ against Python"""
import gzip
import sys
import time

import torch
import torch.nn.functional as F
from convnet_model import ConvNet

images, threads, epochs = (int(a) for a in sys.argv[1:4])
same_kernels = len(sys.argv) > 4 and sys.argv[4] == "same-kernels"
torch.set_num_threads(threads)
torch.manual_seed(1)
root = "/usr/share/datasets/fashion-mnist"
# torch alone (no numpy), so that any Python with torch runs it: Debian's, or a venv's from PyPI.
with gzip.open(f"{root}/train-images-idx3-ubyte.gz") as f:
    pixels = torch.frombuffer(bytearray(f.read()), dtype=torch.uint8)[16:].reshape(-1, 1, 28, 28)[:images]
with gzip.open(f"{root}/train-labels-idx1-ubyte.gz") as f:
    labels = torch.frombuffer(bytearray(f.read()), dtype=torch.uint8)[8:][:images].long()
x = pixels.float() / 255.0
x = (x - x.mean()) / x.std()


model = ConvNet(same_kernels)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
model.train()
rate = 0.0
for epoch in range(epochs):
    order = torch.randperm(images)
    start = time.perf_counter()
    for b in range(0, images, 64):
        index = order[b:b + 64]
        xb, yb = x.index_select(0, index), labels.index_select(0, index)
        optimizer.zero_grad(set_to_none=same_kernels)
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
    rate = images / (time.perf_counter() - start)
print(f"{rate:.3f}")
