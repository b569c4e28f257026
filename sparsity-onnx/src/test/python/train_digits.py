"""Trains the small digits classifier used by the calibration (Wanda) tests, exports it with
torch.onnx and writes a calibration set and a held-out evaluation set; optionally exports a
ResNet-18 with random weights for the calibration benchmark (not committed: too large).

Data: scikit-learn's bundled digits data set (8x8 images, 10 classes; no download).
Needs torch, scikit-learn, onnx and onnxruntime.

    python3 train_digits.py OUTDIR [--resnet]

writes OUTDIR/digits/{digits_mlp.onnx, calibration/sample_NN/input_0.pb,
evaluation/sample_NN/input_0.npy, evaluation/labels.npy, reference.txt, norms_*.npy}
and with --resnet OUTDIR/resnet18.onnx (random weights, batch 1x3x224x224).
reference.txt holds the dense / 2:4 magnitude / 2:4 Wanda accuracies computed here in PyTorch,
as an independent cross-check of the Java implementation.
"""
import os
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from sklearn.datasets import load_digits

out = os.path.join(sys.argv[1], "digits")
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
rng = np.random.default_rng(0)
dev = "cuda" if torch.cuda.is_available() else "cpu"

x, y = load_digits(return_X_y=True)
x = (x / 16.0).astype(np.float32)  # pixel intensities 0..1; no per-feature standardization
y = y.astype(np.int64)
perm = rng.permutation(len(x))
x, y = x[perm], y[perm]
n_cal, n_eval = 128, 400
x_eval, y_eval = x[:n_eval], y[:n_eval]
x_cal = x[n_eval:n_eval + n_cal]
x_train, y_train = x[n_eval:], y[n_eval:]  # the calibration samples are training samples


class Mlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(64, 128)
        self.fc2 = torch.nn.Linear(128, 128)
        self.fc3 = torch.nn.Linear(128, 10)

    def forward(self, v):
        h1 = torch.relu(self.fc1(v))
        h2 = torch.relu(self.fc2(h1))
        return self.fc3(h2)


model = Mlp().to(dev)
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
xt = torch.tensor(x_train, device=dev)
yt = torch.tensor(y_train, device=dev)
for epoch in range(300):
    idx = torch.randperm(len(xt), device=dev)
    for b in range(0, len(xt), 64):
        j = idx[b:b + 64]
        loss = torch.nn.functional.cross_entropy(model(xt[j]), yt[j])
        opt.zero_grad()
        loss.backward()
        opt.step()
model = model.cpu().eval()


def accuracy(m):
    with torch.no_grad():
        return float((m(torch.tensor(x_eval)).argmax(1).numpy() == y_eval).mean())


def two_of_four(scores):
    """Keeps the 2 highest scores of each group of 4 along the last axis (ties -> lower index)."""
    s = scores.reshape(scores.shape[0], -1, 4)
    order = np.argsort(-s, axis=2, kind="stable")
    keep = np.zeros_like(s, dtype=bool)
    np.put_along_axis(keep, order[:, :, :2], True, axis=2)
    return keep.reshape(scores.shape)


# Inputs of each Linear over the calibration samples: per-input-feature L2 norms.
with torch.no_grad():
    c = torch.tensor(x_cal)
    a1 = c
    a2 = torch.relu(model.fc1(a1))
    a3 = torch.relu(model.fc2(a2))
norms = {name: np.sqrt((a.numpy().astype(np.float64) ** 2).sum(0)) for name, a in
         (("fc1", a1), ("fc2", a2), ("fc3", a3))}
for k, v in norms.items():
    np.save(os.path.join(out, f"norms_{k}.npy"), v)

dense_acc = accuracy(model)
results = {"dense": dense_acc}
for method in ("magnitude", "wanda"):
    pruned = Mlp()
    pruned.load_state_dict(model.state_dict())
    for name in ("fc1", "fc2", "fc3"):
        w = getattr(pruned, name).weight.data.numpy()  # [out, in]: groups along in
        score = np.abs(w) * (norms[name][None, :] if method == "wanda" else 1.0)
        getattr(pruned, name).weight.data = torch.tensor(w * two_of_four(score))
    results[method] = accuracy(pruned)

path = os.path.join(out, "digits_mlp.onnx")
dummy = torch.tensor(x_eval[:2])
kw = dict(input_names=["pixels"], output_names=["logits"], opset_version=17,
          dynamic_axes={"pixels": {0: "batch"}, "logits": {0: "batch"}})
try:
    torch.onnx.export(model, (dummy,), path, dynamo=False, do_constant_folding=True, **kw)
except TypeError:
    torch.onnx.export(model, (dummy,), path, do_constant_folding=True, **kw)
m = onnx.load(path)
onnx.checker.check_model(m)
ops = sorted({n.op_type for n in m.graph.node})

import onnxruntime as ort
sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
ort_acc = float((sess.run(None, {"pixels": x_eval})[0].argmax(1) == y_eval).mean())

for i in range(16):
    d = os.path.join(out, "calibration", f"sample_{i:02d}")
    os.makedirs(d, exist_ok=True)
    t = numpy_helper.from_array(x_cal[i * 8:(i + 1) * 8], name="pixels")
    with open(os.path.join(d, "input_0.pb"), "wb") as f:
        f.write(t.SerializeToString())
for i in range(8):
    d = os.path.join(out, "evaluation", f"sample_{i:02d}")
    os.makedirs(d, exist_ok=True)
    np.save(os.path.join(d, "input_0.npy"), x_eval[i * 50:(i + 1) * 50])
np.save(os.path.join(out, "evaluation", "labels.npy"), y_eval)

with open(os.path.join(out, "reference.txt"), "w") as f:
    f.write(f"torch {torch.__version__}, onnx {onnx.__version__}, onnxruntime {ort.__version__}, device {dev}\n")
    f.write(f"model: 64-128-128-10 MLP (ReLU), trained 300 epochs Adam on {len(x_train)} digits samples; "
            f"ops {ops}, {os.path.getsize(path)} bytes\n")
    f.write(f"calibration: {n_cal} training samples (16 x 8); evaluation: {n_eval} held-out samples\n")
    f.write(f"held-out top-1 accuracy (PyTorch): dense {results['dense']:.4f}, 2:4 magnitude "
            f"{results['magnitude']:.4f}, 2:4 Wanda {results['wanda']:.4f}; dense via onnxruntime {ort_acc:.4f}\n")
print(open(os.path.join(out, "reference.txt")).read(), flush=True)

if "--resnet" in sys.argv:
    import time
    import torchvision
    t0 = time.time()
    r = torchvision.models.resnet18(weights=None).eval()
    rp = os.path.join(sys.argv[1], "resnet18.onnx")
    try:
        torch.onnx.export(r, (torch.randn(1, 3, 224, 224),), rp, dynamo=False, do_constant_folding=True,
                          opset_version=17, input_names=["image"], output_names=["logits"])
    except TypeError:
        torch.onnx.export(r, (torch.randn(1, 3, 224, 224),), rp, do_constant_folding=True,
                          opset_version=17, input_names=["image"], output_names=["logits"])
    rm = onnx.load(rp)
    print(f"resnet18.onnx {os.path.getsize(rp)} bytes, ops {sorted({n.op_type for n in rm.graph.node})}, "
          f"{time.time() - t0:.1f} s", flush=True)
