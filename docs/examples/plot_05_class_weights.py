"""
Class weights for an imbalanced problem
=======================================

When one class holds 95 % of the samples, a classifier that minimises the plain log-loss
does best by predicting the majority almost everywhere, and misses much of the rare class.
``NumpyMLPClassifier(class_weight="balanced")`` weighs every sample by the inverse frequency
of its class, so both classes count the same in the loss. This example draws the decision
boundaries of both fits on a 2-D problem and compares how much of the rare class each finds
on held-out data.
"""

# %%
# Imbalanced, overlapping classes
# -------------------------------
# 1900 majority points around the origin and 100 rare points around (2, 2); the clouds
# overlap, so no boundary separates them perfectly and the weights decide where it goes.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_blobs
from sklearn.metrics import balanced_accuracy_score, recall_score
from sklearn.model_selection import train_test_split

from sknumpy_nn import NumpyMLPClassifier

X, y = make_blobs(
    n_samples=[1900, 100], centers=[[0, 0], [2, 2]], cluster_std=[1.2, 0.8], random_state=0
)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.5, stratify=y, random_state=0
)
print(f"rare class: {y_train.mean():.0%} of the training set, {y_test.sum()} test points")

# %%
# Two fits, with and without class weights
# ----------------------------------------
# The same small network, trained to convergence by L-BFGS. The recall of class 1 is the
# fraction of the rare points the classifier finds.
models, recall, majority_recall, balanced = {}, {}, {}, {}
for class_weight in [None, "balanced"]:
    model = NumpyMLPClassifier(
        hidden_layer_sizes=(10,),
        solver="lbfgs",
        alpha=1e-2,
        max_iter=2000,
        class_weight=class_weight,
        random_state=0,
    )
    model.fit(X_train, y_train)
    predicted = model.predict(X_test)
    models[class_weight] = model
    recall[class_weight] = recall_score(y_test, predicted)
    majority_recall[class_weight] = recall_score(y_test, predicted, pos_label=0)
    balanced[class_weight] = balanced_accuracy_score(y_test, predicted)
    print(
        f"class_weight={class_weight!s:<8}: rare-class recall {recall[class_weight]:.2f}, "
        f"majority recall {majority_recall[class_weight]:.3f}, "
        f"balanced accuracy {balanced[class_weight]:.3f}"
    )

# %%
# Balancing finds far more of the rare class, at the price of some majority points
# labelled rare: the trade-off that balanced accuracy weighs evenly.
assert recall["balanced"] > recall[None] + 0.2, "balanced weights find more of the rare class"
assert balanced["balanced"] > balanced[None], "and raise the balanced accuracy"

# %%
# Decision boundaries
# -------------------
# The shading is the predicted probability of the rare class, the black line the boundary
# where it is one half; the points are the held-out ones. The unweighted boundary cuts
# through the rare cloud and leaves the overlap to the majority; the balanced one moves
# out into the overlap and takes in almost all of the rare points.
xx, yy = np.meshgrid(np.linspace(-4.5, 5, 200), np.linspace(-4.5, 5, 200))
grid = np.c_[xx.ravel(), yy.ravel()]
fig, axes = plt.subplots(1, 2, figsize=(11, 5), sharey=True)
for ax, (class_weight, model) in zip(axes, models.items()):
    proba = model.predict_proba(grid)[:, 1].reshape(xx.shape)
    shading = ax.contourf(xx, yy, proba, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.6)
    ax.contour(xx, yy, proba, levels=[0.5], colors="black", linewidths=2)
    for label, color, name in [(0, "tab:blue", "majority (0)"), (1, "tab:red", "rare (1)")]:
        mask = y_test == label
        ax.scatter(*X_test[mask].T, c=color, s=10, edgecolors="white", linewidths=0.3, label=name)
    ax.set(
        xlabel="feature 0",
        title=f"class_weight={class_weight!r}\nrare-class recall {recall[class_weight]:.2f}",
    )
axes[0].set_ylabel("feature 1")
axes[0].legend(loc="lower right")
fig.colorbar(shading, ax=axes, label="P(rare class)")
plt.show()
