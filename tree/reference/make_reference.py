"""Generate scikit-learn reference results for tree/parity_test.ts.

Run from the repository root with the system Python (scikit-learn 1.2.1):

    /usr/bin/python3 tree/reference/make_reference.py

Writes, per dataset, <name>_train.csv and <name>_test.csv (features as float32 values printed with
9 significant digits, so both sides read identical float32 numbers; last column `label`) and, per
case, <case>.json with scikit-learn's fitted tree (node features, thresholds, class totals,
impurities, sample counts), feature importances and test accuracy.

Ties: scikit-learn visits features in a random order and keeps the first best split, so when two
features give equally good splits the chosen one depends on `random_state`. Each case is fitted with
random_state 0..29; if all thirty trees are identical the case is marked "exact" (our tree must match
node for node). Otherwise `stablePaths` lists the nodes (by root-to-node path of L/R steps) that are
identical in all thirty trees: ours must match those exactly, and its test accuracy must lie within
0.5 percentage points of the range scikit-learn reaches over the thirty seeds.

Missing values: scikit-learn 1.2 trees reject NaN (support arrived in 1.3), so for the NaN dataset
there is no native reference tree. Two honest substitutes: (a) a full reference case on the same rows
with NaN imputed by the training-column median (`imputeMedians` recorded; the test imputes the same
float32 medians and compares trees as above), and (b) a baseline accuracy with NaN imputed below every
present value, i.e. a fixed "missing goes left" direction at every split: our native NaN handling,
which learns the direction per split, must reach at least that accuracy. NaN routing itself is
checked exactly on hand-built fixtures (tree/nan_test.ts).

default_aucs.json: the test ROC AUC of DecisionTreeClassifier(max_depth=8, min_samples_leaf=5,
random_state=0) on the noisy, missing (median-imputed) and imbalanced sets, the bar that
`deno task train` with no tree flags must come within 0.01 of (tree/defaults_test.ts).
"""
import json
import os

import numpy as np
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

OUT = os.path.dirname(os.path.abspath(__file__))


def write_csv(path, X, labels, names):
    with open(path, "w") as f:
        f.write(",".join(names + ["label"]) + "\n")
        for row, lab in zip(X, labels):
            cells = ["" if np.isnan(v) else "%.9g" % v for v in row]
            f.write(",".join(cells + [lab]) + "\n")


def read_csv(path):
    with open(path) as f:
        header = f.readline().strip().split(",")
        rows, labels = [], []
        for line in f:
            cells = line.rstrip("\n").split(",")
            rows.append([float(c) if c != "" else np.nan for c in cells[:-1]])
            labels.append(cells[-1])
    return np.array(rows, dtype=np.float32), np.array(labels), header[:-1]


def save_dataset(name, X, labels, names, test_size=0.3, seed=0):
    X = X.astype(np.float32)
    Xtr, Xte, ytr, yte = train_test_split(X, labels, test_size=test_size, random_state=seed, stratify=labels)
    write_csv(os.path.join(OUT, name + "_train.csv"), Xtr, ytr, names)
    write_csv(os.path.join(OUT, name + "_test.csv"), Xte, yte, names)


def tree_json(clf):
    t = clf.tree_
    leaf = t.children_left == -1
    return {
        "feature": [int(-1 if l else f) for f, l in zip(t.feature, leaf)],
        "threshold": [float(-2.0 if l else th) for th, l in zip(t.threshold, leaf)],
        "left": [int(x) for x in t.children_left],
        "right": [int(x) for x in t.children_right],
        "value": [[float(v) for v in row[0]] for row in t.value],
        "impurity": [float(x) for x in t.impurity],
        "nSamples": [int(x) for x in t.n_node_samples],
    }


def by_path(t):
    """Node id per root-to-node path ("" root, "L"/"R" steps)."""
    out, stack = {}, [(0, "")]
    while stack:
        i, p = stack.pop()
        out[p] = i
        if t["left"][i] >= 0:
            stack += [(t["left"][i], p + "L"), (t["right"][i], p + "R")]
    return out


def stable_paths(trees):
    """Paths whose node (feature, threshold, class totals) is the same in every seed's tree."""
    maps = [by_path(t) for t in trees]
    key = lambda t, i: (t["feature"][i], t["threshold"][i], t["value"][i])
    stable, stack = [], [""]
    while stack:
        p = stack.pop()
        if not all(p in m for m in maps):
            continue
        keys = [key(t, m[p]) for t, m in zip(trees, maps)]
        if any(k != keys[0] for k in keys):
            continue
        stable.append(p)
        if keys[0][0] >= 0:
            stack += [p + "L", p + "R"]
    return sorted(stable, key=lambda p: (len(p), p))


def fit_case(case, dataset, params, impute=False):
    Xtr, ytr, names = read_csv(os.path.join(OUT, dataset + "_train.csv"))
    Xte, yte, _ = read_csv(os.path.join(OUT, dataset + "_test.csv"))
    medians = None
    if impute:
        medians = np.nanmedian(Xtr, axis=0).astype(np.float32)
        Xtr = np.where(np.isnan(Xtr), medians, Xtr).astype(np.float32)
        Xte = np.where(np.isnan(Xte), medians, Xte).astype(np.float32)
    fits = [DecisionTreeClassifier(random_state=rs, **params).fit(Xtr, ytr) for rs in range(30)]
    trees = [tree_json(c) for c in fits]
    exact = all(t == trees[0] for t in trees)
    accs = [float((c.predict(Xte) == yte).mean()) for c in fits]
    ref = {
        "case": case,
        "dataset": dataset,
        "sklearn": __import__("sklearn").__version__,
        "params": params,
        "classes": [str(c) for c in fits[0].classes_],
        "exact": exact,
        "stablePaths": stable_paths(trees),
        "tree": trees[0],
        "importances": [float(x) for x in fits[0].feature_importances_],
        "testAccuracy": accs[0],
        "testAccuracyAllSeeds": accs,
    }
    if impute:
        ref["imputeMedians"] = [float(m) for m in medians]
    with open(os.path.join(OUT, case + ".json"), "w") as f:
        json.dump(ref, f, indent=None, separators=(",", ":"))
    print(case, "nodes", len(trees[0]["feature"]), "stable", len(ref["stablePaths"]), "exact", exact, "acc", accs[0])


