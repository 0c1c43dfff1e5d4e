/**
 * The PyTorch side of the peers benchmark: a small Python program (run with `python3 -c`, so
 * the built CLI needs no extra file) that sets up one workload at a time and runs one
 * training step per request, timing it itself with perf_counter.
 *
 * Protocol, one JSON object per line each way:
 *   → {"cmd": "hello"}                          ← {"torch": "2.13.0+cpu", "threads": 2}
 *   → {"cmd": "setup", "workload": w, "params": {…}, "data": {…}}   ← {"ok": true}
 *   → {"cmd": "step"}                           ← {"ms": 12.3}
 *   → {"cmd": "teardown"}                       ← {"ok": true}
 *   any failure                                 ← {"error": "…"}
 *
 * The workloads mirror bench/benchmarks/peers.ts step for step, on the same batches (sent in
 * "data"): the same shapes, the same optimizer (Adam, lr 0.001; SparseAdam for sparse
 * embeddings, as sparsegrad's lazy Adam), the predictions read back where fit() reads them.
 */
export const PYTORCH_STEPS = String.raw`
import json, math, sys, time
import torch
import torch.nn.functional as F

def send(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()

class MF:
    """u·v over two sparse embedding tables, MSE, SparseAdam (sparsegrad: fused gatherDot, lazy Adam)."""
    def __init__(self, p, d):
        self.U = torch.nn.Embedding(p["users"], p["dim"], sparse=True)
        self.I = torch.nn.Embedding(p["items"], p["dim"], sparse=True)
        for t in (self.U, self.I): torch.nn.init.normal_(t.weight, std=0.01)
        self.opt = torch.optim.SparseAdam(list(self.U.parameters()) + list(self.I.parameters()), lr=0.001)
        self.batches = [(torch.tensor(b["user"]), torch.tensor(b["item"]), torch.tensor(b["label"])) for b in d["batches"]]
        self.k = 0
    def step(self):
        u, i, y = self.batches[self.k % len(self.batches)]; self.k += 1
        pred = (self.U(u) * self.I(i)).sum(1)
        loss = F.mse_loss(pred, y)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        pred.detach().numpy()

class Composed:
    """The eager benchmark's step (bench/benchmarks/composed-step.ts): U(u) * I(i) summed over the
    embedding axis, mean((pred - y)^2), written with plain ops; sparse embeddings + SparseAdam,
    or dense ones + Adam. Every row of the tables and of Adam's moments is touched once at setup
    (a step over all ids), as on sparsegrad's side, so neither side times first-touch page faults."""
    def __init__(self, p, d):
        self.sparse = bool(p.get("sparse", True))
        self.U = torch.nn.Embedding(p["users"], p["dim"], sparse=self.sparse)
        self.I = torch.nn.Embedding(p["items"], p["dim"], sparse=self.sparse)
        for t in (self.U, self.I): torch.nn.init.uniform_(t.weight, -0.05, 0.05)
        params = list(self.U.parameters()) + list(self.I.parameters())
        self.opt = torch.optim.SparseAdam(params, lr=0.001) if self.sparse else torch.optim.Adam(params, lr=0.001)
        self.batches = [(torch.tensor(b["user"]), torch.tensor(b["item"]), torch.tensor(b["label"])) for b in d["batches"]]
        n = max(p["users"], p["items"])
        for s in range(0, n, 16384):
            k = torch.arange(s, min(n, s + 16384))
            self.train(k % p["users"], k % p["items"], torch.zeros(len(k)))
        self.k = 0
    def train(self, u, i, y):
        pred = (self.U(u) * self.I(i)).sum(1)
        loss = ((pred - y) ** 2).mean()
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
    def step(self):
        u, i, y = self.batches[self.k % len(self.batches)]; self.k += 1
        self.train(u, i, y)

class DeepMF:
    """concat(user 25, item 25) → 64 relu → 64 relu → 1, MSE; SparseAdam on the tables, Adam on the MLP."""
    def __init__(self, p, d):
        self.U = torch.nn.Embedding(p["users"], p["dim"], sparse=True)
        self.I = torch.nn.Embedding(p["items"], p["dim"], sparse=True)
        for t in (self.U, self.I): torch.nn.init.normal_(t.weight, std=0.01)
        layers, width = [], 2 * p["dim"]
        for h in p["hidden"]:
            layers += [torch.nn.Linear(width, h), torch.nn.ReLU()]
            width = h
        self.mlp = torch.nn.Sequential(*layers, torch.nn.Linear(width, 1))
        self.sparse = torch.optim.SparseAdam(list(self.U.parameters()) + list(self.I.parameters()), lr=0.001)
        self.dense = torch.optim.Adam(self.mlp.parameters(), lr=0.001)
        self.batches = [(torch.tensor(b["user"]), torch.tensor(b["item"]), torch.tensor(b["label"]).unsqueeze(1)) for b in d["batches"]]
        self.k = 0
    def step(self):
        u, i, y = self.batches[self.k % len(self.batches)]; self.k += 1
        pred = self.mlp(torch.cat([self.U(u), self.I(i)], 1))
        loss = F.mse_loss(pred, y)
        self.sparse.zero_grad(set_to_none=True); self.dense.zero_grad(set_to_none=True)
        loss.backward()
        self.sparse.step(); self.dense.step()
        pred.detach().numpy()

class MultVAE:
    """Liang et al.'s Mult-VAE: CSR rows (L2-normalised, dropout 0.5) → 600 tanh → μ, logσ² (2 × 200);
    z = μ + ε·σ; 200 → 600 tanh → items; −Σ x log softmax + β·KL; Adam. The input stays sparse_csr."""
    def __init__(self, p, d):
        n, h, l = p["items"], p["hidden"], p["latent"]
        self.W1 = torch.nn.Parameter(torch.empty(n, h)); torch.nn.init.xavier_uniform_(self.W1)
        self.b1 = torch.nn.Parameter(torch.zeros(h))
        self.q = torch.nn.Linear(h, 2 * l)
        self.p1 = torch.nn.Linear(l, h)
        self.p2 = torch.nn.Linear(h, n)
        self.params = [self.W1, self.b1, *self.q.parameters(), *self.p1.parameters(), *self.p2.parameters()]
        self.opt = torch.optim.Adam(self.params, lr=0.001)
        self.latent, self.items = l, n
        self.batches = []
        for b in d["batches"]:
            indptr, indices = torch.tensor(b["indptr"]), torch.tensor(b["indices"])
            values = torch.tensor(b["values"], dtype=torch.float32)
            rows = torch.repeat_interleave(torch.arange(len(b["indptr"]) - 1), indptr[1:] - indptr[:-1])
            self.batches.append((indptr, indices, values, rows, len(b["indptr"]) - 1))
        self.k, self.beta = 0, 0.2
    def step(self):
        indptr, indices, values, rows, B = self.batches[self.k % len(self.batches)]; self.k += 1
        norms = torch.zeros(B).index_add_(0, rows, values * values).sqrt().clamp_min(1e-12)
        v = F.dropout(values / norms[rows], 0.5, training=True)
        x = torch.sparse_csr_tensor(indptr, indices, v, (B, self.items))
        h = torch.tanh(torch.sparse.mm(x, self.W1) + self.b1)
        mu, logvar = self.q(h).split(self.latent, 1)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        logits = self.p2(torch.tanh(self.p1(z)))
        logp = F.log_softmax(logits, 1)
        nll = -(logp[rows, indices] * values).sum() / B
        kl = 0.5 * (-logvar + logvar.exp() + mu * mu - 1).sum() / B
        loss = nll + self.beta * kl
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()

class Matmul:
    def __init__(self, p, d):
        self.a = torch.randn(p["n"], p["n"]); self.b = torch.randn(p["n"], p["n"])
    def step(self):
        self.a @ self.b

WORKLOADS = {"mf": MF, "composed": Composed, "deepmf": DeepMF, "mult-vae": MultVAE, "matmul": Matmul}
DEFAULT_THREADS = torch.get_num_threads()
state = None
for line in sys.stdin:
    try:
        msg = json.loads(line)
        cmd = msg["cmd"]
        if cmd == "hello":
            send({"torch": torch.__version__, "threads": DEFAULT_THREADS})
        elif cmd == "setup":
            p = msg["params"]
            torch.set_num_threads(int(p.get("threads") or DEFAULT_THREADS))
            torch.manual_seed(0)
            state = None
            state = WORKLOADS[msg["workload"]](p, msg.get("data", {}))
            send({"ok": True})
        elif cmd == "step":
            t0 = time.perf_counter()
            state.step()
            send({"ms": (time.perf_counter() - t0) * 1000})
        elif cmd == "teardown":
            state = None
            send({"ok": True})
        else:
            send({"error": "unknown command " + cmd})
    except Exception as e:
        send({"error": type(e).__name__ + ": " + str(e)})
`;
