#!/usr/bin/env python3
"""Writes scikit-learn's breast cancer set (sklearn.datasets.load_breast_cancer) to breast-cancer.csv, unchanged: 569
rows of 30 real features (measurements of cell nuclei, in their own units) and the class, 0 (malignant) or 1 (benign),
in the order scikit-learn gives them.

    /usr/bin/python3 tests/data/breast-cancer/export_breast_cancer.py      # Debian 12's python3-sklearn (1.2.1)
"""
import os

from sklearn.datasets import load_breast_cancer

data = load_breast_cancer()
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "breast-cancer.csv")
with open(path, "w", encoding="ascii", newline="\n") as f:
    f.write(",".join([name.replace(" ", "_") for name in data.feature_names] + ["label"]) + "\n")
    for features, label in zip(data.data, data.target):
        f.write(",".join(repr(float(x)) for x in features) + f",{int(label)}\n")
print(f"{path}: {len(data.target)} rows")