def nan_baselines(case, dataset, params):
    Xtr, ytr, _ = read_csv(os.path.join(OUT, dataset + "_train.csv"))
    Xte, yte, _ = read_csv(os.path.join(OUT, dataset + "_test.csv"))
    med = np.nanmedian(Xtr, axis=0)
    low = np.nanmin(Xtr, axis=0) - 1.0
    out = {"case": case, "dataset": dataset, "sklearn": __import__("sklearn").__version__, "params": params}
    for key, fill in (("median", med), ("belowMin", low)):
        a = np.where(np.isnan(Xtr), fill, Xtr).astype(np.float32)
        b = np.where(np.isnan(Xte), fill, Xte).astype(np.float32)
        clf = DecisionTreeClassifier(random_state=0, **params).fit(a, ytr)
        out[key + "Accuracy"] = float((clf.predict(b) == yte).mean())
    with open(os.path.join(OUT, case + ".json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print(case, out)


def default_aucs(path, datasets, params):
    """ROC AUC (positive class "bot") on each *_test.csv of one scikit-learn tree trained on
    *_train.csv: the bar `deno task train` must reach with no tree flags (tree/defaults_test.ts).
    scikit-learn 1.2 trees reject NaN, so a set with missing values is median-imputed first (the
    training column's median, as the `missing_median` case); our CLI reads the NaNs natively."""
    out = {"sklearn": __import__("sklearn").__version__, "params": params, "positive": "bot",
           "randomState": 0, "aucs": {}, "imputed": {}}
    for dataset in datasets:
        Xtr, ytr, _ = read_csv(os.path.join(OUT, dataset + "_train.csv"))
        Xte, yte, _ = read_csv(os.path.join(OUT, dataset + "_test.csv"))
        if np.isnan(Xtr).any() or np.isnan(Xte).any():
            med = np.nanmedian(Xtr, axis=0).astype(np.float32)
            Xtr = np.where(np.isnan(Xtr), med, Xtr).astype(np.float32)
            Xte = np.where(np.isnan(Xte), med, Xte).astype(np.float32)
            out["imputed"][dataset] = "median"
        clf = DecisionTreeClassifier(random_state=0, **params).fit(Xtr, ytr)
        score = clf.predict_proba(Xte)[:, list(clf.classes_).index("bot")]
        out["aucs"][dataset] = float(roc_auc_score(yte == "bot", score))
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(os.path.basename(path), out["aucs"])


def main():
    bc = load_breast_cancer()
    labels = np.array([bc.target_names[i] for i in bc.target])
    save_dataset("breast_cancer", bc.data, labels, [n.replace(" ", "_") for n in bc.feature_names])

    X, y = make_classification(n_samples=1500, n_features=10, n_informative=5, n_redundant=2,
                               flip_y=0.1, class_sep=0.8, random_state=1)
    names = ["f%d" % i for i in range(10)]
    save_dataset("noisy", X, np.array(["bot" if v else "human" for v in y]), names)

    X, y = make_classification(n_samples=1200, n_features=8, n_informative=4, n_redundant=1,
                               flip_y=0.02, random_state=2)
    rng = np.random.RandomState(3)
    X[rng.rand(*X.shape) < 0.15] = np.nan
    save_dataset("missing", X, np.array(["bot" if v else "human" for v in y]), names[:8])

    X, y = make_classification(n_samples=2000, n_features=8, n_informative=4, weights=[0.95, 0.05],
                               flip_y=0.01, random_state=4)
    save_dataset("imbalanced", X, np.array(["bot" if v else "human" for v in y]), names[:8])

    fit_case("breast_cancer_gini", "breast_cancer", {})
    fit_case("breast_cancer_entropy_d4", "breast_cancer", {"criterion": "entropy", "max_depth": 4})
    fit_case("breast_cancer_ccp", "breast_cancer", {"ccp_alpha": 0.01})
    fit_case("noisy_gini", "noisy", {})
    fit_case("noisy_leaf5_split20", "noisy", {"min_samples_leaf": 5, "min_samples_split": 20})
    fit_case("noisy_entropy_mid", "noisy", {"criterion": "entropy", "min_impurity_decrease": 0.002})
    fit_case("noisy_ccp", "noisy", {"ccp_alpha": 0.004})
    fit_case("imbalanced_balanced", "imbalanced", {"class_weight": "balanced"})
    fit_case("imbalanced_balanced_d5", "imbalanced", {"class_weight": "balanced", "max_depth": 5})
    fit_case("missing_median", "missing", {}, impute=True)
    fit_case("missing_median_leaf5", "missing", {"min_samples_leaf": 5}, impute=True)
    nan_baselines("missing_baselines", "missing", {})
    nan_baselines("missing_baselines_leaf5", "missing", {"min_samples_leaf": 5})
    default_aucs(os.path.join(OUT, "default_aucs.json"), ["noisy", "missing", "imbalanced"],
                 {"max_depth": 8, "min_samples_leaf": 5})


if __name__ == "__main__":
    main()
