#!/usr/bin/env python3
"""Fashion-MNIST with focal loss, in plain PyTorch: a small LeNet, argparse, one model ID per run.

    python3 train_focalloss.py --epochs 20 --gamma 2                       # reserves its own ID
    jikken run --method focalloss -- python3 train_focalloss.py --gamma 2  # the same, run by jikken
    jikken run --method focalloss --host gpu1 -- python3 train_focalloss.py --gamma 2   # on a GPU server

The data is read from ~/datasets/FashionMNIST or where Debian's dataset-fashion-mnist puts it (IDX files,
gzipped or not); torchvision is not needed.
"""

import argparse
import gzip
import os
import struct
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

import jikken

SEARCHED = [os.path.expanduser("~/datasets/FashionMNIST"), os.path.expanduser("~/datasets/FashionMNIST/raw"),
            "/usr/share/datasets/fashion-mnist"]


def read_idx(name, data_root):
    for folder in ([data_root] if data_root else SEARCHED):
        for path in (os.path.join(folder, name), os.path.join(folder, name + ".gz")):
            if os.path.exists(path):
                with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
                    magic, = struct.unpack(">I", f.read(4))
                    shape = struct.unpack(">" + "I" * (magic & 0xFF), f.read(4 * (magic & 0xFF)))
                    return torch.frombuffer(bytearray(f.read()), dtype=torch.uint8).reshape(shape)
    raise SystemExit("train_focalloss.py: %s not found in %s" % (name, ", ".join([data_root] if data_root else SEARCHED)))


def load(split, data_root, limit):
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(prefix + "-images-idx3-ubyte", data_root)[:limit].float().div(255).unsqueeze(1)
    labels = read_idx(prefix + "-labels-idx1-ubyte", data_root)[:limit].long()
    return (images - 0.2860) / 0.3530, labels


class LeNet(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, kernel_size=5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc1(x.flatten(1)))
        return self.fc3(F.relu(self.fc2(x)))


def focal_loss(logits, target, gamma):
    """Lin et al.'s focal loss: cross-entropy weighted by (1 - p_t)^gamma (gamma 0 is cross-entropy)."""
    log_p = F.log_softmax(logits, dim=1).gather(1, target.unsqueeze(1)).squeeze(1)
    return (-(1 - log_p.exp()) ** gamma * log_p).mean()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--gamma", type=float, default=2.0, help="focal loss's focusing parameter")
    parser.add_argument("--train-size", type=int, default=60000, help="use the first N training images")
    parser.add_argument("--test-size", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-root", default=None)
    parser.add_argument("--memo", default="")
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    train_x, train_y = load("train", args.data_root, args.train_size)
    test_x, test_y = load("test", args.data_root, args.test_size)

    hparams = {k: v for k, v in vars(args).items() if k not in ("data_root", "memo")}
    with jikken.init(method="focalloss", hparams=hparams, memo=args.memo, model="lenet",
                     dataset="fashion-mnist") as run:
        print("%s: logs in %s" % (run.id, run.logdir), flush=True)
        net = LeNet().to(device)
        optimizer = torch.optim.SGD(net.parameters(), lr=args.lr, momentum=args.momentum)
        step, best = 0, 1.0
        for epoch in range(1, args.epochs + 1):
            net.train()
            started = time.time()
            order = torch.randperm(len(train_x))
            for first in range(0, len(order), args.batch_size):
                batch = order[first:first + args.batch_size]
                x, y = train_x[batch].to(device), train_y[batch].to(device)
                loss = focal_loss(net(x), y, args.gamma)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                step += 1
                if step % 20 == 0:
                    run.log({"train/loss": loss.item()}, step=step)
            net.eval()
            with torch.no_grad():
                logits = torch.cat([net(test_x[i:i + 1000].to(device)) for i in range(0, len(test_x), 1000)])
                test_loss = focal_loss(logits, test_y.to(device), args.gamma).item()
                error = (logits.argmax(1).cpu() != test_y).float().mean().item()
            best = min(best, error)
            run.log({"test/error": error, "test/loss": test_loss, "epoch": epoch}, step=step)
            print("epoch %d/%d  test error %.4f  loss %.4f  %.1f s"
                  % (epoch, args.epochs, error, test_loss, time.time() - started), flush=True)
        run.finish(results={"test_error": error, "best_test_error": best, "epochs": args.epochs})


if __name__ == "__main__":
    main()
