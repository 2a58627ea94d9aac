"""The network `jikken train --model convnet` trains (models/ConvNet.cpp), for the Python anchors.

same_kernels: the dense layers as 1x1 convolutions, as jikken computes them (models/Dense.h); Debian's
python3-torch 1.13 runs nn.Linear's backward on the CPU about 6x slower than that."""
import torch.nn as nn
import torch.nn.functional as F


class ConvNet(nn.Module):
    def __init__(self, same_kernels=False):
        super().__init__()
        self.same_kernels = same_kernels
        self.conv1 = nn.Conv2d(1, 32, 5, padding=2)
        self.conv2 = nn.Conv2d(32, 64, 5, padding=2)
        self.dense = nn.Linear(64 * 7 * 7, 1024)
        self.dropout = nn.Dropout(0.4)
        self.logits = nn.Linear(1024, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(self.logits, self.dropout(F.relu(self.fc(self.dense, x.flatten(1)))))

    def fc(self, layer, x):
        if not self.same_kernels:
            return layer(x)
        weight = layer.weight.view(layer.out_features, layer.in_features, 1, 1)
        return F.conv2d(x.reshape(x.shape[0], -1, 1, 1), weight, layer.bias).flatten(1)
