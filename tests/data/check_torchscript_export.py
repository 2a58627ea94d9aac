"""Checks a `jikken export-model` file as a user of it would, with nothing of Jikken's: loads it with
torch.jit.load, and compares its logits on Fashion-MNIST's first test images with LeNet's written out here in
torch.nn.functional from the checkpoint's own weights (the checkpoint is a TorchScript archive of tensors).

    check_torchscript_export.py EXPORT.pt CHECKPOINT.pt FASHION_MNIST_DIR

Prints one JSON object: the largest logit difference and logit, the error on those images, class names, input shape,
and the file's jikken.json."""
import gzip
import json
import os
import sys

import torch
import torch.nn.functional as F

IMAGES = 1000


def test_images(folder):
    with gzip.open(os.path.join(folder, "t10k-images-idx3-ubyte.gz")) as f:
        pixels = f.read()[16:]
    with gzip.open(os.path.join(folder, "t10k-labels-idx1-ubyte.gz")) as f:
        labels = f.read()[8:]
    images = torch.frombuffer(bytearray(pixels), dtype=torch.uint8).view(-1, 1, 28, 28)[:IMAGES]
    return images.float() / 255, torch.frombuffer(bytearray(labels), dtype=torch.uint8)[:IMAGES].long()


def lenet(weights, images):
    mean = weights["jikken_input_mean"].float().view(1, -1, 1, 1)
    std = weights["jikken_input_std"].float().view(1, -1, 1, 1)
    x = (images - mean) / std
    x = F.max_pool2d(F.relu(F.conv2d(x, weights["conv1.weight"], weights["conv1.bias"], padding=2)), 2)
    x = F.max_pool2d(F.relu(F.conv2d(x, weights["conv2.weight"], weights["conv2.bias"])), 2)
    x = x.flatten(1)
    for layer in ("fc1", "fc2"):
        x = F.relu(F.linear(x, weights[layer + ".linear.weight"], weights[layer + ".linear.bias"]))
    return F.linear(x, weights["fc3.linear.weight"], weights["fc3.linear.bias"])


def main(exported_path, checkpoint_path, dataset):
    extra = {"jikken.json": ""}
    exported = torch.jit.load(exported_path, _extra_files=extra)
    weights = dict(torch.jit.load(checkpoint_path).state_dict())
    images, labels = test_images(dataset)
    with torch.no_grad():
        logits = exported(images)
        expected = lenet(weights, images)
    print(json.dumps({
        "max_difference": (logits - expected).abs().max().item(),
        "max_logit": expected.abs().max().item(),
        "error": (logits.argmax(1) != labels).float().mean().item(),
        "class_names": list(exported.class_names),
        "input_shape": list(exported.input_shape),
        "jikken": json.loads(extra["jikken.json"]),
    }))


if __name__ == "__main__":
    main(*sys.argv[1:])
