"""Exports the small test models of sparsity-onnx and the README example with torch.onnx.

Random weights (seeded); torchvision and transformers architectures at tiny sizes so that the
committed files stay small. Needs torch, torchvision, onnx and onnxruntime (transformers optional).

    python3 export_models.py OUTDIR

writes OUTDIR/models/*.onnx (+ .data for the external-data model) and OUTDIR/mlp.onnx (the example).
"""
import os
import sys
import traceback

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper

out = sys.argv[1]
models = os.path.join(out, "models")
os.makedirs(models, exist_ok=True)
torch.manual_seed(0)
log = []


def export(module, args, path, **kw):
    module.eval()
    try:
        torch.onnx.export(module, args, path, dynamo=False, do_constant_folding=True, opset_version=17, **kw)
    except TypeError:
        torch.onnx.export(module, args, path, do_constant_folding=True, opset_version=17, **kw)
    m = onnx.load(path)
    onnx.checker.check_model(m)
    ops = sorted({n.op_type for n in m.graph.node})
    log.append(f"{os.path.basename(path)}: {os.path.getsize(path)} bytes, producer {m.producer_name} "
               f"{m.producer_version}, opset {m.opset_import[0].version}, ops {ops}")


def attempt(name, fn):
    try:
        fn()
    except Exception:  # keep going: report which exports failed
        log.append(f"{name}: FAILED\n" + traceback.format_exc())


class Mlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(64, 128)
        self.fc2 = torch.nn.Linear(128, 128)
        self.fc3 = torch.nn.Linear(128, 16)

    def forward(self, x):
        return self.fc3(torch.relu(self.fc2(torch.relu(self.fc1(x)))))


def mlp():
    export(Mlp(), (torch.randn(2, 64),), os.path.join(out, "mlp.onnx"), input_names=["x"], output_names=["y"],
           dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})


def tiny_resnet(dtype, name):
    from torchvision.models.resnet import BasicBlock

    class TinyResNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = torch.nn.Sequential(torch.nn.Conv2d(3, 16, 3, padding=1, bias=False),
                                            torch.nn.BatchNorm2d(16), torch.nn.ReLU())
            down = torch.nn.Sequential(torch.nn.Conv2d(16, 32, 1, stride=2, bias=False), torch.nn.BatchNorm2d(32))
            self.layer1 = BasicBlock(16, 16)
            self.layer2 = BasicBlock(16, 32, stride=2, downsample=down)
            self.pool = torch.nn.AdaptiveAvgPool2d(1)
            self.fc = torch.nn.Linear(32, 8)

        def forward(self, x):
            x = self.layer2(self.layer1(self.stem(x)))
            return self.fc(torch.flatten(self.pool(x), 1))

    m = TinyResNet()
    for mod in m.modules():  # non-trivial batch-norm statistics so that folding changes the weights
        if isinstance(mod, torch.nn.BatchNorm2d):
            mod.running_mean.uniform_(-0.5, 0.5)
            mod.running_var.uniform_(0.5, 1.5)
    dev = "cuda" if dtype == torch.float16 and torch.cuda.is_available() else "cpu"
    m = m.to(dev, dtype)
    export(m, (torch.randn(1, 3, 16, 16, device=dev, dtype=dtype),), os.path.join(models, name),
           input_names=["x"], output_names=["y"])


def tiny_vit(dtype, name):
    from torchvision.models.vision_transformer import VisionTransformer
    m = VisionTransformer(image_size=16, patch_size=4, num_layers=2, num_heads=2, hidden_dim=32, mlp_dim=64,
                          num_classes=8)
    dev = "cuda" if dtype == torch.float16 and torch.cuda.is_available() else "cpu"
    m = m.to(dev, dtype)
    export(m, (torch.randn(1, 3, 16, 16, device=dev, dtype=dtype),), os.path.join(models, name),
           input_names=["x"], output_names=["y"])


def tiny_bert():
    from transformers import BertConfig, BertModel
    cfg = BertConfig(vocab_size=64, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=16, attn_implementation="eager")
    m = BertModel(cfg)
    ids = torch.randint(0, 64, (1, 8))
    mask = torch.ones(1, 8, dtype=torch.int64)
    path = os.path.join(models, "bert_tiny.onnx")
    export(m, (ids, mask), path, input_names=["input_ids", "attention_mask"],
           output_names=["last_hidden_state", "pooler_output"])
    # The same model with every tensor in one external data file.
    mp = onnx.load(path)
    onnx.save_model(mp, os.path.join(models, "bert_tiny_external.onnx"), save_as_external_data=True,
                    all_tensors_to_one_file=True, location="bert_tiny_external.onnx.data", size_threshold=0)
    log.append("bert_tiny_external.onnx: external data")


class Branchy(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Linear(32, 32)
        self.b = torch.nn.Linear(32, 32)

    def forward(self, x):
        if bool(x.sum() > 0):
            y = self.a(x)
        else:
            y = self.b(x)
        return y


def if_model():
    m = torch.jit.script(Branchy())
    export(m, (torch.randn(2, 32),), os.path.join(models, "if_branches.onnx"), input_names=["x"],
           output_names=["y"])


def constants_model():
    # Every initializer of the MLP turned into a Constant node, as some exporters write weights.
    mp = onnx.load(os.path.join(out, "mlp.onnx"))
    consts = [helper.make_node("Constant", [], [t.name], value=t, name="const_" + t.name)
              for t in mp.graph.initializer]
    nodes = consts + list(mp.graph.node)
    del mp.graph.initializer[:]
    del mp.graph.node[:]
    mp.graph.node.extend(nodes)
    onnx.checker.check_model(mp)
    onnx.save(mp, os.path.join(models, "mlp_constants.onnx"))
    log.append("mlp_constants.onnx: Constant-node weights")


def qdq_model():
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.data = iter([{"x": np.random.RandomState(i).randn(1, 3, 16, 16).astype(np.float32)}
                              for i in range(4)])

        def get_next(self):
            return next(self.data, None)

    quantize_static(os.path.join(models, "resnet_tiny_fp32.onnx"), os.path.join(models, "resnet_tiny_qdq.onnx"),
                    Reader(), quant_format=QuantFormat.QDQ, weight_type=QuantType.QInt8,
                    activation_type=QuantType.QInt8, per_channel=True)
    mp = onnx.load(os.path.join(models, "resnet_tiny_qdq.onnx"))
    onnx.checker.check_model(mp)
    log.append(f"resnet_tiny_qdq.onnx: ops {sorted({n.op_type for n in mp.graph.node})}")


attempt("mlp", mlp)
attempt("resnet fp32", lambda: tiny_resnet(torch.float32, "resnet_tiny_fp32.onnx"))
attempt("resnet fp16", lambda: tiny_resnet(torch.float16, "resnet_tiny_fp16.onnx"))
attempt("vit fp32", lambda: tiny_vit(torch.float32, "vit_tiny_fp32.onnx"))
attempt("vit fp16", lambda: tiny_vit(torch.float16, "vit_tiny_fp16.onnx"))
attempt("bert", tiny_bert)
attempt("if", if_model)
attempt("constants", constants_model)
attempt("qdq", qdq_model)
log.append("torch " + torch.__version__ + ", onnx " + onnx.__version__)
with open(os.path.join(out, "export_log.txt"), "w") as f:
    f.write("\n".join(log) + "\n")
print("\n".join(log))
