"""The reference for tests/Native.Cli.Tests/DefaultsTests.cs: scikit-learn's training accuracy with its defaults on
breast-cancer.csv (and wine), raw and after StandardScaler. scikit-learn 1.2.1 printed:
breast-cancer logistic: raw 0.9490 standardized 0.9877
breast-cancer mlp: raw 0.9438 standardized 0.9930
wine logistic: raw 0.9663 standardized 1.0000
wine mlp: raw 0.9213 standardized 1.0000
"""
import warnings

from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

warnings.filterwarnings("ignore")  # lbfgs and Adam stop at their iteration limits on the raw columns
for name, (X, y) in {"breast-cancer": load_breast_cancer(return_X_y=True), "wine": load_wine(return_X_y=True)}.items():
    for model_name, model in [("logistic", LogisticRegression()), ("mlp", MLPClassifier(random_state=0))]:
        raw = model.fit(X, y).score(X, y)
        standardized = make_pipeline(StandardScaler(), model).fit(X, y).score(X, y)
        print(f"{name} {model_name}: raw {raw:.4f} standardized {standardized:.4f}")
