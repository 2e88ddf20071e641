"""PyTorch reference of Docs/Semantics.md: spiking networks trained with STBP.

The backward pass is plain autograd. Only the spike itself is a custom
autograd.Function (Heaviside forward, surrogate backward); the LIF update is written
with ordinary tensor ops, so autograd derives the STBP recurrence

    delta[t] = (g[t] - decay * u[t] * delta[t+1]) * h(u[t]) + decay * (1 - o[t]) * delta[t+1]

by itself. Shapes are time-major: [T, N, C, H, W] for conv activations, [T, N, F] for dense.

Usage as a tool (prints the parameters and, with --checkpoint, loads a Swift checkpoint):

    python3 Scripts/reference/stbp_reference.py --spec 32C3-AP2-32C3-AP2-128FC-10 \
        --input-shape 1x28x28 [--checkpoint model.safetensors]
"""

import argparse
import math
import re
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

# ---------------------------------------------------------------------------------------
# Network specs
# ---------------------------------------------------------------------------------------

# Token kinds. "Spiking" kinds are an affine map followed by LIF neurons.
CONV, POOL, NEUNORM, DROPOUT, DENSE, OUTPUT, VOTING = (
    "conv", "pool", "neunorm", "dropout", "dense", "output", "voting")
SPIKING_KINDS = (CONV, DENSE, OUTPUT, VOTING)
NEUNORM_K = 0.9         # NeuNorm's default k (token "NN"; "NN0.8" gives k = 0.8)

_NUMBER = r"(\d+(?:\.\d*)?|\.\d+)"
_TOKEN_PATTERNS = [
    (CONV, re.compile(r"(\d+)C(\d+)(?:s(\d+))?(?:p(\d+))?(\(Encoding\))?")),
    (POOL, re.compile(r"AP(\d+)(?:s(\d+))?")),
    (NEUNORM, re.compile(r"NN" + _NUMBER + "?")),
    (DROPOUT, re.compile(r"D" + _NUMBER)),
    (DENSE, re.compile(r"(\d+)FC")),
    (OUTPUT, re.compile(r"(\d+)")),
    (VOTING, re.compile(r"Voting(\d+)?")),
]


@dataclass(frozen=True)
class Token:
    """One '-'-separated token of a spec; `index` names its parameters layers.<index>.*."""
    index: int
    text: str
    kind: str
    size: int = 0          # conv maps, dense/output features, or votes per class (Voting)
    kernel: int = 0        # conv and pooling
    stride: int = 1
    padding: int = 0
    rate: float = 0.0      # NeuNorm k, or dropout p
    encoding: bool = False


def _match(text):
    """The (kind, regex match) of a token text, or (None, None)."""
    for kind, pattern in _TOKEN_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            return kind, match
    return None, None


def parse_spec(spec):
    """Parses e.g. "128C3(Encoding)-AP2-NN0.8-D0.5-1024FC-Voting" into a list of Tokens."""
    texts = spec.split("-")
    tokens = []
    for index, text in enumerate(texts):
        where = f"token {index} '{text}' of spec '{spec}'"
        kind, match = _match(text)
        if kind is None:
            raise ValueError(f"{where}: expected one of <n>C<k>[s<s>][p<p>][(Encoding)], "
                             "AP<k>[s<s>], NN[<k>], D<p>, <n>FC, <n>, Voting[<votes>]")
        g = match.groups()
        if kind == CONV:
            kernel = int(g[1])
            token = Token(index, text, kind, size=int(g[0]), kernel=kernel,
                          stride=int(g[2] or 1),
                          padding=int(g[3]) if g[3] is not None else kernel // 2,
                          encoding=g[4] is not None)
        elif kind == POOL:
            token = Token(index, text, kind, kernel=int(g[0]), stride=int(g[1] or g[0]))
        elif kind == NEUNORM:
            token = Token(index, text, kind, rate=float(g[0]) if g[0] else NEUNORM_K)
        elif kind == DROPOUT:
            token = Token(index, text, kind, rate=float(g[0]))
        elif kind == VOTING:
            token = Token(index, text, kind, size=int(g[0] or 10))
        else:
            token = Token(index, text, kind, size=int(g[0]))

        if token.encoding and index != 0:
            raise ValueError(f"{where}: (Encoding) marks the first layer only")
        if kind in (NEUNORM, DROPOUT) and not 0 <= token.rate < 1:
            raise ValueError(f"{where}: the rate must be in [0, 1)")
        if (kind in (CONV, DENSE, OUTPUT, VOTING) and token.size == 0) or \
                (kind in (CONV, POOL) and min(token.kernel, token.stride) == 0):
            raise ValueError(f"{where}: sizes must be positive")
        if (index == len(texts) - 1) != (kind in (OUTPUT, VOTING)):
            raise ValueError(f"{where}: a spec must end in, and only end in, "
                             "a number token or Voting")
        tokens.append(token)
    return tokens


