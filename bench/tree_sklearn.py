"""scikit-learn side of bench/tree.ts: fit and predict time of DecisionTreeClassifier.

Usage: /usr/bin/python3 bench/tree_sklearn.py DATA_FILE N_ROWS N_FEATURES
DATA_FILE holds N_ROWS*N_FEATURES float32 values column-major, then N_ROWS uint8 labels.
Prints one JSON line: fit seconds, batch predict ns/row, single-row predict ns, node count, depth.
"""
import json
import sys
import time

import numpy as np
from sklearn.tree import DecisionTreeClassifier

path, n, f = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
raw = np.fromfile(path, dtype=np.uint8)
X = np.frombuffer(raw[: n * f * 4].tobytes(), dtype=np.float32).reshape(f, n).T.copy()
y = raw[n * f * 4: n * f * 4 + n].copy()

t0 = time.perf_counter()
clf = DecisionTreeClassifier(random_state=0).fit(X, y)
fit_s = time.perf_counter() - t0

m = min(n, 100_000)
t0 = time.perf_counter()
clf.predict_proba(X[:m])
batch_ns = (time.perf_counter() - t0) / m * 1e9

row = X[:1]
k = 2000
t0 = time.perf_counter()
for i in range(k):
    clf.predict_proba(row)
single_ns = (time.perf_counter() - t0) / k * 1e9

print(json.dumps({"fit_s": fit_s, "batch_ns": batch_ns, "single_ns": single_ns,
                  "nodes": int(clf.tree_.node_count), "depth": int(clf.get_depth())}))
