#!/usr/bin/env python3
"""One epoch of training of src/model/vgg_gap.rs's network in PyTorch on the CPU, done as
`training benchmark` does it in Burn: the same layers, batch size, optimizer (AdamW, Burn's
epsilon), learning-rate schedule, per-step loss and accuracy, a validation pass over the held-out
images and a checkpoint. No augmentation (run the Burn side with --no-augmentation). Prints the
same "epoch: ..." line as the Burn side, which compare.sh reads.
"""

import argparse
import gzip
import math
import struct
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

MEAN, STD = 0.1307, 0.3081  # handwriting::Normalization::MNIST


def conv_bn_relu(channels_in, channels_out):
    # ConvBnRelu: 3x3 "same" convolution without bias, batch norm, ReLU.
    return [
        nn.Conv2d(channels_in, channels_out, 3, padding=1, bias=False),
        nn.BatchNorm2d(channels_out),
        nn.ReLU(),
    ]


def network(num_classes=10, dropout=0.1):
    """src/model/vgg_gap.rs's VggGap, layer for layer."""
    return nn.Sequential(
        *conv_bn_relu(1, 32),
        nn.MaxPool2d(2, 2),
        *conv_bn_relu(32, 64),
        *conv_bn_relu(64, 64),
        nn.MaxPool2d(2, 2),
        *conv_bn_relu(64, 128),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Dropout(dropout),
        nn.Linear(128, num_classes),
    )


def read_idx(path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as file:
        data = file.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4 : 4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def find(data_dir, name):
    for candidate in (data_dir / name, data_dir / (name + ".gz")):
        if candidate.exists():
            return candidate
    raise SystemExit(f"{name} not found in {data_dir}: run `cargo run -p training --release` once")


def batches(images, labels, order, batch_size):
    for start in range(0, len(order), batch_size):
        index = order[start : start + batch_size]
        # Normalised per batch from bytes, as the Burn batcher does.
        x = images[index].float().div_(255.0).sub_(MEAN).div_(STD)
        yield x, labels[index]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=Path("data/mnist"))
    parser.add_argument("--train-images", type=int, help="train on this many images, not all")
    parser.add_argument("--validation-size", type=int, default=5000)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--learning-rate", type=float, default=0.003)
    parser.add_argument("--weight-decay", type=float, default=0.0001)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    images = read_idx(find(args.data_dir, "train-images-idx3-ubyte"))
    labels = read_idx(find(args.data_dir, "train-labels-idx1-ubyte"))
    images = torch.from_numpy(images.copy()).unsqueeze(1)  # [n, 1, 28, 28] bytes
    labels = torch.from_numpy(labels.astype(np.int64))
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(args.seed))
    valid_order, train_order = order[: args.validation_size], order[args.validation_size :]
    if args.train_images is not None:
        train_order = train_order[: args.train_images]

    model = network()
    # Burn's AdamW defaults: betas (0.9, 0.999), epsilon 1e-5.
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=args.learning_rate, weight_decay=args.weight_decay, eps=1e-5
    )
    steps = math.ceil(len(train_order) / args.batch_size)
    # The one-epoch linear warm-up that train.rs's schedule starts with.
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: 0.01 + 0.99 * min(step / steps, 1.0)
    )
    loss_fn = nn.CrossEntropyLoss()

    started = time.perf_counter()
    model.train()
    shuffled = train_order[torch.randperm(len(train_order))]
    correct = total_loss = 0.0
    for x, y in batches(images, labels, shuffled, args.batch_size):
        optimizer.zero_grad(set_to_none=True)
        logits = model(x)
        loss = loss_fn(logits, y)
        loss.backward()
        optimizer.step()
        scheduler.step()
        # burn-train reads loss and accuracy back every step.
        total_loss += loss.item() * len(y)
        correct += (logits.argmax(1) == y).sum().item()
    train_seconds = time.perf_counter() - started

    model.eval()
    with torch.no_grad():
        for x, y in batches(images, labels, valid_order, args.batch_size):
            logits = model(x)
            total_loss += loss_fn(logits, y).item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
    with tempfile.TemporaryDirectory() as checkpoints:
        torch.save(model.state_dict(), Path(checkpoints) / "model.pt")
        torch.save(optimizer.state_dict(), Path(checkpoints) / "optim.pt")
    seconds = time.perf_counter() - started

    print(f"train phase: {len(train_order) / train_seconds:.1f} images/s")
    print(
        f"epoch: {len(train_order)} training + {len(valid_order)} validation images in "
        f"{seconds:.2f} s: {len(train_order) / seconds:.1f} training images/s"
    )


if __name__ == "__main__":
    main()
