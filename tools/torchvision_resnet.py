"""torchvision ResNets at any base width, for fixtures and offline tests.

`resnet_of_width(depth, width, num_classes)` is torchvision.models.resnet.ResNet itself (its
BasicBlock/Bottleneck, _make_layer and forward, so the semantics are torchvision's exactly)
with the stage widths width * (1, 2, 4, 8) instead of 64 * (1, 2, 4, 8). At width 64 it is
torchvision's resnet<depth>, state_dict keys included.
"""
import torch.nn as nn
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet

LAYERS = {18: (BasicBlock, [2, 2, 2, 2]), 34: (BasicBlock, [3, 4, 6, 3]),
          50: (Bottleneck, [3, 4, 6, 3]), 101: (Bottleneck, [3, 4, 23, 3]),
          152: (Bottleneck, [3, 8, 36, 3])}


class ResNetOfWidth(ResNet):
    def __init__(self, block, layers, width, num_classes):
        nn.Module.__init__(self)  # ResNet.__init__ with 64 replaced by `width`
        self._norm_layer = nn.BatchNorm2d
        self.inplanes = width
        self.dilation = 1
        self.groups = 1
        self.base_width = 64  # Bottleneck's inner width is then `planes`, as in resnet50
        self.conv1 = nn.Conv2d(3, width, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, width, layers[0])
        self.layer2 = self._make_layer(block, width * 2, layers[1], stride=2)
        self.layer3 = self._make_layer(block, width * 4, layers[2], stride=2)
        self.layer4 = self._make_layer(block, width * 8, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(width * 8 * block.expansion, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")


def resnet_of_width(depth, width=64, num_classes=1000):
    block, layers = LAYERS[depth]
    return ResNetOfWidth(block, layers, width, num_classes)


def randomize_batchnorm(model, generator):
    """Non-trivial BN parameters and running statistics (not the 1/0/0/1 defaults)."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            n = m.num_features
            m.weight.data.uniform_(0.5, 1.5, generator=generator)
            m.bias.data.uniform_(-0.3, 0.3, generator=generator)
            m.running_mean.uniform_(-0.3, 0.3, generator=generator)
            m.running_var.uniform_(0.5, 2.0, generator=generator)
            m.num_batches_tracked.fill_(n)