# ---------------------------------------------------------------------------------------
# Spikes and surrogates
# ---------------------------------------------------------------------------------------

# h(x) with x = u - threshold and width a; each has area 1 over x. Default widths second.
SURROGATES = {
    "rectangular": (lambda x, a: (x.abs() < a / 2).to(x.dtype) / a, 1.0),
    "triangular": (lambda x, a: (2 / a) * torch.clamp(1 - 2 * x.abs() / a, min=0), 1.0),
    "sigmoid": (lambda x, a: torch.sigmoid(x / a) * (1 - torch.sigmoid(x / a)) / a, 0.25),
    "gaussian": (lambda x, a: torch.exp(-x * x / (2 * a)) / math.sqrt(2 * math.pi * a), 0.25),
    "arctan": (lambda x, a: (1 / a) / (1 + (math.pi * x / a) ** 2), 1.0),
}


class Spike(torch.autograd.Function):
    """o = 1[u > threshold] (strict); backward do/du = h(u - threshold) of the surrogate."""

    @staticmethod
    def forward(ctx, u, threshold, surrogate, width):
        ctx.save_for_backward(u)
        ctx.threshold, ctx.surrogate, ctx.width = threshold, surrogate, width
        return (u > threshold).to(u.dtype)

    @staticmethod
    def backward(ctx, grad):
        (u,) = ctx.saved_tensors
        h = SURROGATES[ctx.surrogate][0](u - ctx.threshold, ctx.width)
        return grad * h, None, None, None


# ---------------------------------------------------------------------------------------
# Layers with parameters
# ---------------------------------------------------------------------------------------

class NeuNorm(nn.Module):
    """weight = alpha [F, H, W] (starts at 1), bias = beta [F, H, W] (starts at 0)."""

    def __init__(self, shape, k):
        super().__init__()
        self.k = k
        self.weight = nn.Parameter(torch.ones(shape))
        self.bias = nn.Parameter(torch.zeros(shape))

    def step(self, o, a):
        """o [N, F, H, W] spikes of step t, a [N, 1, H, W] the auxiliary state a[t-1].

        a[t] = k * a[t-1] + (1 - k) * mean_f o[t];   y[t] = o[t] - alpha * a[t] + beta
        """
        a = self.k * a + (1 - self.k) * o.mean(dim=1, keepdim=True)
        return o - self.weight * a + self.bias, a


@dataclass
class Run:
    """One forward pass: the readout [N, classes], and with record=True, per spiking token
    index i, its spikes o and membrane potentials u, each [T, N, *shape of token i]."""
    readout: torch.Tensor
    spikes: dict
    potentials: dict


