"""Generates the Keras-layout fixtures of tests/data/keras/ (seeded, reproducible).

Needs TensorFlow 2.15 (Keras 2.15, which writes the legacy .h5 layout). TF 2.15 pins numpy < 2,
so it lives in its own virtualenv rather than the project's /work/venv:

    python3.11 -m venv /work/venv-keras
    /work/venv-keras/bin/pip install "tensorflow-cpu==2.15.*" "h5py<3.12"
    /work/venv-keras/bin/python tools/gen_keras_fixtures.py [--out tests/data/keras]

It builds ResNet50-structure models (bottleneck blocks 3, 4, 6, 3; stride in the first 1x1 conv
and the 1x1 shortcut; conv biases; Keras batchnorm) at 1/WIDTH_DIVISOR of the published widths,
in both published naming generations:

  new: keras.applications.resnet (keras/applications/resnet.py, Keras >= 2.2.5):
       conv1_pad, conv1_conv, conv1_bn, pool1_pad, pool1_pool, conv2_block1_0_conv (shortcut),
       conv2_block1_1_conv ... conv5_block3_3_bn, avg_pool, predictions; BN epsilon 1.001e-5.
  old: keras_applications/resnet50.py as in keras-applications 1.0.8 (the last release, whose
       weights file resnet50_weights_tf_dim_ordering_tf_kernels.h5 it loads): conv1_pad
       (ZeroPadding2D 3) + conv1 (7x7/2 valid), bn_conv1, pool1_pad (ZeroPadding2D 1) +
       MaxPooling2D 3x3/2 valid, res2a_branch2a / bn2a_branch2a ... res2a_branch1 (shortcut),
       avg_pool (global), fc1000; Keras' default BN epsilon 1e-3. (Releases before
       keras-applications 1.0.5 had no pool1_pad: a 3x3/2 max pool without padding.)

Both pad the max pool with zeros after a ReLU, which equals max pooling with padding 1.

Files written (all weights random, BN gamma/beta/moving statistics not the defaults):
  new_top.h5                    model.save_weights(...h5) with the head (CLASSES classes)
  new_whole_notop.h5            model.save(...h5) of the model without head: all weights under
                                /model_weights, model_config beside it
  new_chunked.h5                new_top.h5 with layer_names and every weight_names split into
                                NAME0, NAME1, ... (as Keras does for attributes over 64 KB) as
                                fixed-length byte strings (h5py 2.x / older Keras wrote those;
                                Keras 2.15 writes variable-length strings)
  old_top.h5, old_notop.h5      the legacy generation, save_weights with / without head
  old_nocolon.h5                old_top.h5 with every weight name (attribute and dataset) without
                                ':0', fixed-length strings
Every weights file is repacked into HDF5's newest file format (compact groups: ~half the size
of h5py's default); groups, datasets, attributes and their types stay as Keras wrote them, and
the generator loads each file back with Keras' own loader and checks it computes the reference.
Everything is reproducible from the seed, byte for byte (objects are written without HDF5
timestamps).
  new_reference.h5, old_reference.h5
      input_rgb (N, H, W, 3) uint8 image, input (N, H, W, 3) float32 after
      keras.applications.resnet.preprocess_input ("caffe": BGR, mean subtracted), and the
      model's outputs: stem (after conv1 + bn + relu), maxpool, layer1..layer4 (the conv2..conv5
      stage outputs, NHWC), features (N, C) global average pool, logits (N, CLASSES) before
      softmax. Attributes: keras_count_params (model.count_params(), running statistics
      included), keras_trainable_params, keras_version, width_divisor, bn_epsilon.
"""
import argparse
import os
import shutil

import h5py
import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras as keras_package  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow import keras  # noqa: E402
from tensorflow.keras import layers  # noqa: E402

SEED = 1234
WIDTH_DIVISOR = 32           # 64 -> 2 stem channels, 256 -> 8, ..., 2048 -> 64 features
BLOCKS = (3, 4, 6, 3)        # ResNet50
CLASSES = 10
BATCH, HEIGHT, WIDTH = 2, 41, 37  # odd sizes: every padding and stride rounding shows


