"""A ResNet-18 at reduced width for the demo, with torchvision's exact structure and key names.

torchvision's ResNet class hard-codes the widths 64/128/256/512, so this module rebuilds the
same graph from torchvision's own BasicBlock: stem conv1 7x7/2 pad 3 (no bias) + bn1 + ReLU
+ maxpool 3x3/2 pad 1; layer1..layer4 with [2, 2, 2, 2] BasicBlocks, the stride in the first
3x3 conv of layer2..4 and a downsample = Sequential(conv1x1/2 no bias, BN); global average
pool; fc. state_dict keys: conv1.weight, bn1.*, layer1.0.conv1.weight, ...,
layer2.0.downsample.0.weight, layer2.0.downsample.1.*, fc.weight, fc.bias - exactly
torchvision.models.resnet18's, only with smaller shapes, so tl's loader (which infers widths
from the shapes) reads it as "resnet18".
"""
import torch
from torch import nn
from torchvision.models.resnet import BasicBlock


class ReducedResNet18(nn.Module):
    def __init__(self, widths=(16, 32, 64, 128), num_classes=5):
        super().__init__()
        self.conv1 = nn.Conv2d(3, widths[0], kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.inplanes = widths[0]
        self.layer1 = self._make_layer(widths[0], 2, stride=1)
        self.layer2 = self._make_layer(widths[1], 2, stride=2)
        self.layer3 = self._make_layer(widths[2], 2, stride=2)
        self.layer4 = self._make_layer(widths[3], 2, stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(widths[3], num_classes)
        # torchvision's initialisation
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

    def _make_layer(self, planes, blocks, stride):
        downsample = None
        if stride != 1 or self.inplanes != planes:
            downsample = nn.Sequential(
                nn.Conv2d(self.inplanes, planes, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(planes))
        layers = [BasicBlock(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes
        for _ in range(1, blocks):
            layers.append(BasicBlock(self.inplanes, planes))
        return nn.Sequential(*layers)

    def features(self, x):
        """x: (N, 3, H, W) -> (N, C) globally average-pooled features (what tl extracts)."""
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return torch.flatten(self.avgpool(x), 1)

    def pooled_features(self, x, stages=(2, 3, 4)):
        """x: (N, 3, H, W) -> (N, sum C_s): the globally average-pooled outputs of the given
        stages side by side (tl's ForwardOptions::pooled_stages; (4,) is features())."""
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        pooled = []
        for s, layer in enumerate((self.layer1, self.layer2, self.layer3, self.layer4), start=1):
            x = layer(x)
            if s in stages:
                pooled.append(torch.flatten(self.avgpool(x), 1))
        return torch.cat(pooled, 1)

    def forward(self, x):
        return self.fc(self.features(x))
