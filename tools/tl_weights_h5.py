"""Writes a ResNet state_dict as tl's torchvision-layout HDF5 weights file.

Layout: one float32 dataset per state_dict key, named exactly as the key, in PyTorch's
shapes (conv weights OIHW); `num_batches_tracked` is dropped. Root attributes:
  source="torchvision", architecture="resnet18"|..., preprocessing="torchvision",
  num_classes=<int> (0 without fc), and optionally class_names=[...], input_size=<int>.
Used by tools/export_torchvision.py, the fixture generators and the demo trainer.
"""
import h5py
import numpy as np


def write_torchvision_h5(state_dict, path, architecture, preprocessing="torchvision",
                         class_names=None, input_size=None):
    num_classes = 0
    with h5py.File(path, "w") as f:
        for key, value in state_dict.items():
            if key.endswith("num_batches_tracked"):
                continue
            array = value.detach().cpu().numpy().astype(np.float32)
            f.create_dataset(key, data=array)
            if key == "fc.weight":
                num_classes = array.shape[0]
        f.attrs["source"] = "torchvision"
        f.attrs["architecture"] = architecture
        f.attrs["preprocessing"] = preprocessing
        f.attrs["num_classes"] = num_classes
        if class_names is not None:
            f.attrs["class_names"] = [str(c) for c in class_names]
        if input_size is not None:
            f.attrs["input_size"] = int(input_size)