class SpikingNetwork(nn.Module):
    """A network built from a spec; state_dict() keys are exactly layers.<i>.weight/bias.

    input_shape is (C, H, W) of one sample. A static input [N, C, H, W] is fed at every step
    (encoding "direct"), or Bernoulli rate-coded per step (encoding "bernoulli"); an event
    input [T, N, C, H, W] feeds frame t at step t. `seed` drives dropout masks and Bernoulli
    coding only (the weights use torch's global generator, like any nn.Module).
    """

    def __init__(self, spec, input_shape, *, classes=None, decay=0.2, threshold=0.5,
                 surrogate="rectangular", surrogate_width=None, reset="kept", loss="mse",
                 dropout_mask="per_step", encoding="direct", seed=0):
        super().__init__()
        if surrogate not in SURROGATES:
            raise ValueError(f"surrogate '{surrogate}': expected one of {list(SURROGATES)}")
        for name, value, allowed in (("reset", reset, ("kept", "detached")),
                                     ("loss", loss, ("mse", "crossentropy")),
                                     ("dropout_mask", dropout_mask, ("per_step", "per_sample")),
                                     ("encoding", encoding, ("direct", "bernoulli"))):
            if value not in allowed:
                raise ValueError(f"{name} '{value}': expected one of {allowed}")
        self.spec, self.tokens = spec, parse_spec(spec)
        self.input_shape = tuple(input_shape)
        self.decay, self.threshold = decay, threshold
        self.surrogate = surrogate
        self.surrogate_width = SURROGATES[surrogate][1] if surrogate_width is None \
            else surrogate_width
        self.reset, self.loss_kind = reset, loss
        self.dropout_mask, self.encoding = dropout_mask, encoding
        self.generator = torch.Generator().manual_seed(seed)

        last = self.tokens[-1]
        if last.kind == VOTING:
            self.classes, self.votes = classes or 10, last.size
        else:
            if classes not in (None, last.size):
                raise ValueError(f"spec '{spec}' ends in {last.size} classes, not {classes}")
            self.classes, self.votes = last.size, 1

        # Build layers, tracking each token's per-sample input and output shape,
        # (C, H, W) or (F,).
        self.layers = nn.ModuleDict()
        self.in_shapes, self.out_shapes, shape = [], [], self.input_shape
        for tok in self.tokens:
            self.in_shapes.append(shape)
            where = f"token {tok.index} '{tok.text}' of spec '{spec}' (input shape {shape})"
            if tok.kind in (CONV, POOL, NEUNORM) and len(shape) != 3:
                raise ValueError(f"{where}: needs a [C, H, W] input")
            if tok.kind == CONV:
                self.layers[str(tok.index)] = nn.Conv2d(shape[0], tok.size, tok.kernel,
                                                        tok.stride, tok.padding)
                shape = (tok.size,) + tuple((n + 2 * tok.padding - tok.kernel) // tok.stride + 1
                                            for n in shape[1:])
            elif tok.kind == POOL:
                shape = (shape[0],) + tuple((n - tok.kernel) // tok.stride + 1
                                            for n in shape[1:])
            elif tok.kind == NEUNORM:
                # NeuNorm normalises a conv layer's spikes, so it must follow a conv token.
                if tok.index == 0 or self.tokens[tok.index - 1].kind != CONV:
                    raise ValueError(f"{where}: NeuNorm must directly follow a conv token")
                self.layers[str(tok.index)] = NeuNorm(shape, tok.rate)
            elif tok.kind in (DENSE, OUTPUT, VOTING):
                out = self.classes * self.votes if tok.kind == VOTING else tok.size
                self.layers[str(tok.index)] = nn.Linear(math.prod(shape), out)
                shape = (out,)
            if min(shape) <= 0:
                raise ValueError(f"{where}: output shape {shape} is empty")
            self.out_shapes.append(shape)

    # -- helpers shared by both evaluation orders ----------------------------------------

    def _affine_or_pool(self, tok, x):
        """Stateless part of a token on a folded batch x [B, *in_shape] (B = N or T*N)."""
        if tok.kind == CONV:
            return self.layers[str(tok.index)](x)
        if tok.kind == POOL:
            return F.avg_pool2d(x, tok.kernel, tok.stride)
        return self.layers[str(tok.index)](x.flatten(1))  # dense: flatten in C, H, W order

    def _lif_step(self, current, u, o):
        """u[t] = decay * u[t-1] * (1 - o[t-1]) + I[t];  o[t] = 1[u[t] > threshold]."""
        reset = 1 - (o.detach() if self.reset == "detached" else o)
        u = self.decay * u * reset + current
        return u, Spike.apply(u, self.threshold, self.surrogate, self.surrogate_width)

    def _input_sequence(self, x, time_steps):
        """Returns the first layer's input per step, [T, N, *input_shape]."""
        if x.shape[1:] == self.input_shape:                      # static [N, C, H, W]
            if time_steps is None:
                raise ValueError("a static input needs time_steps")
            seq = x.unsqueeze(0).expand(time_steps, *x.shape)
            if self.encoding == "bernoulli":                     # x_t = 1[r < clamp(x, 0, 1)]
                r = torch.rand(seq.shape, generator=self.generator, dtype=x.dtype)
                seq = (r < seq.clamp(0, 1)).to(x.dtype)
            return seq
        if x.shape[2:] == self.input_shape:                      # events [T, N, C, H, W]
            if time_steps not in (None, x.shape[0]):
                raise ValueError(f"events have {x.shape[0]} steps, not {time_steps}")
            return x
        raise ValueError(f"input {tuple(x.shape)} matches neither [N, *{self.input_shape}] "
                         f"nor [T, N, *{self.input_shape}]")

    def _dropout_masks(self, T, N, dtype):
        """Inverted-dropout masks [T, N, *shape] per dropout token (kept values 1/(1-p));
        per_sample draws one [N, *shape] mask and repeats it over T. All masks are drawn
        before the layers run, so both evaluation orders see the same masks."""
        masks = {}
        if not self.training:
            return masks
        for tok in self.tokens:
            if tok.kind == DROPOUT:
                shape = (1 if self.dropout_mask == "per_sample" else T, N) + \
                    self.in_shapes[tok.index]
                keep = torch.rand(shape, generator=self.generator) >= tok.rate
                masks[tok.index] = (keep.to(dtype) / (1 - tok.rate)).expand(T, *shape[1:])
        return masks

    def _readout(self, o):
        """o [T, N, classes*votes] -> r [N, classes], r[n,c] = mean_{t,j} o[t,n,c*votes+j]."""
        T, N = o.shape[:2]
        return o.view(T, N, self.classes, self.votes).mean(dim=(0, 3))

    # -- the two evaluation orders -------------------------------------------------------

    def run(self, x, time_steps=None, order="layer", record=False):
        """Forward pass. order "time": for t, for each layer (the paper's loop order);
        order "layer": each layer over all T*N samples at once, LIF/NeuNorm loop over t."""
        seq = self._input_sequence(x, time_steps)
        masks = self._dropout_masks(seq.shape[0], seq.shape[1], seq.dtype)
        if order == "layer":
            return self._run_layer_order(seq, masks, record)
        if order == "time":
            return self._run_time_order(seq, masks, record)
        raise ValueError(f"order '{order}': expected 'time' or 'layer'")

    def forward(self, x, time_steps=None, order="layer"):
        return self.run(x, time_steps, order).readout

    def _run_layer_order(self, seq, masks, record):
        T, N = seq.shape[:2]
        h, spikes, potentials = seq, {}, {}
        for tok in self.tokens:
            if tok.kind in SPIKING_KINDS:
                # unbind, not current[t]: indexing's backward would zero-fill [T, N, ...]
                # once per step.
                current = self._affine_or_pool(tok, h.flatten(0, 1)).unflatten(0, (T, N))
                u = o = torch.zeros_like(current[0])
                us, outs = [], []
                for current_t in current.unbind(0):
                    u, o = self._lif_step(current_t, u, o)
                    us.append(u)
                    outs.append(o)
                h = torch.stack(outs)
                if record:
                    spikes[tok.index], potentials[tok.index] = h, torch.stack(us)
            elif tok.kind == POOL:
                h = self._affine_or_pool(tok, h.flatten(0, 1)).unflatten(0, (T, N))
            elif tok.kind == NEUNORM:
                neunorm, ys = self.layers[str(tok.index)], []
                a = torch.zeros_like(h[0, :, :1])
                for o in h.unbind(0):
                    y, a = neunorm.step(o, a)
                    ys.append(y)
                h = torch.stack(ys)
            elif tok.kind == DROPOUT and tok.index in masks:
                h = h * masks[tok.index]
        return Run(self._readout(h), spikes, potentials)

    def _run_time_order(self, seq, masks, record):
        state, outputs = {}, []
        spikes = {tok.index: [] for tok in self.tokens if record and tok.kind in SPIKING_KINDS}
        potentials = {i: [] for i in spikes}
        for t in range(seq.shape[0]):
            h = seq[t]
            for tok in self.tokens:
                i = tok.index
                if tok.kind in SPIKING_KINDS:
                    current = self._affine_or_pool(tok, h)
                    zero = torch.zeros_like(current)
                    u, h = self._lif_step(current, *state.get(i, (zero, zero)))
                    state[i] = (u, h)
                    if record:
                        spikes[i].append(h)
                        potentials[i].append(u)
                elif tok.kind == POOL:
                    h = self._affine_or_pool(tok, h)
                elif tok.kind == NEUNORM:
                    h, state[i] = self.layers[str(i)].step(
                        h, state.get(i, torch.zeros_like(h[:, :1])))
                elif tok.kind == DROPOUT and i in masks:
                    h = h * masks[i][t]
            outputs.append(h)
        return Run(self._readout(torch.stack(outputs)),
                   {i: torch.stack(s) for i, s in spikes.items()},
                   {i: torch.stack(u) for i, u in potentials.items()})

    # -- loss ----------------------------------------------------------------------------

    def loss(self, readout, labels):
        """MSE: mean over batch and classes of (r - onehot)^2; or mean cross-entropy of
        softmax(r). Returns a scalar."""
        if self.loss_kind == "mse":
            target = F.one_hot(labels, self.classes).to(readout.dtype)
            return ((readout - target) ** 2).mean()
        return F.cross_entropy(readout, labels)

    def macs_per_sample_step(self):
        """Multiply-accumulates of the conv and dense layers for one sample and one step."""
        macs = 0
        for tok in self.tokens:
            if tok.kind in SPIKING_KINDS:
                weight = self.layers[str(tok.index)].weight      # [out, in(, kh, kw)]
                positions = math.prod(self.out_shapes[tok.index][1:])  # H*W, or 1 for dense
                macs += weight.numel() * positions
        return macs


