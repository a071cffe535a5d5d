"""Gets Keras ResNet50/101/152 weights as a legacy .h5 file that tl reads as it is.

    python tools/export_keras.py --arch resnet50 --out resnet50_keras.h5             # published file (internet)
    python tools/export_keras.py --arch resnet50 --out r50_notop.h5 --no-top         # published, without head
    python tools/export_keras.py --arch resnet50 --naming legacy --out r50_v1.h5     # keras_applications' file
    python tools/export_keras.py --arch resnet101 --out r101.h5 --random             # offline, random weights
    python tools/export_keras.py --arch resnet50 --naming legacy --out r.h5 --random # offline, legacy names

Preferred use: tl reads the published files directly, so without --random this script only
downloads the file that keras.applications itself loads (checking its published hash) and
copies it, byte for byte, to --out:
  current naming (keras.applications.resnet, Keras >= 2.2.5): resnet{50,101,152}_weights_tf_dim_
      ordering_tf_kernels[_notop].h5, conv1_conv / conv2_block1_1_conv names, BN eps 1.001e-5
  legacy naming (keras_applications resnet50.py, ResNet50 only): the v0.2 release file
      resnet50_weights_tf_dim_ordering_tf_kernels[_notop].h5, conv1 / res2a_branch2a names,
      BN eps 1e-3. (Its weight naming is older than the fixtures'; tl maps Keras 1's
      W / b / running_std names too, but this file has not been checked offline.)
--random builds the same architecture with weights=None (current naming: keras.applications'
own builder; legacy: tools/gen_keras_fixtures.py's replica of keras_applications 1.0.8 at full
width), randomises the BN statistics (seeded), and writes model.save_weights(--out): no download.
Check the result with `tl info OUT.h5`. Needs TensorFlow 2.15 (see tools/gen_keras_fixtures.py).
"""
import argparse
import os
import shutil

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf  # noqa: E402
from tensorflow import keras  # noqa: E402

ARCHS = ("resnet50", "resnet101", "resnet152")
CURRENT_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
CURRENT_HASHES = {  # (with top, without top), as in keras/applications/resnet.py
    "resnet50": ("2cb95161c43110f7111970584f804107", "4d473c1dd8becc155b73f8504c6f6626"),
    "resnet101": ("f1aeb4b969a6efcfb50fad2f0c20cfc5", "88cf7a10940856eca736dc7b7e228a21"),
    "resnet152": ("100835be76be38e30d865e96f2aaae62", "ee4c566cf9a93f14d82f913c2dc6dd0c"),
}
LEGACY_BASE = "https://github.com/fchollet/deep-learning-models/releases/download/v0.2/"
LEGACY_HASHES = ("a7b3fe01876f51b976af0dea6bc144eb", "a268eb855778b3df3c7506639542a6af")  # md5, keras_applications


def download(arch, naming, include_top):
    suffix = "" if include_top else "_notop"
    name = "%s_weights_tf_dim_ordering_tf_kernels%s.h5" % (arch, suffix)
    if naming == "current":
        url, file_hash = CURRENT_BASE + name, CURRENT_HASHES[arch][0 if include_top else 1]
    else:
        url, file_hash = LEGACY_BASE + name, LEGACY_HASHES[0 if include_top else 1]
        name = "legacy_" + name  # the two generations share file names: keep both caches apart
    return keras.utils.get_file(name, url, cache_subdir="models", file_hash=file_hash)


def random_model(arch, naming, include_top, seed):
    tf.keras.utils.set_random_seed(seed)
    if naming == "current":
        builder = {"resnet50": keras.applications.ResNet50, "resnet101": keras.applications.ResNet101,
                   "resnet152": keras.applications.ResNet152}[arch]
        model = builder(weights=None, include_top=include_top, input_shape=(224, 224, 3))
    else:
        import gen_keras_fixtures as legacy  # the replica of keras_applications 1.0.8's ResNet50
        model, _ = legacy.old_resnet(include_top, divisor=1, input_shape=(224, 224, 3), classes=1000)
    rng = np.random.default_rng(seed)
    for layer in model.layers:  # non-default BN statistics, so that a loader bug shows
        if isinstance(layer, keras.layers.BatchNormalization):
            c = layer.gamma.shape[0]
            layer.moving_mean.assign(rng.uniform(-0.2, 0.2, c).astype(np.float32))
            layer.moving_variance.assign(rng.uniform(0.5, 2.0, c).astype(np.float32))
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", required=True, choices=ARCHS)
    parser.add_argument("--out", required=True, help="the .h5 file to write")
    parser.add_argument("--naming", choices=("current", "legacy"), default="current",
                        help="current: keras.applications.resnet; legacy: keras_applications resnet50 (ResNet50 only)")
    parser.add_argument("--no-top", action="store_true", help="without the 1000-class head")
    parser.add_argument("--random", action="store_true", help="random weights, no download")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.naming == "legacy" and args.arch != "resnet50":
        parser.error("the legacy naming exists for resnet50 only")

    if args.random:
        model = random_model(args.arch, args.naming, not args.no_top, args.seed)
        model.save_weights(args.out)
        print("wrote %s: random %s (%s naming), %d parameters (Keras count, BN statistics included)"
              % (args.out, args.arch, args.naming, model.count_params()))
    else:
        path = download(args.arch, args.naming, not args.no_top)
        shutil.copyfile(path, args.out)
        print("wrote %s: the published %s weights (%s naming), copied from %s" % (args.out, args.arch, args.naming, path))


if __name__ == "__main__":
    main()
