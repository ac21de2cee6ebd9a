# PyTorch CPU side of bench/step.mjs: one SGD step of a dense 2048x4096 -> 512 -> 64 network.
import sys, time, torch
torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
x = torch.randn(2048, 4096)
net = torch.nn.Sequential(torch.nn.Linear(4096, 512), torch.nn.ReLU(), torch.nn.Linear(512, 64))
opt = torch.optim.SGD(net.parameters(), lr=0.01)
def step():
    opt.zero_grad(); loss = net(x).pow(2).mean(); loss.backward(); opt.step(); return loss.item()
step()
t0 = time.perf_counter()
c0 = time.process_time()
for _ in range(3): step()
sec = (time.perf_counter() - t0) / 3
cpu = (time.process_time() - c0) / 3
print(f"torch {sec * 1000:.0f} ms/step threads={torch.get_num_threads()}")
print(f"RESULT {sec} {cpu}")