# ---------------------------------------------------------------------------------------
# Checkpoints written by the Swift package
# ---------------------------------------------------------------------------------------

def load_swift_checkpoint(path, model):
    """Loads layers.<i>.weight/bias from a safetensors checkpoint into `model` by name.

    Other keys (optimizer state such as optimizer.*, metadata tensors) are ignored; every
    parameter of the model must be present with its PyTorch shape. Returns the ignored keys.
    """
    from safetensors.torch import load_file

    tensors = load_file(path)
    wanted = model.state_dict()
    missing = [k for k in wanted if k not in tensors]
    if missing:
        raise KeyError(f"{path}: missing parameters {missing}")
    model.load_state_dict({k: tensors[k].to(wanted[k].dtype) for k in wanted}, strict=True)
    return sorted(k for k in tensors if k not in wanted)


def random_batch(input_shape, batch_size, time_steps, classes, event_density=None):
    """Static inputs uniform in [0, 1) [N, *input_shape], or with event_density binary
    frames [T, N, *input_shape] with that fraction of ones; labels uniform in [0, classes)."""
    if event_density is None:
        x = torch.rand(batch_size, *input_shape)
    else:
        x = (torch.rand(time_steps, batch_size, *input_shape) < event_density).float()
    return x, torch.randint(classes, (batch_size,))


def parse_shape(text):
    """'1x28x28' -> (1, 28, 28)."""
    return tuple(int(n) for n in text.lower().split("x"))


def main():
    parser = argparse.ArgumentParser(description="Show a spec's parameters; load a checkpoint.")
    parser.add_argument("--spec", required=True)
    parser.add_argument("--input-shape", required=True, type=parse_shape, help="CxHxW")
    parser.add_argument("--classes", type=int)
    parser.add_argument("--checkpoint", help="safetensors file written by the Swift package")
    args = parser.parse_args()
    model = SpikingNetwork(args.spec, args.input_shape, classes=args.classes)
    for name, tensor in model.state_dict().items():
        print(f"{name:24s} {list(tensor.shape)}")
    print(f"output shape {model.out_shapes[-1]}, classes {model.classes}, votes {model.votes}, "
          f"MACs per sample and step {model.macs_per_sample_step()}")
    if args.checkpoint:
        ignored = load_swift_checkpoint(args.checkpoint, model)
        print(f"loaded {len(model.state_dict())} tensors from {args.checkpoint}; "
              f"ignored {len(ignored)}: {ignored}")


if __name__ == "__main__":
    main()