def w(channels, divisor=None):
    return max(1, channels // (divisor or WIDTH_DIVISOR))


# ---------------------------------------------------------------- new generation (keras.applications.resnet)
NEW_EPS = 1.001e-5


def new_block(x, filters, stride, conv_shortcut, name):
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=name + "_0_conv")(x)
        shortcut = layers.BatchNormalization(axis=3, epsilon=NEW_EPS, name=name + "_0_bn")(shortcut)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=stride, name=name + "_1_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=NEW_EPS, name=name + "_1_bn")(x)
    x = layers.Activation("relu", name=name + "_1_relu")(x)
    x = layers.Conv2D(filters, 3, padding="SAME", name=name + "_2_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=NEW_EPS, name=name + "_2_bn")(x)
    x = layers.Activation("relu", name=name + "_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=name + "_3_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=NEW_EPS, name=name + "_3_bn")(x)
    x = layers.Add(name=name + "_add")([shortcut, x])
    return layers.Activation("relu", name=name + "_out")(x)


def new_resnet(include_top):
    """keras.applications.resnet.ResNet50 with widths / WIDTH_DIVISOR and logits out."""
    inputs = layers.Input(shape=(HEIGHT, WIDTH, 3))
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(inputs)
    x = layers.Conv2D(w(64), 7, strides=2, use_bias=True, name="conv1_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=NEW_EPS, name="conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    taps = {"stem": x}
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    taps["maxpool"] = x
    for stage, (filters, blocks) in enumerate(zip((64, 128, 256, 512), BLOCKS)):
        name = "conv%d" % (stage + 2)
        x = new_block(x, w(filters), 1 if stage == 0 else 2, True, name + "_block1")
        for b in range(2, blocks + 1):
            x = new_block(x, w(filters), 1, False, name + "_block%d" % b)
        taps["layer%d" % (stage + 1)] = x
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    taps["features"] = x
    if include_top:
        x = layers.Dense(CLASSES, activation=None, name="predictions")(x)
        taps["logits"] = x
    return keras.Model(inputs, x, name="resnet50"), taps


# ---------------------------------------------------------------- old generation (keras_applications 1.0.8 resnet50)
def old_identity_block(x, filters, stage, block):
    f1, f2, f3 = filters
    conv, bn = "res%d%s_branch" % (stage, block), "bn%d%s_branch" % (stage, block)
    shortcut = x
    x = layers.Conv2D(f1, (1, 1), name=conv + "2a")(x)
    x = layers.BatchNormalization(axis=3, name=bn + "2a")(x)
    x = layers.Activation("relu")(x)
    x = layers.Conv2D(f2, 3, padding="same", name=conv + "2b")(x)
    x = layers.BatchNormalization(axis=3, name=bn + "2b")(x)
    x = layers.Activation("relu")(x)
    x = layers.Conv2D(f3, (1, 1), name=conv + "2c")(x)
    x = layers.BatchNormalization(axis=3, name=bn + "2c")(x)
    x = layers.add([x, shortcut])
    return layers.Activation("relu")(x)


def old_conv_block(x, filters, stage, block, strides=(2, 2)):
    f1, f2, f3 = filters
    conv, bn = "res%d%s_branch" % (stage, block), "bn%d%s_branch" % (stage, block)
    shortcut = x
    x = layers.Conv2D(f1, (1, 1), strides=strides, name=conv + "2a")(x)
    x = layers.BatchNormalization(axis=3, name=bn + "2a")(x)
    x = layers.Activation("relu")(x)
    x = layers.Conv2D(f2, 3, padding="same", name=conv + "2b")(x)
    x = layers.BatchNormalization(axis=3, name=bn + "2b")(x)
    x = layers.Activation("relu")(x)
    x = layers.Conv2D(f3, (1, 1), name=conv + "2c")(x)
    x = layers.BatchNormalization(axis=3, name=bn + "2c")(x)
    shortcut = layers.Conv2D(f3, (1, 1), strides=strides, name=conv + "1")(shortcut)
    shortcut = layers.BatchNormalization(axis=3, name=bn + "1")(shortcut)
    x = layers.add([x, shortcut])
    return layers.Activation("relu")(x)


def old_resnet(include_top, divisor=None, input_shape=(HEIGHT, WIDTH, 3), classes=CLASSES):
    """keras_applications 1.0.8 resnet50.ResNet50 with widths / divisor and logits out."""
    inputs = layers.Input(shape=input_shape)
    x = layers.ZeroPadding2D(padding=(3, 3), name="conv1_pad")(inputs)
    x = layers.Conv2D(w(64, divisor), (7, 7), strides=(2, 2), padding="valid", name="conv1")(x)
    x = layers.BatchNormalization(axis=3, name="bn_conv1")(x)
    x = layers.Activation("relu")(x)
    taps = {"stem": x}
    x = layers.ZeroPadding2D(padding=(1, 1), name="pool1_pad")(x)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    taps["maxpool"] = x
    for stage, (filters, blocks) in enumerate(zip((64, 128, 256, 512), BLOCKS)):
        f = [w(filters, divisor), w(filters, divisor), w(4 * filters, divisor)]
        x = old_conv_block(x, f, stage + 2, "a", strides=(1, 1) if stage == 0 else (2, 2))
        for b in range(1, blocks):
            x = old_identity_block(x, f, stage + 2, chr(ord("a") + b))
        taps["layer%d" % (stage + 1)] = x
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    taps["features"] = x
    if include_top:
        x = layers.Dense(classes, activation=None, name="fc1000")(x)
        taps["logits"] = x
    return keras.Model(inputs, x, name="resnet50"), taps


# ---------------------------------------------------------------- weights and references
def randomise_batchnorm(model, calibration, rng):
    """Non-default BN parameters with activations of a sane scale through 16 blocks.

    gamma, beta random; moving statistics first set to the batch statistics of a calibration
    batch (momentum 0, one training-mode pass), then perturbed so that they are not exactly
    the batch statistics either. The last BN of each residual branch gets a small gamma, so
    the residual sums do not grow stage after stage.
    """
    bns = [l for l in model.layers if isinstance(l, layers.BatchNormalization)]
    for bn in bns:
        c = bn.gamma.shape[0]
        last_of_branch = bn.name.endswith(("_3_bn", "2c"))
        scale = 0.3 if last_of_branch else 1.0
        bn.gamma.assign(rng.uniform(0.5, 1.5, c).astype(np.float32) * scale)
        bn.beta.assign(rng.uniform(-0.3, 0.3, c).astype(np.float32))
        bn.momentum = 0.0
    model(calibration, training=True)
    for bn in bns:
        c = bn.gamma.shape[0]
        var = bn.moving_variance.numpy()
        std = np.sqrt(var + 1e-3)
        bn.moving_mean.assign(bn.moving_mean.numpy() + (0.1 * std * rng.standard_normal(c)).astype(np.float32))
        bn.moving_variance.assign(var * rng.uniform(0.7, 1.4, c).astype(np.float32))
        bn.momentum = 0.99


def randomise_biases(model, rng):
    for layer in model.layers:
        if isinstance(layer, (layers.Conv2D, layers.Dense)) and layer.use_bias:
            layer.bias.assign(rng.uniform(-0.1, 0.1, layer.bias.shape).astype(np.float32))


def copy_weights(src, dst):
    """Same-named layers of `dst` get the weights of `src` (the no-top model shares them)."""
    by_name = {l.name: l for l in src.layers}
    for layer in dst.layers:
        if layer.weights:
            layer.set_weights(by_name[layer.name].get_weights())


def caffe_input(rng):
    rgb = rng.integers(0, 256, size=(BATCH, HEIGHT, WIDTH, 3), dtype=np.uint8)
    x = keras.applications.resnet.preprocess_input(rgb.astype(np.float32).copy())  # BGR, mean subtracted
    return rgb, x.astype(np.float32)


def write_reference(path, model, taps, rgb, x, eps):
    probe = keras.Model(model.inputs, taps)
    outputs = probe(x, training=False)
    trainable = int(sum(np.prod(v.shape) for v in model.trainable_weights))
    with h5py.File(path, "w") as f:
        f.create_dataset("input_rgb", data=rgb)
        f.create_dataset("input", data=x)
        for name, value in outputs.items():
            f.create_dataset(name, data=value.numpy().astype(np.float32))
        f.attrs["keras_count_params"] = int(model.count_params())
        f.attrs["keras_trainable_params"] = trainable
        f.attrs["keras_version"] = keras_package.__version__
        f.attrs["width_divisor"] = WIDTH_DIVISOR
        f.attrs["bn_epsilon"] = eps
    for name, value in outputs.items():
        print("  %-9s %-18s std %.4g  max|.| %.4g" % (name, tuple(value.shape), np.std(value), np.max(np.abs(value))))


def repack(src, dst, rename_attribute=None):
    """Copies an HDF5 file object by object into HDF5's newest file format (compact groups).

    Groups, datasets, attributes and their types (variable- or fixed-length strings) are kept;
    only the low-level format changes, which saves ~60% of these small files.
    `rename_attribute(path, name, values, dtype)` may return {name: (values, dtype)} to replace
    an attribute; the default keeps it.
    """
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    fcpl.set_obj_track_times(False)  # the root group without timestamps too
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    fapl.set_libver_bounds(h5py.h5f.LIBVER_LATEST, h5py.h5f.LIBVER_LATEST)
    fid = h5py.h5f.create(dst.encode(), h5py.h5f.ACC_TRUNC, fcpl=fcpl, fapl=fapl)
    with h5py.File(src, "r") as s, h5py.File(fid) as d:
        def copy_attributes(source, target, path):
            for name in source.attrs:
                dtype = source.attrs.get_id(name).dtype
                values = source.attrs[name]
                out = rename_attribute(path, name, values, dtype) if rename_attribute else None
                for new_name, (v, t) in (out if out is not None else {name: (values, dtype)}).items():
                    target.attrs.create(new_name, v, dtype=t)

        copy_attributes(s, d, "/")

        def visit(path, obj):  # without object timestamps, so that a rerun writes the same bytes
            if isinstance(obj, h5py.Group):
                gcpl = h5py.h5p.create(h5py.h5p.GROUP_CREATE)
                gcpl.set_obj_track_times(False)
                h5py.h5g.create(d.id, path.encode(), gcpl=gcpl)
                copy_attributes(obj, d[path], path)
            else:
                d.create_dataset(path, data=obj[()], dtype=obj.dtype, track_times=False)
                copy_attributes(obj, d[path], path)
        s.visititems(visit)


def as_fixed_length(values):
    """A string list as numpy fixed-length bytes ('S'), as h5py 2.x / older Keras wrote it."""
    data = [v.encode("utf8") if isinstance(v, str) else bytes(v) for v in values]
    return np.array(data, dtype="S%d" % max([1] + [len(v) for v in data]))


def write_chunked(src, dst, chunks=3):
    """Repacks a weights file with layer_names and every weight_names split into chunks.

    Keras (save_attributes_to_hdf5_group) splits an attribute above 64 KB into NAME0, NAME1,
    ... and writes no NAME; real files hit that only for very large models, so this file
    forces it with small chunks. Chunks are fixed-length byte strings, as older Keras wrote.
    """
    def split(path, name, values, dtype):
        if name not in ("layer_names", "weight_names"):
            return None
        values = list(values)
        if not values:
            return {name + "0": (as_fixed_length([]), None)}
        size = max(1, -(-len(values) // chunks))
        return {"%s%d" % (name, i // size): (as_fixed_length(values[i:i + size]), None)
                for i in range(0, len(values), size)}
    repack(src, dst, split)


def write_without_colon(src, dst):
    """Repacks a weights file with every weight name (attribute and dataset) without ':0'."""
    tmp = dst + ".tmp"
    shutil.copyfile(src, tmp)
    with h5py.File(tmp, "r+") as f:
        for layer in f.attrs["layer_names"]:
            g = f[layer]
            names = list(g.attrs["weight_names"])
            for n in names:
                assert n.endswith(":0"), n
                g.move(n, n[:-2])
            g.attrs["weight_names"] = as_fixed_length([n[:-2] for n in names])
    repack(tmp, dst)
    os.remove(tmp)


def generate(kind, out_dir, rng):
    build = new_resnet if kind == "new" else old_resnet
    eps = NEW_EPS if kind == "new" else 1e-3
    model, taps = build(include_top=True)
    rng_w = np.random.default_rng(rng.integers(1 << 31))
    for v in model.weights:  # He-normal kernels (Keras' own init), re-drawn from our seed
        if v.name.endswith("kernel:0"):
            fan_in = int(np.prod(v.shape[:-1]))
            v.assign(rng_w.standard_normal(v.shape).astype(np.float32) * np.sqrt(2.0 / fan_in))
    randomise_biases(model, rng_w)
    _, calibration = caffe_input(rng_w)
    randomise_batchnorm(model, calibration, rng_w)

    rgb, x = caffe_input(rng)
    print("%s generation, with top:" % kind)
    write_reference(os.path.join(out_dir, "%s_reference.h5" % kind), model, taps, rgb, x, eps)
    notop, _ = build(include_top=False)
    copy_weights(model, notop)
    tmp = os.path.join(out_dir, "tmp")
    os.makedirs(tmp, exist_ok=True)
    top_path, notop_path = os.path.join(tmp, "top.h5"), os.path.join(tmp, "notop.h5")
    model.save_weights(top_path)
    if kind == "new":
        notop.save(notop_path, include_optimizer=False)  # whole-model file, no head
        repack(top_path, os.path.join(out_dir, "new_top.h5"))
        repack(notop_path, os.path.join(out_dir, "new_whole_notop.h5"))
        write_chunked(top_path, os.path.join(out_dir, "new_chunked.h5"))
    else:
        notop.save_weights(notop_path)
        repack(top_path, os.path.join(out_dir, "old_top.h5"))
        repack(notop_path, os.path.join(out_dir, "old_notop.h5"))
        write_without_colon(top_path, os.path.join(out_dir, "old_nocolon.h5"))
    shutil.rmtree(tmp)
    print("  count_params %d" % model.count_params())
    verify_with_keras(kind, out_dir, build, x)


def verify_with_keras(kind, out_dir, build, x):
    """Loads every written weights file back with Keras' own loader into a fresh model and
    checks it computes the reference: the repacked files are still what Keras reads."""
    with h5py.File(os.path.join(out_dir, "%s_reference.h5" % kind), "r") as ref:
        logits, features = ref["logits"][()], ref["features"][()]
    for name in sorted(os.listdir(out_dir)):
        if not name.startswith(kind + "_") or name.endswith("_reference.h5"):
            continue
        path = os.path.join(out_dir, name)
        if "whole" in name:
            model = keras.models.load_model(path, compile=False)
        else:
            model, _ = build(include_top="notop" not in name)
            model.load_weights(path)
        out = model(x, training=False).numpy()
        expected = features if "notop" in name else logits
        out = out if out.ndim == 2 else out.mean(axis=(1, 2))  # a no-top model ends before the pool
        assert np.array_equal(out, expected), (name, np.max(np.abs(out - expected)))
        print("  %-20s loads in Keras, outputs identical" % name)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "tests", "data", "keras"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    tf.keras.utils.set_random_seed(SEED)
    tf.config.experimental.enable_op_determinism()
    rng = np.random.default_rng(SEED)
    generate("new", args.out, rng)
    keras.backend.clear_session()
    generate("old", args.out, rng)
    total = sum(os.path.getsize(os.path.join(args.out, n)) for n in os.listdir(args.out))
    print("wrote %s: %.0f KB in all" % (args.out, total / 1024))


if __name__ == "__main__":
    main()
