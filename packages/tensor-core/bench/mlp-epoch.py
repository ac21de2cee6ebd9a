# PyTorch CPU side of bench/mlp-epoch.mjs. Usage: python3 bench/mlp-epoch.py [epochs] [threads]
import sys, time, torch
epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 2
torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 2)
torch.manual_seed(1)
n, d_img, d_txt, bits, batch = 5000, 512, 1386, 64, 128
img, txt = torch.randn(n, d_img), torch.rand(n, d_txt)
def mlp(d):
    return torch.nn.Sequential(torch.nn.Linear(d, 1024), torch.nn.ReLU(), torch.nn.Linear(1024, 1024), torch.nn.ReLU(),
                               torch.nn.Linear(1024, bits), torch.nn.Tanh())
fi, ft = mlp(d_img), mlp(d_txt)
opt = torch.optim.SGD(list(fi.parameters()) + list(ft.parameters()), lr=0.001, momentum=0.9, weight_decay=5e-4)
def cos(a, b):
    return torch.nn.functional.normalize(a, dim=1) @ torch.nn.functional.normalize(b, dim=1).t()
times, cpus = [], []
for e in range(epochs):
    t0 = time.perf_counter()
    c0 = time.process_time()
    perm = torch.randperm(n)
    for s in range(0, n - batch + 1, batch):
        idx = perm[s:s + batch]
        xi, xt = img[idx], txt[idx]
        with torch.no_grad():
            target = cos(xi, xi)
        opt.zero_grad()
        loss = (cos(fi(xi), ft(xt)) - target).pow(2).mean()
        loss.backward(); opt.step(); loss.item()
    times.append(time.perf_counter() - t0)
    cpus.append(time.process_time() - c0)
print("torch cpu threads=%d: epoch seconds %s" % (torch.get_num_threads(), ", ".join("%.2f" % t for t in times)))
rest = list(range(1, len(times))) or [0]
best = min(rest, key=lambda i: times[i])
print("RESULT %f %f" % (times[best], cpus[best]))
