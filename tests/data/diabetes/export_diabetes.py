#!/usr/bin/env python3
"""Writes scikit-learn's diabetes set (sklearn.datasets.load_diabetes, scaled=False) to diabetes.csv, unchanged: 442
rows of 10 features (age, sex, body mass index, blood pressure and six blood serum measurements, in their original
units) and the target, a measure of disease progression one year later, in the order scikit-learn gives them.

    /usr/bin/python3 tests/data/diabetes/export_diabetes.py      # Debian 12's python3-sklearn (1.2.1)
"""
import os

from sklearn.datasets import load_diabetes

data = load_diabetes(scaled=False)
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "diabetes.csv")
with open(path, "w", encoding="ascii", newline="\n") as f:
    f.write(",".join(list(data.feature_names) + ["target"]) + "\n")
    for features, target in zip(data.data, data.target):
        f.write(",".join(repr(float(x)) for x in features) + f",{repr(float(target))}\n")
print(f"{path}: {len(data.target)} rows")
