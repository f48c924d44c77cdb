#!/usr/bin/env python3
"""Writes scikit-learn's digits set (sklearn.datasets.load_digits) to digits.csv, unchanged: 1,797 rows of 64
integer pixels (an 8 x 8 image, 0-16) and the digit, 0-9, in the order scikit-learn gives them.

    /usr/bin/python3 tests/data/digits/export_digits.py      # Debian 12's python3-sklearn (1.2.1)
"""
import os

from sklearn.datasets import load_digits

digits = load_digits()
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "digits.csv")
with open(path, "w", encoding="ascii", newline="\n") as f:
    f.write(",".join([f"pixel{i}" for i in range(64)] + ["label"]) + "\n")
    for pixels, label in zip(digits.data, digits.target):
        f.write(",".join(str(int(p)) for p in pixels) + f",{int(label)}\n")
print(f"{path}: {len(digits.target)} rows")
