"""FAISS IndexBinaryFlat side of bench.mjs: single thread, same codes, same k.

usage: python3 faiss_flat.py DB_FILE QUERY_FILE BITS K OUT_DISTANCES [REPS]
Times: the best of REPS (default 3) runs, wall clock and process CPU time, ms per query.
Codes are raw bytes, ceil(bits/32)*4 bytes per code (the @cmh/hamming-index words, little-endian);
FAISS needs a multiple of 8 bits, which 64 and 128 are. Prints one JSON line.
"""
import json
import sys
import time

import faiss
import numpy as np

db_file, q_file, bits, k, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
faiss.omp_set_num_threads(1)
nbytes = bits // 8
db = np.fromfile(db_file, dtype=np.uint8).reshape(-1, nbytes)
q = np.fromfile(q_file, dtype=np.uint8).reshape(-1, nbytes)
index = faiss.IndexBinaryFlat(bits)
index.add(db)
reps = int(sys.argv[6]) if len(sys.argv) > 6 else 3
index.search(q[:10], k)  # warm up
wall, cpu = [], []
for _ in range(reps):
    t, c = time.perf_counter(), time.process_time()
    D, I = index.search(q, k)
    wall.append((time.perf_counter() - t) * 1000 / q.shape[0])
    cpu.append((time.process_time() - c) * 1000 / q.shape[0])
D.astype(np.int32).tofile(out)
print(json.dumps({"wall_ms": min(wall), "cpu_ms": min(cpu), "faiss": faiss.__version__,
                  "threads": faiss.omp_get_max_threads()}))
