#!/usr/bin/env python3
"""Makes the loans tables (a mixed table as a database exports it) and records scikit-learn's accuracy on them.

    /usr/bin/python3 tests/data/loans/make_loans.py

Writes, beside this script:
  loans-train.csv  9,000 rows: an identifier, number columns with blanks, text columns with rare values and blanks,
                   the label `default` (0/1). CRLF line endings, as a spreadsheet on Windows exports them.
  loans-test.csv   3,000 rows drawn the same way, with what training never saw: a purpose ("crypto") and a state
                   ("ZZ") absent from the training rows, and blanks in `loan_amount` and `grade`, which have none there.
  sklearn.json     scikit-learn's held-out accuracy on the same split, for
                   Pipeline(ColumnTransformer([SimpleImputer(mean) + StandardScaler on numbers,
                   OneHotEncoder(handle_unknown="ignore") on categories]), LogisticRegression | MLPClassifier).

The data are synthetic (seeded): the label is drawn from a logistic model of the columns, so the best accuracy is
about 0.77, like the issue's loans table. CI and the tests never run this script; they read the files it wrote.
"""
import json
import pathlib
import sys

import numpy as np
import pandas as pd
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

HERE = pathlib.Path(__file__).resolve().parent
TRAIN, TEST = 9000, 3000

PURPOSES = ["debt_consolidation", "car", "house", "education", "medical", "wedding", "vacation", "business", "boat", "solar"]
PURPOSE_WEIGHTS = [0.34, 0.18, 0.14, 0.1, 0.08, 0.05, 0.05, 0.04, 0.015, 0.005]
PURPOSE_EFFECT = {"debt_consolidation": 0.3, "car": -0.2, "house": -0.4, "education": 0.1, "medical": 0.5,
                  "wedding": 0.0, "vacation": 0.4, "business": 0.8, "boat": 0.2, "solar": -0.5, "crypto": 1.2}
STATES = ["CA", "TX", "NY", "FL", "IL", "PA", "OH", "GA", "NC", "MI", "NJ", "VA", "WA", "AZ", "MA", "TN", "IN", "MO", "VT", "WY"]
STATE_WEIGHTS = np.array([14, 10, 9, 8, 5, 5, 4, 4, 4, 4, 3, 3, 3, 3, 3, 2, 2, 2, 0.4, 0.2])
GRADES = ["A", "B", "C", "D", "E", "F", "G"]
HOMES = ["MORTGAGE", "RENT", "OWN", "OTHER"]
EMPLOYMENT = ["salaried", "self-employed", "unemployed", "retired"]


def draw(rng, n, first_id, test):
    grade = rng.choice(7, size=n, p=[0.18, 0.27, 0.24, 0.15, 0.09, 0.05, 0.02])
    income = np.round(rng.lognormal(10.9, 0.45, n), 0)
    amount = np.round(rng.lognormal(9.3, 0.6, n) / 10) * 10
    rate = np.round(5.5 + 2.6 * grade + rng.normal(0, 1.2, n), 2)
    term = rng.choice([36, 60], size=n, p=[0.72, 0.28])
    age = rng.integers(21, 75, n)
    dti = np.round(np.clip(rng.normal(18, 8, n), 0, 60), 1)
    lines = rng.poisson(9, n)
    purpose = rng.choice(PURPOSES, size=n, p=PURPOSE_WEIGHTS)
    state = rng.choice(STATES, size=n, p=STATE_WEIGHTS / STATE_WEIGHTS.sum())
    home = rng.choice(HOMES, size=n, p=[0.45, 0.4, 0.13, 0.02])
    employment = rng.choice(EMPLOYMENT, size=n, p=[0.7, 0.15, 0.07, 0.08])
    verified = rng.choice(["yes", "no"], size=n, p=[0.6, 0.4])
    if test:
        # What training never saw: a purpose and a state.
        purpose[rng.random(n) < 0.03] = "crypto"
        state[rng.random(n) < 0.02] = "ZZ"

    logit = (-1.0 + 0.45 * grade - 1.1 * (np.log(income) - 10.9) + 0.8 * (np.log(amount) - 9.3) + 0.6 * (term == 60)
             + 0.04 * (dti - 18) - 0.012 * (age - 45) + 0.03 * (lines - 9)
             + np.array([PURPOSE_EFFECT[p] for p in purpose]) + 0.35 * (home == "RENT") - 0.25 * (home == "OWN")
             + np.where(employment == "unemployed", 0.9, np.where(employment == "self-employed", 0.3, 0.0))
             - 0.2 * (verified == "yes") + np.where(np.isin(state, ["NV", "FL", "ZZ"]), 0.3, 0.0))
    default = (rng.random(n) < 1 / (1 + np.exp(-1.8 * logit))).astype(int)

    frame = pd.DataFrame({
        "loan_id": np.arange(first_id, first_id + n),
        "income": income, "loan_amount": amount, "interest_rate": rate, "term": term, "age": age,
        "debt_to_income": dti, "credit_lines": lines,
        "grade": [GRADES[g] for g in grade], "purpose": purpose, "home_ownership": home, "state": state,
        "employment": employment, "verified": verified, "default": default,
    })

    # Blanks: in numbers and categories; in the test rows also where training has none.
    for column, share in [("income", 0.08), ("interest_rate", 0.02), ("age", 0.03), ("debt_to_income", 0.05),
                          ("purpose", 0.02), ("employment", 0.04)] + ([("loan_amount", 0.02), ("grade", 0.02)] if test else []):
        frame[column] = frame[column].astype(object)
        frame.loc[rng.random(n) < share, column] = None
    return frame


def main():
    rng = np.random.default_rng(22)
    train = draw(rng, TRAIN, 1, test=False)
    test = draw(rng, TEST, 1 + TRAIN, test=True)
    for frame, name in [(train, "loans-train.csv"), (test, "loans-test.csv")]:
        frame.to_csv(HERE / name, index=False, lineterminator="\r\n")

    # scikit-learn on the files as written, read back as pandas reads them.
    train = pd.read_csv(HERE / "loans-train.csv")
    test = pd.read_csv(HERE / "loans-test.csv")
    numbers = ["income", "loan_amount", "interest_rate", "term", "age", "debt_to_income", "credit_lines"]
    categories = ["grade", "purpose", "home_ownership", "state", "employment", "verified"]
    for frame in (train, test):
        frame[categories] = frame[categories].astype(object).where(frame[categories].notna(), None)

    def pipeline(model):
        return Pipeline([
            ("columns", ColumnTransformer([
                ("numbers", Pipeline([("impute", SimpleImputer(strategy="mean")), ("scale", StandardScaler())]), numbers),
                ("categories", Pipeline([("blank", SimpleImputer(strategy="constant", fill_value="(missing)")),
                                         ("onehot", OneHotEncoder(handle_unknown="ignore"))]), categories),
            ])),
            ("model", model),
        ])

    results = {"sklearn": sklearn.__version__, "train_rows": len(train), "test_rows": len(test)}
    for name, model in [("logistic_regression", LogisticRegression(max_iter=2000)),
                        ("mlp_classifier", MLPClassifier(random_state=0))]:
        fitted = pipeline(model).fit(train.drop(columns=["default"]), train["default"])
        results[name] = round(float(fitted.score(test.drop(columns=["default"]), test["default"])), 4)
    results["majority_class"] = round(float(max(test["default"].mean(), 1 - test["default"].mean())), 4)
    (HERE / "sklearn.json").write_text(json.dumps(results, indent=2) + "\n")
    json.dump(results, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
